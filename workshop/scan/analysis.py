"""One page, start to end of the pixel work: decode, straighten, crop, weigh the ink, encode.

``analyse_page`` is the function that worker processes run. It reads no database, so its result
(small encoded pictures and QR texts) can be sent back to the process that files it.
"""
import logging
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from workshop import layout
from workshop.layout import Rect

from . import images, ink, regions
from .decoding import Code, Point, find_codes
from .errors import ScanError
from .geometry import CardMapping, card_mapping, crop, inside
from .loading import ScanFile, ScanLimits, load_page

log = logging.getLogger(__name__)

# The QR code's corners placed the writing area to within 0.1 mm on 300 dpi renders and 0.6 mm at 200 dpi.
# Ink is weighed this far inside the printed frame, so its lines and corner marks stay out even on slanted photos.
INK_INSET = 2.5  # mm
INK_PIXELS_PER_MM = 6.0
# The stored handwriting reaches this far past the frame, because people write over its edge.
IMAGE_MARGIN = 1.0  # mm
# A page with no QR code counts as blank below this share of ink, like a blank back side from a duplex scanner.
BLANK_PAGE_FRACTION = 0.0005
PAGE_PIXELS_PER_MM = 2.0
# A card's place without a readable code must be nearly as bright as the decoded cards' paper to count
# as a card, so the table or floor around a photographed sheet never does.
PAPER_LIKENESS = 0.85
MAX_PAPER_COLOUR = 25  # median spread of R, G and B on white paper under warm light stays below this
LEFTOVER_PAGE_WIDTH = 1200


@dataclass(frozen=True)
class CardCrop:
    """A card found by its QR code: the code's text, whether it is written on, and the handwriting picture."""

    text: str
    ink: float
    written: bool
    image: images.EncodedImage | None
    cut_off: bool = False  # the writing area runs off the page, so the card is neither filed nor called blank


@dataclass(frozen=True)
class Leftover:
    """A written region with no readable QR code: a picture to attach and a thumbnail to identify it by."""

    image: images.EncodedImage
    thumbnail: images.EncodedImage
    whole_page: bool
    corners: tuple[Point, Point, Point, Point] | None = None  # the card's corners in page pixels; None for a whole page


@dataclass(frozen=True)
class PageAnalysis:
    """The cards, leftovers or error found on one page."""

    file_name: str
    page: int  # 1-based
    cards: list[CardCrop] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)
    blank_page: bool = False
    error: ScanError | None = None


def analyse_page(scan: ScanFile, index: int, limits: ScanLimits = ScanLimits()) -> PageAnalysis:
    """Find and crop every card on one page (0-based ``index``); a page that cannot be read returns its error."""
    try:
        page = load_page(scan, index, limits)
    except ScanError as error:
        return PageAnalysis(file_name=scan.name, page=index + 1, error=error)
    return analyse_image(page, scan.name, index + 1)


def analyse_card_photo(scan: ScanFile, limits: ScanLimits = ScanLimits()) -> tuple[PageAnalysis, images.EncodedImage | None]:
    """Analyse a photo taken on a card's page, and also return the whole photo for when its QR code is not in it."""
    try:
        page = load_page(scan, 0, limits)
    except ScanError as error:
        return PageAnalysis(file_name=scan.name, page=1, error=error), None
    # Leftovers of a card photo are never filed, so cut cards are not looked for.
    return (analyse_image(page, scan.name, cut_cards=False),
            images.encode(page, LEFTOVER_PAGE_WIDTH, LEFTOVER_PAGE_WIDTH))


def analyse_image(page: Image.Image, file_name: str = '', page_number: int = 1,
                  cut_cards: bool = True) -> PageAnalysis:
    """Find and crop every card on an upright RGB page image.

    A card whose QR code cannot be read becomes a leftover when it is written on: on a sheet it is
    found from its neighbours' places, and with ``cut_cards`` on any other page by its outline.
    """
    gray = page.convert('L')
    codes = find_codes(gray)
    mappings = [card_mapping(code) for code in codes]
    cards = [_card_crop(page, gray, code, mapping) for code, mapping in zip(codes, mappings)]
    unread = _unread_slots(page, gray, mappings) if len(mappings) >= 2 and _on_one_grid(mappings) else []
    # Cut cards are looked for on sheets too, because two cut cards can lie on one grid by chance.
    found = _cut_cards_without_code(page, gray, codes, unread) if cut_cards else []
    if not codes and not found:
        return _page_without_codes(page, gray, file_name, page_number)
    unread += [mapping for mapping in found if _ink(gray, mapping) >= ink.WRITTEN_FRACTION]
    leftovers = [_card_leftover(page, mapping) for mapping in unread]
    return PageAnalysis(file_name=file_name, page=page_number, cards=cards, leftovers=leftovers,
                        blank_page=not codes and not leftovers)


def _card_crop(page: Image.Image, gray: Image.Image, code: Code, mapping: CardMapping) -> CardCrop:
    if not inside(page, mapping, layout.WRITING_AREA, tolerance=0.01):
        # The card runs off the page, so an empty-looking area proves nothing; it is reported unfiled.
        return CardCrop(text=code.text, ink=0.0, written=False, image=None, cut_off=True)
    fraction = _ink(gray, mapping)
    written = fraction >= ink.WRITTEN_FRACTION
    return CardCrop(text=code.text, ink=fraction, written=written,
                    image=_handwriting(page, mapping) if written else None)


def _ink(gray: Image.Image, mapping: CardMapping) -> float:
    area = layout.WRITING_AREA
    inset = Rect(area.x + INK_INSET, area.y + INK_INSET, area.width - 2 * INK_INSET, area.height - 2 * INK_INSET)
    scale = min(INK_PIXELS_PER_MM, mapping.pixels_per_mm())
    return ink.ink_fraction(crop(gray, mapping, inset, scale), scale)


def _handwriting(page: Image.Image, mapping: CardMapping) -> images.EncodedImage:
    """Return the writing area, upright and with even lighting, at the page's own resolution or the board's width."""
    area = layout.WRITING_AREA
    framed = Rect(area.x - IMAGE_MARGIN, area.y - IMAGE_MARGIN, area.width + 2 * IMAGE_MARGIN,
                  area.height + 2 * IMAGE_MARGIN)
    scale = min(images.IMAGE_WIDTH / framed.width, mapping.pixels_per_mm())
    picture = crop(page, mapping, framed, scale)
    return images.encode(ink.flatten_lighting(picture, scale))


def _unread_slots(page: Image.Image, gray: Image.Image, mappings: list[CardMapping]) -> list[CardMapping]:
    """Return the mappings of written card places on a sheet whose QR code was not read.

    The caller has checked that at least two decoded cards sit exactly on the sheet's grid, so cut
    cards photographed on a table never make up places between them.
    """
    width, height = layout.CARD_WIDTH, layout.CARD_HEIGHT
    known = [mapping.to_page(width / 2, height / 2) for mapping in mappings]
    tolerance = min(mapping.pixels_per_mm() for mapping in mappings) * width / 4
    slots = []
    # Only the places next to a decoded card are looked at: a homography from a 20 mm code drifts by
    # several millimetres two cards away on a slanted photo.
    steps = [(column, row) for column in (-1, 0, 1) for row in (-1, 0, 1) if column or row]
    for mapping in mappings:
        for column, row in steps:
            neighbour = mapping.moved(column * width, row * height)
            centre = neighbour.to_page(width / 2, height / 2)
            occupied = known + [slot.to_page(width / 2, height / 2) for slot in slots]
            if any(abs(centre[0] - x) + abs(centre[1] - y) < tolerance for x, y in occupied):
                continue
            if inside(gray, neighbour, Rect(0, 0, width, height)):
                slots.append(neighbour)
    paper = min(_card_brightness(gray, mapping) for mapping in mappings)
    written = []
    for slot in slots:
        scale = min(INK_PIXELS_PER_MM, slot.pixels_per_mm())
        if (_card_brightness(gray, slot) >= PAPER_LIKENESS * paper and _is_grey(page, slot)
                and _ink(gray, slot) >= ink.WRITTEN_FRACTION and _looks_printed(gray, slot, scale)):
            written.append(slot)
    return written


def _is_grey(page: Image.Image, mapping: CardMapping) -> bool:
    """Tell whether a card's place is mostly colourless, as white paper is and a wooden table is not."""
    scale = min(PAGE_PIXELS_PER_MM, mapping.pixels_per_mm())
    values = np.asarray(crop(page, mapping, Rect(0, 0, layout.CARD_WIDTH, layout.CARD_HEIGHT), scale), dtype=np.int16)
    return float(np.median(values.max(axis=-1) - values.min(axis=-1))) < MAX_PAPER_COLOUR


def _card_brightness(gray: Image.Image, mapping: CardMapping) -> float:
    """Return the median brightness of a card's place, which is paper on a sheet and darker on a table."""
    scale = min(PAGE_PIXELS_PER_MM, mapping.pixels_per_mm())
    values = np.asarray(crop(gray, mapping, Rect(0, 0, layout.CARD_WIDTH, layout.CARD_HEIGHT), scale))
    return float(np.median(values))


def _on_one_grid(mappings: list[CardMapping]) -> bool:
    """Tell whether two decoded cards are whole card steps apart, to within 2 mm."""
    first = mappings[0]
    for other in mappings[1:]:
        x, y = _card_position(first, other)
        steps_x, steps_y = round(x / layout.CARD_WIDTH), round(y / layout.CARD_HEIGHT)
        if (steps_x or steps_y) and abs(x - steps_x * layout.CARD_WIDTH) < 2 and abs(y - steps_y * layout.CARD_HEIGHT) < 2:
            return True
    return False


def _card_position(reference: CardMapping, other: CardMapping) -> tuple[float, float]:
    """Return where another card's top-left corner lies, in the reference card's millimetres."""
    u, v = other.to_page(0, 0)
    x, y, w = np.linalg.inv(reference.matrix) @ np.array([u, v, 1.0])
    return float(x / w), float(y / w)


def _looks_printed(gray: Image.Image, slot: CardMapping, scale: float) -> bool:
    """Tell whether a card is printed at this place: its QR box contains dark modules, torn or not."""
    return ink.ink_fraction(crop(gray, slot, layout.QR_BOX, scale), scale) > 0.05


def _cut_cards_without_code(page: Image.Image, gray: Image.Image, codes: list[Code],
                            slots: list[CardMapping]) -> list[CardMapping]:
    """Return an upright mapping for every printed card outline that contains no decoded QR code and no sheet slot."""
    found = []
    for outline in regions.card_outlines(page):
        if any(regions.contains_code(outline, code) for code in codes) or any(
                regions.contains_point(outline, slot.to_page(layout.CARD_WIDTH / 2, layout.CARD_HEIGHT / 2))
                for slot in slots):
            continue
        mapping = regions.upright_mapping(gray, outline)
        if regions.has_corner_marks(gray, mapping):
            found.append(mapping)
    return found


def _card_leftover(page: Image.Image, mapping: CardMapping) -> Leftover:
    scale = min(images.THUMBNAIL_WIDTH / layout.CARD_WIDTH, mapping.pixels_per_mm())
    whole_card = crop(page, mapping, Rect(0, 0, layout.CARD_WIDTH, layout.CARD_HEIGHT), scale)
    corners = tuple(mapping.to_page(x, y) for x, y in regions.CARD_CORNERS)
    return Leftover(image=_handwriting(page, mapping), thumbnail=images.encode(whole_card, images.THUMBNAIL_WIDTH),
                    whole_page=False, corners=corners)  # type: ignore[arg-type]


def _page_without_codes(page: Image.Image, gray: Image.Image, file_name: str, page_number: int) -> PageAnalysis:
    """Return a page with no QR code as one leftover, or as a blank page when it carries no ink."""
    pixels_per_mm = max(gray.width, gray.height) / layout.PAGE_HEIGHT  # an estimate: A4 or a card photo alike
    factor = max(1, int(pixels_per_mm / PAGE_PIXELS_PER_MM))
    small = gray.reduce(factor) if factor > 1 else gray
    if ink.ink_fraction(small, pixels_per_mm / factor) < BLANK_PAGE_FRACTION:
        return PageAnalysis(file_name=file_name, page=page_number, blank_page=True)
    leftover = Leftover(image=images.encode(page, LEFTOVER_PAGE_WIDTH, LEFTOVER_PAGE_WIDTH),
                        thumbnail=images.encode(page, images.THUMBNAIL_WIDTH, images.THUMBNAIL_WIDTH),
                        whole_page=True)
    return PageAnalysis(file_name=file_name, page=page_number, leftovers=[leftover])
