"""Generate the scan test corpus from real card sheets, with the ground truth beside every image.

    .venv/bin/python -m bench.scan_corpus --out out/corpus

Cards are created in a fresh workshop in ``<out>/data``, printed with printouts.cards.card_sheets_pdf,
rendered with pypdfium2, and written on in a handwriting-like Japanese font (Debian's fonts-kiloji
when installed, IPAexGothic otherwise). Then each set degrades the sheets as scanners and phones
do. Every image or PDF gets a ``.json`` file beside it that lists, page by page, the codes of the
cards on it and whether each carries writing. Nothing generated is committed; the same seed makes
the same corpus.
"""
import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from printouts.cards import card_sheets_pdf
from workshop import layout
from workshop.model import Card, NewWorkshop
from workshop.scan.decoding import find_codes
from workshop.scan.geometry import homography
from workshop.store import Store

PUBLIC_URL = 'http://192.168.1.20:8080'
FONT_CANDIDATES = [
    Path('/usr/share/fonts/truetype/kiloji/kiloji.ttf'),
    Path(__file__).resolve().parent.parent / 'printouts' / 'fonts' / 'ipaexg.ttf',
]
TEXTS = [
    '港にベンチがほしい', '雨の日に遊べる場所', '空き家を活用して移住者を増やす', 'バスの本数を増やして',
    '海の見える図書館', '祭りを続けたい', '子ども食堂', '高齢者の見守り', '観光客向けの案内板を多言語に',
    '農業体験ツアー', '夜道が暗い', '公園にトイレを', '若者が集まるカフェ', '島の魚を給食に', '賛成',
    '病院へのアクセス', 'Wi-Fiを港に', '自転車道', '古民家ホテル', '〇',
]
WRITTEN_SHARE = 0.6
# The cut-card photos that follow the clean ones have damaged QR codes: per photo, each pair is a
# damage and whether that card is written on. Nine written and three blank damaged cards in all.
DAMAGE_PLAN = [
    [('torn', True), ('smudged', True)],
    [('torn', False), ('smudged', True)],
    [('torn', True), ('smudged', False)],
    [('torn', True), ('smudged', True)],
    [('torn', True), ('smudged', False)],
    [('torn', True), ('smudged', True)],
]
DAMAGED_PHOTOS = len(DAMAGE_PLAN)


@dataclass
class Sheet:
    """A rendered card sheet and what is written on each of its cards."""

    image: Image.Image
    dpi: int
    cards: list[dict]  # {'code', 'written', 'text'} in sheet order


def main() -> None:
    parser = argparse.ArgumentParser(description='Generate the scan corpus into a folder.')
    parser.add_argument('--out', type=Path, default=Path('out/corpus'), help='folder to write (created)')
    parser.add_argument('--seed', type=int, default=2026, help='random seed')
    parser.add_argument('--small', action='store_true', help='one sheet per set, for a quick look')
    parser.add_argument('--scan-300-sheets', type=int, default=10,
                        help='sheets in the 300 dpi scanner PDF (default 10; 100 gives about 600 written cards)')
    args = parser.parse_args()
    build_corpus(args.out, seed=args.seed, small=args.small, scan_300_sheets=args.scan_300_sheets)


def build_corpus(out: Path, seed: int = 2026, small: bool = False, scan_300_sheets: int = 10) -> NewWorkshop:
    """Write every set of the corpus into ``out``; return the workshop its cards belong to."""
    out.mkdir(parents=True, exist_ok=True)
    (out / 'data').mkdir(exist_ok=True)
    store = Store(out / 'data' / 'fusen.db')
    try:
        # Sheets go to the sessions in turn, because a session has at most 500 cards.
        sessions = [('観光', '島の未来は？'), ('子育て', '町の未来は？'), ('移住', '住みたい町は？'), ('防災', '備えは？')]
        created = store.create_workshop('コーパス対話会', sessions=sessions)
        rng = random.Random(seed)
        maker = SheetMaker(store, created, rng)
        count = (lambda n: 1) if small else (lambda n: n)
        _pdf_set(out / 'scan-300', [maker.sheet(300) for _ in range(count(scan_300_sheets))], 300)
        _pdf_set(out / 'scan-200', [maker.sheet(200) for _ in range(count(3))], 200)
        _pdf_set(out / 'scan-600', [maker.sheet(600) for _ in range(count(2))], 600)
        for name, change in [('rotated-90', lambda s: s.rotate(90, expand=True)),
                             ('rotated-180', lambda s: s.rotate(180, expand=True)),
                             ('skew-plus-15', lambda s: _skew(s, 15)), ('skew-minus-15', lambda s: _skew(s, -15)),
                             ('blur', lambda s: s.filter(ImageFilter.GaussianBlur(2))),
                             ('uneven-light', lambda s: _uneven_light(s, rng))]:
            _image_set(out / name, [maker.sheet(300) for _ in range(count(2))], change, 'png')
        _image_set(out / 'jpeg-40', [maker.sheet(300) for _ in range(count(2))], lambda s: s, 'jpg', quality=40)
        _image_set(out / 'phone-sheet', [maker.sheet(200) for _ in range(count(4))],
                   lambda s: _phone_photo(s, rng), 'jpg', quality=85)
        _cut_cards_set(out / 'phone-cards', maker, rng, photos=count(5), damaged_photos=count(DAMAGED_PHOTOS))
        store_path = store.path
    finally:
        store.close()
    (out / 'workshop.json').write_text(json.dumps({'workshop': created.workshop.id, 'database': str(store_path)}))
    return created


class SheetMaker:
    """Prints new cards and writes on some of them, sheet by sheet."""

    def __init__(self, store: Store, created: NewWorkshop, rng: random.Random) -> None:
        self.store = store
        self.created = created
        self.rng = rng
        self.font_path = next(path for path in FONT_CANDIDATES if path.exists())
        self.next_session = 0

    def sheet(self, dpi: int, texts: list[str | None] | None = None) -> Sheet:
        """Return a new sheet of ten cards; ``texts`` gives each card's writing (None for blank), random otherwise."""
        session = self.created.sessions[self.next_session % len(self.created.sessions)]
        self.next_session += 1
        cards = self.store.create_cards(session.id, layout.CARDS_PER_SHEET)
        if texts is None:
            texts = [self.rng.choice(TEXTS) if self.rng.random() < WRITTEN_SHARE else None for _ in cards]
        image = render_sheet(self.created, cards, dpi)
        write_cards(image, dpi, texts, self.font_path, self.rng)
        truth = [{'code': card.code, 'written': text is not None, 'text': text or ''} for card, text in zip(cards, texts)]
        return Sheet(image=image, dpi=dpi, cards=truth)


def render_sheet(created: NewWorkshop, cards: list[Card], dpi: int, public_url: str = PUBLIC_URL) -> Image.Image:
    """Render the first page of these cards' sheet PDF as an RGB image."""
    pdf = card_sheets_pdf(created.workshop, created.sessions, cards, public_url)
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[0].render(scale=dpi / 72).to_pil().convert('RGB')
    finally:
        document.close()


def write_cards(image: Image.Image, dpi: int, texts: list[str | None], font_path: Path, rng: random.Random) -> None:
    """Write each text into its card's writing area, in a dark pen colour with a little wobble."""
    draw = ImageDraw.Draw(image)
    px = dpi / 25.4
    for index, text in enumerate(texts):
        if not text:
            continue
        x0, y0 = layout.card_origin(index)
        area = layout.WRITING_AREA.moved(x0, y0)
        size_mm = rng.uniform(4.5, 6.5)
        font = ImageFont.truetype(str(font_path), round(size_mm * px))
        colour = rng.choice([(20, 20, 30), (25, 35, 110), (40, 40, 40)])
        per_line = max(1, int((area.width - 8) / size_mm))
        lines = [text[start:start + per_line] for start in range(0, len(text), per_line)][:3]
        y = area.y + rng.uniform(4, 7)
        for line in lines:
            x = area.x + rng.uniform(3.5, 6)
            for character in line:
                wobble = rng.uniform(-0.4, 0.4)
                draw.text((x * px, (y + wobble) * px), character, font=font, fill=colour, stroke_width=max(1, round(px * 0.12)),
                          stroke_fill=colour)
                x += size_mm * rng.uniform(0.9, 1.05)
            y += size_mm * 1.35


def _pdf_set(folder: Path, sheets: list[Sheet], dpi: int) -> None:
    """Write the sheets as one scanner-like PDF: a JPEG image per page at the scan's resolution."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = [sheet.image for sheet in sheets]
    path = folder / f'{folder.name}.pdf'
    pages[0].save(path, format='PDF', save_all=True, append_images=pages[1:], resolution=dpi, quality=85)
    _truth(path, [sheet.cards for sheet in sheets])


def _image_set(folder: Path, sheets: list[Sheet], change, suffix: str, quality: int = 90) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number, sheet in enumerate(sheets, 1):
        path = folder / f'{folder.name}-{number:02d}.{suffix}'
        changed = change(sheet.image)
        if suffix == 'jpg':
            changed.save(path, format='JPEG', quality=quality)
        else:
            changed.save(path, format='PNG', compress_level=1)
        _truth(path, [sheet.cards])


def _cut_cards_set(folder: Path, maker: SheetMaker, rng: random.Random, photos: int, damaged_photos: int) -> None:
    """Photograph cut cards six at a time on a wooden table; in the last photos two codes are torn or smudged.

    Each card's truth adds ``damage`` (None, 'torn' or 'smudged') and ``centre``, where the card's
    middle lands in the photo's pixels, so a benchmark can tell which card a leftover shows.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(1, photos + damaged_photos + 1):
        damage: dict[int, str] = {}
        if number <= photos:
            sheet = maker.sheet(300)
        else:
            plan = DAMAGE_PLAN[(number - photos - 1) % len(DAMAGE_PLAN)]
            places = rng.sample(range(6), len(plan))
            texts = [rng.choice(TEXTS) if rng.random() < WRITTEN_SHARE else None for _ in range(layout.CARDS_PER_SHEET)]
            for place, (kind, written) in zip(places, plan):
                damage[place] = kind
                texts[place] = rng.choice(TEXTS) if written else None
            sheet = maker.sheet(300, texts)
        photo, centres = photograph_cut_cards(sheet.image, sheet.dpi, rng, damage)
        path = folder / f'{folder.name}-{number:02d}.jpg'
        photo.save(path, format='JPEG', quality=85)
        truth = [dict(card, damage=damage.get(place), centre=centres[place])
                 for place, card in enumerate(sheet.cards[:6])]
        _truth(path, [truth])
        _check_damage(path, truth)


def photograph_cut_cards(sheet: Image.Image, dpi: int, rng: random.Random,
                         damage: dict[int, str] | None = None) -> tuple[Image.Image, list[list[float]]]:
    """Cut the first six cards out of a rendered sheet, lay them on a wooden table and photograph them.

    ``damage`` maps a card's place on the sheet to 'torn' or 'smudged'. Returns the photo and where
    each card's centre lands in it, in pixels.
    """
    damage = damage or {}
    px = dpi / 25.4
    table = _wood(3024, 4032, rng)
    centres = []
    for place in range(6):
        x0, y0 = layout.card_origin(place)
        card = sheet.crop((round(x0 * px), round(y0 * px), round((x0 + layout.CARD_WIDTH) * px),
                           round((y0 + layout.CARD_HEIGHT) * px)))
        card = card.resize((card.width * 2 // 3, card.height * 2 // 3), Image.Resampling.LANCZOS)
        if damage.get(place) == 'torn':
            card = _tear_qr_corner(card, rng)
        elif damage.get(place) == 'smudged':
            card = _smudge_qr_code(card, rng)
        card = card.rotate(rng.uniform(-20, 20), expand=True, fillcolor=(0, 0, 0, 0), resample=Image.Resampling.BICUBIC)
        mask = card.convert('RGBA').split()[-1] if card.mode == 'RGBA' else _card_mask(card)
        column, row = place % 2, place // 2
        left = 150 + column * 1450 + rng.randint(-60, 60)
        top = 250 + row * 1250 + rng.randint(-60, 60)
        table.paste(card, (left, top), mask)
        centres.append((left + card.width / 2, top + card.height / 2))
    photo, to_photo = _phone_photo_mapped(table, rng, fill=False)
    return photo, [_map_point(to_photo, centre) for centre in centres]


def _tear_qr_corner(card: Image.Image, rng: random.Random) -> Image.Image:
    """Tear the card's top-right corner off along a ragged line through the QR code.

    The tear takes most of the code's top-right finder pattern with it. The torn part becomes
    transparent, so the table shows through it once the card is pasted.
    """
    scale = card.width / layout.CARD_WIDTH
    start = (rng.uniform(64, 68), 0.0)  # mm on the card's top edge
    end = (layout.CARD_WIDTH, rng.uniform(22, 27))  # mm on its right edge, above the printed card code
    ragged = []
    for step in range(13):
        t = step / 12
        jitter = rng.uniform(-0.8, 0.8) if 0 < step < 12 else 0.0
        ragged.append(((start[0] + t * (end[0] - start[0]) + jitter) * scale,
                       (start[1] + t * (end[1] - start[1]) - jitter) * scale))
    torn = Image.new('L', card.size, 255)
    ImageDraw.Draw(torn).polygon(ragged + [(card.width + 1, -1)], fill=0)
    result = card.convert('RGBA')
    result.putalpha(torn)
    return result


def _smudge_qr_code(card: Image.Image, rng: random.Random) -> Image.Image:
    """Spill a brown, soft-edged stain over the left and middle part of the QR code, as coffee or a wet thumb would."""
    scale = card.width / layout.CARD_WIDTH
    box = layout.QR_BOX
    centre_x, centre_y = box.x + rng.uniform(8, 11), box.y + rng.uniform(10, 15)
    radius_x, radius_y = rng.uniform(7, 8.5), rng.uniform(9, 11)
    stain = Image.new('L', card.size, 0)
    ImageDraw.Draw(stain).ellipse(((centre_x - radius_x) * scale, (centre_y - radius_y) * scale,
                                   (centre_x + radius_x) * scale, (centre_y + radius_y) * scale), fill=215)
    stain = stain.filter(ImageFilter.GaussianBlur(0.8 * scale))
    colour = Image.new('RGB', card.size, rng.choice([(96, 62, 38), (70, 60, 55)]))
    return Image.composite(colour, card.convert('RGB'), stain)


def _check_damage(path: Path, truth: list[dict]) -> None:
    """Warn when more codes were decoded than the undamaged cards have, because the benchmark counts on it."""
    with Image.open(path) as photo:
        decoded = len(find_codes(photo.convert('L')))
    readable = sum(1 for card in truth if not card['damage'])
    if decoded > readable:
        print(f'warning: {path.name}: {decoded} codes decoded, but only {readable} cards are undamaged')


def _card_mask(card: Image.Image) -> Image.Image:
    """Return a mask of the rotated card, where ``rotate`` left the corners black."""
    values = np.asarray(card.convert('L'))
    return Image.fromarray(((values > 0) * 255).astype(np.uint8))


def _wood(width: int, height: int, rng: random.Random) -> Image.Image:
    """Return a brown, grainy, striped texture like a table top."""
    generator = np.random.default_rng(rng.randint(0, 2**32 - 1))
    y = np.arange(height)[:, None]
    grain = np.sin(y / rng.uniform(9, 15) + generator.normal(0, 0.6, (height, width)).cumsum(axis=1) / 60)
    noise = generator.normal(0, 12, (height, width))
    base = 120 + 25 * grain + noise
    rgb = np.stack([base * 1.15, base * 0.8, base * 0.5], axis=-1)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def _skew(image: Image.Image, degrees: float) -> Image.Image:
    return image.rotate(degrees, expand=True, fillcolor='white', resample=Image.Resampling.BICUBIC)


def _uneven_light(image: Image.Image, rng: random.Random) -> Image.Image:
    """Darken the image towards one corner and its edges, as a desk lamp or a phone's shadow does."""
    width, height = image.size
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    corner_x, corner_y = rng.choice([(0, 0), (width, 0), (0, height), (width, height)])
    distance = np.hypot(x - corner_x, y - corner_y) / np.hypot(width, height)
    light = 0.5 + 0.5 * distance
    values = np.asarray(image, dtype=np.float32) * light[..., None]
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))


def _phone_photo(image: Image.Image, rng: random.Random, fill: bool = True) -> Image.Image:
    """Photograph the image from about 40 cm at a slant; see ``_phone_photo_mapped``."""
    return _phone_photo_mapped(image, rng, fill)[0]


def _phone_photo_mapped(image: Image.Image, rng: random.Random, fill: bool = True) -> tuple[Image.Image, np.ndarray]:
    """Photograph the image from about 40 cm at a slant: perspective, uneven light, a little blur and noise.

    Also returns the homography from the image's pixels to the photo's.

    A 12-megapixel phone at 40 cm sees about 50 cm across, so a sheet comes out at about 7 px/mm,
    nearer the bottom edge a little larger than far away at the top.
    """
    out_width, out_height = 3024, 4032
    width, height = image.size
    if fill:
        # The sheet covers the middle of the frame; the top edge is farther away and so shorter.
        sheet_height = 0.55 * out_height
        bottom = sheet_height * width / height
        top = bottom * rng.uniform(0.82, 0.9)
        cx, cy = out_width / 2 + rng.uniform(-150, 150), out_height / 2 + rng.uniform(-150, 150)
        quad = [(cx - top / 2, cy - sheet_height / 2), (cx + top / 2, cy - sheet_height / 2),
                (cx + bottom / 2, cy + sheet_height / 2), (cx - bottom / 2, cy + sheet_height / 2)]
        background = _wood(out_width, out_height, rng)
    else:
        inset = rng.uniform(0.03, 0.07)
        quad = [(out_width * inset, out_height * inset * 1.5), (out_width * (1 - inset), out_height * inset),
                (out_width, out_height), (0, out_height * (1 - inset * 0.3))]
        background = None
    angle = np.radians(rng.uniform(-6, 6))
    centre = np.mean(quad, axis=0)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    quad = [tuple(centre + rotation @ (np.array(point) - centre)) for point in quad]
    corners = [(0, 0), (width, 0), (width, height), (0, height)]
    matrix = homography(quad, corners)  # output pixel to source pixel, as Image.transform wants it
    coefficients = tuple((matrix / matrix[2, 2]).flatten()[:8])
    photo = image.convert('RGB').transform((out_width, out_height), Image.Transform.PERSPECTIVE, coefficients,
                                           resample=Image.Resampling.BILINEAR, fillcolor=(0, 0, 0))
    if background is not None:
        mask = Image.new('L', image.size, 255).transform((out_width, out_height), Image.Transform.PERSPECTIVE,
                                                         coefficients, fillcolor=0)
        background.paste(photo, (0, 0), mask)
        photo = background
    photo = _uneven_light(photo, rng).filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.2)))
    generator = np.random.default_rng(rng.randint(0, 2**32 - 1))
    values = np.asarray(photo, dtype=np.float32) + generator.normal(0, 4, (out_height, out_width, 1))
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8)), np.linalg.inv(matrix)


def _map_point(matrix: np.ndarray, point: tuple[float, float]) -> list[float]:
    x, y, w = matrix @ np.array([point[0], point[1], 1.0])
    return [round(float(x / w), 1), round(float(y / w), 1)]


def _truth(path: Path, pages: list[list[dict]]) -> None:
    path.with_suffix('.json').write_text(json.dumps({'file': path.name, 'pages': pages}, ensure_ascii=False, indent=1),
                                         encoding='utf-8')


if __name__ == '__main__':
    main()
