"""Cut cards photographed on a table: a card whose QR code is torn or smudged is listed as a leftover."""
import random

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from bench.scan_corpus import _tear_qr_corner, _wood
from scan_samples import FONT_CANDIDATES, TEXTS, save, table_photo, written_sheet
from workshop import layout
from workshop.scan.analysis import analyse_image
from workshop.scan.ingest import ingest_files
from workshop.scans_store import ScanStore

ON_TABLE = range(6)  # table_photo lays out the sheet's first six cards
WRITTEN_ON_TABLE = [index for index in ON_TABLE if TEXTS[index]]


@pytest.fixture
def scans(store) -> ScanStore:
    return ScanStore(store)


def ingest_photo(scans, workshop, photo: Image.Image, tmp_path, name: str = 'table.jpg'):
    [report] = ingest_files(scans, workshop.workshop.id, [save(photo, tmp_path / name, quality=85)], workers=1)
    return report


def leftover_centres(photo: Image.Image) -> list[np.ndarray]:
    """Return where the middle of each leftover card lies on the photo."""
    return [np.mean(leftover.corners, axis=0) for leftover in analyse_image(photo).leftovers]


def test_clean_table_photo_has_no_leftover(scans, store, workshop, tmp_path):
    image, cards = written_sheet(store, workshop)
    photo, _ = table_photo(image)
    report = ingest_photo(scans, workshop, photo, tmp_path)
    assert sorted(report.filed) == sorted(cards[index].code for index in WRITTEN_ON_TABLE)
    assert report.leftovers == 0
    assert scans.leftovers(workshop.workshop.id) == []


@pytest.mark.parametrize('damage', ['torn', 'smudged'])
def test_damaged_written_card_is_one_leftover(scans, store, workshop, tmp_path, damage):
    image, cards = written_sheet(store, workshop)
    photo, centres = table_photo(image, damage={0: damage})
    report = ingest_photo(scans, workshop, photo, tmp_path)
    assert sorted(report.filed) == sorted(cards[index].code for index in WRITTEN_ON_TABLE if index != 0)
    assert report.leftovers == 1
    [leftover] = scans.leftovers(workshop.workshop.id)
    assert not leftover.whole_page
    assert leftover.source_name == 'table.jpg'
    assert scans.thumbnail_path(workshop.workshop.id, leftover.id).exists()

    [centre] = leftover_centres(photo)
    assert np.hypot(*(centre - centres[0])) < 20  # pixels; a card is about 650 px wide on this photo


def test_torn_card_leftover_is_upright(store, workshop):
    image, _ = written_sheet(store, workshop)
    photo, _ = table_photo(image, damage={0: 'torn'})
    [leftover] = analyse_image(photo).leftovers
    (x0, y0), (x1, y1), _, (x3, y3) = leftover.corners
    # The cards lie within 20° of upright, so an upright mapping starts at the top-left corner.
    assert x1 > x0
    assert abs(y1 - y0) < (x1 - x0) / 2
    assert y3 > y0
    assert leftover.thumbnail.width > leftover.thumbnail.height


def test_torn_leftover_assigned_by_code(scans, store, workshop, tmp_path):
    image, cards = written_sheet(store, workshop)
    photo, _ = table_photo(image, damage={0: 'torn'})
    ingest_photo(scans, workshop, photo, tmp_path)
    [leftover] = scans.leftovers(workshop.workshop.id)
    note = scans.assign_leftover(workshop.workshop.id, leftover.id, cards[0].code)
    assert note.card_id == cards[0].id
    assert note.image_id is not None
    assert scans.leftovers(workshop.workshop.id) == []


def test_torn_blank_card_is_skipped(scans, store, workshop, tmp_path):
    assert TEXTS[1] is None
    image, _ = written_sheet(store, workshop)
    photo, _ = table_photo(image, damage={1: 'torn'})
    report = ingest_photo(scans, workshop, photo, tmp_path)
    assert report.leftovers == 0
    assert len(report.filed) == len(WRITTEN_ON_TABLE)


def test_all_codes_torn(scans, store, workshop, tmp_path):
    image, _ = written_sheet(store, workshop)
    photo, centres = table_photo(image, damage={index: 'torn' for index in ON_TABLE})
    report = ingest_photo(scans, workshop, photo, tmp_path)
    assert report.filed == []
    assert report.leftovers == len(WRITTEN_ON_TABLE)
    assert not any(leftover.whole_page for leftover in scans.leftovers(workshop.workshop.id))
    found = leftover_centres(photo)
    for index in WRITTEN_ON_TABLE:
        assert min(np.hypot(*(centre - centres[index])) for centre in found) < 20


def test_business_card_on_table_is_not_leftover(scans, store, workshop, tmp_path):
    image, _ = written_sheet(store, workshop)
    paint_business_card(image, index=5)
    photo, _ = table_photo(image)
    report = ingest_photo(scans, workshop, photo, tmp_path)
    assert report.leftovers == 0
    assert len(report.filed) == len([index for index in WRITTEN_ON_TABLE if index != 5])


def test_cut_cards_on_one_grid_by_chance(scans, store, workshop, tmp_path):
    """Two cut cards exactly two card widths apart look like a sheet, and a torn card beside them is still found."""
    image, cards = written_sheet(store, workshop)
    px = 300 / 25.4
    width, height = round(layout.CARD_WIDTH * px), round(layout.CARD_HEIGHT * px)

    def cut(index: int) -> Image.Image:
        x0, y0 = layout.card_origin(index)
        return image.crop((round(x0 * px), round(y0 * px), round(x0 * px) + width, round(y0 * px) + height))

    table = _wood(4 * width, 4 * height, random.Random(1))
    table.paste(cut(0), (width // 2, height // 2))
    table.paste(cut(2), (width // 2 + 2 * width, height // 2))
    torn = _tear_qr_corner(cut(4), random.Random(2))
    table.paste(torn, (width, 2 * height), torn)
    report = ingest_photo(scans, workshop, table, tmp_path)
    assert sorted(report.filed) == sorted([cards[0].code, cards[2].code])
    assert report.leftovers == 1


def paint_business_card(image: Image.Image, index: int) -> None:
    """Replace a card on the rendered sheet with a plain 91 × 55 mm business card: a name, no QR code, no frame."""
    px = 300 / 25.4
    x0, y0 = layout.card_origin(index)
    box = (round(x0 * px), round(y0 * px), round((x0 + layout.CARD_WIDTH) * px), round((y0 + layout.CARD_HEIGHT) * px))
    draw = ImageDraw.Draw(image)
    draw.rectangle(box, fill=(252, 252, 250))
    font = ImageFont.truetype(str(next(path for path in FONT_CANDIDATES if path.exists())), round(7 * px))
    draw.text((box[0] + 15 * px, box[1] + 20 * px), '山田 太郎', font=font, fill=(20, 20, 20))
    draw.text((box[0] + 15 * px, box[1] + 32 * px), '株式会社 壱岐', font=font, fill=(20, 20, 20))
