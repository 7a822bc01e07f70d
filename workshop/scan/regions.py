"""Finding cut cards on a photo by their outline, for the cards whose QR code cannot be read.

Card paper is light and colourless, and the table under the cards is darker or coloured. OpenCV
traces the outline of every light, colourless region on a reduced copy of the photo. A region
counts as a card when its convex hull fits a quadrilateral of about a card's proportions. That
quadrilateral is the smallest one on four of the hull's sides that contains the whole hull, so a
corner torn off the card does not move the card's corners. Which long side is the card's top follows from the
printing, because the QR code and the card code below it make the top-right corner the darkest,
and the writing area's four corner marks tell a Fusen card from a business card of the same size.

NOTE: a colourless table (white, grey or black) is not told apart from paper by colour, so cards
on one are found only where its brightness stays under ``MIN_PAPER_VALUE``. The generated corpus
has wooden tables only.
"""
import itertools

import cv2
import numpy as np
from PIL import Image

from workshop import layout
from workshop.layout import Rect

from . import ink
from .decoding import Code, Point
from .geometry import CardMapping, crop, homography

# The outlines are traced on a copy reduced by a whole factor to at least this many pixels long,
# which keeps a card on a 12-megapixel photo about 300 px wide.
TRACE_SIZE = 1600
# HSV saturation (0–255) below which a pixel can be paper. On the generated photos the cards'
# paper measured 0 (median) and 99.9 % of the wooden table 127 or more.
# NOTE: paper under a warm lamp is tinted, and real photos have not been measured.
MAX_PAPER_SATURATION = 64
# Pixels darker than this (HSV value, 0–255) are never paper: shadows, and the black beyond a photo's edge.
MIN_PAPER_VALUE = 70
# A card must come out at least this large, or its writing is too small to weigh and to read.
MIN_PIXELS_PER_MM = 3.0
# Long side over short side: 1.65 for a 91 × 55 mm card. The generated slanted photos measured
# 1.60–1.79; the range leaves room for a steeper slant.
MIN_ASPECT, MAX_ASPECT = 1.35, 2.0
# Share of the quadrilateral that the region's convex hull must cover. The corpus's corner torn off
# through the QR code takes about 6 %.
MIN_COVER = 0.85
CARD_CORNERS = [(0.0, 0.0), (layout.CARD_WIDTH, 0.0), (layout.CARD_WIDTH, layout.CARD_HEIGHT),
                (0.0, layout.CARD_HEIGHT)]
# Each corner mark of the writing area is weighed in a square this wide (mm) around the frame's corner,
# which leaves 1 mm for the outline's error. On the generated photos (bench/scan_corpus.py) a mark's
# square held 7–12 % ink, and the same square 8 mm further inside the frame held none.
MARK_BOX = 5.0
MIN_MARK_INK = 0.03
MARK_PIXELS_PER_MM = 6.0
PRINTED_CORNER = Rect(layout.QR_BOX.x, layout.QR_BOX.y, layout.QR_BOX.width, layout.CODE_BOX.bottom - layout.QR_BOX.y)
PRINTED_PIXELS_PER_MM = 3.0  # enough to see the 0.7 mm QR modules as ink

Quad = np.ndarray  # 4 × 2 page pixels, in the order the card's own corners go round: clockwise on screen


def card_outlines(page: Image.Image) -> list[Quad]:
    """Return the corners of every light, colourless quadrilateral of a card's proportions on the page."""
    factor = max(1, max(page.size) // TRACE_SIZE)
    rgb = page.convert('RGB')
    small = rgb.reduce(factor) if factor > 1 else rgb  # a whole-number factor, 4× faster than a resize
    hsv = cv2.cvtColor(np.asarray(small), cv2.COLOR_RGB2HSV)
    paper = ((hsv[..., 1] < MAX_PAPER_SATURATION) & (hsv[..., 2] > MIN_PAPER_VALUE)).astype(np.uint8)
    # Opening removes the table's own light specks and cuts thin bridges between cards that nearly touch.
    paper = cv2.morphologyEx(paper, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(paper, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    min_side = MIN_PIXELS_PER_MM * layout.CARD_HEIGHT / factor
    quads = []
    for contour in contours:
        if cv2.contourArea(contour) < min_side * min_side * MIN_ASPECT or _touches_edge(contour, small.size):
            continue
        hull = cv2.convexHull(contour)
        quad = _quadrilateral(hull)
        if quad is not None and _card_shaped(quad, hull, min_side):
            quads.append((quad + 0.5) * factor)  # from small pixel centres to page pixels
    return quads


def upright_mapping(gray: Image.Image, quad: Quad) -> CardMapping:
    """Return the mapping from card millimetres onto a card outline that puts the printed QR code at the top right."""
    sides = np.hypot(*(np.roll(quad, -1, axis=0) - quad).T)
    start = 0 if sides[0] + sides[2] >= sides[1] + sides[3] else 1
    candidates = [CardMapping(homography(CARD_CORNERS, [tuple(point) for point in np.roll(quad, -first, axis=0)]))
                  for first in (start, start + 2)]
    return max(candidates, key=lambda mapping: _printed_ink(gray, mapping))


def has_corner_marks(gray: Image.Image, mapping: CardMapping) -> bool:
    """Tell whether a Fusen card is printed here: at least three of the writing area's dark corner marks show.

    A business card, a receipt or a sheet of paper of the same shape has no marks at these four places.
    """
    scale = min(MARK_PIXELS_PER_MM, mapping.pixels_per_mm())
    area, half = layout.WRITING_AREA, MARK_BOX / 2
    corners = [(area.x, area.y), (area.right, area.y), (area.right, area.bottom), (area.x, area.bottom)]
    marks = [ink.ink_fraction(crop(gray, mapping, Rect(x - half, y - half, MARK_BOX, MARK_BOX), scale), scale)
             for x, y in corners]
    return sum(1 for fraction in marks if fraction >= MIN_MARK_INK) >= 3


def contains_code(quad: Quad, code: Code) -> bool:
    """Tell whether the centre of a decoded QR code lies inside the quadrilateral."""
    x, y = np.mean(code.corners, axis=0)
    return contains_point(quad, (float(x), float(y)))


def contains_point(quad: Quad, point: Point) -> bool:
    """Tell whether a page pixel lies inside the quadrilateral or on its edge."""
    return cv2.pointPolygonTest(quad.astype(np.float32).reshape(-1, 1, 2), point, False) >= 0


def _touches_edge(contour: np.ndarray, size: tuple[int, int]) -> bool:
    """Tell whether a region reaches the photo's edge, as a card cut off by the frame or a page scanned whole does."""
    x, y, width, height = cv2.boundingRect(contour)
    return x <= 1 or y <= 1 or x + width >= size[0] - 1 or y + height >= size[1] - 1


def _quadrilateral(hull: np.ndarray) -> Quad | None:
    """Return the smallest quadrilateral on the lines of four sides of a region's convex hull that contains the hull.

    A corner torn off a card cuts one more side into the hull. Its line leaves another corner of
    the hull outside, so the smallest quadrilateral that contains the hull drops it.
    """
    polygon = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True).reshape(-1, 2).astype(float)
    if not 4 <= len(polygon) <= 8:
        return None
    sides = [(polygon[i], polygon[(i + 1) % len(polygon)]) for i in range(len(polygon))]
    best, best_area = None, np.inf
    for chosen in itertools.combinations(range(len(sides)), 4):
        corners = [_intersection(sides[a], sides[b]) for a, b in zip(chosen, chosen[1:] + chosen[:1])]
        if any(corner is None for corner in corners):
            continue
        quad = np.array(corners)
        if _signed_area(quad) < 0:
            quad = quad[::-1]
        area = _signed_area(quad)
        outline = quad.astype(np.float32).reshape(-1, 1, 2)
        if (0 < area < best_area and cv2.isContourConvex(outline)
                and all(cv2.pointPolygonTest(outline, tuple(point), True) >= -2 for point in polygon)):
            best, best_area = quad, area
    return best


def _intersection(first: tuple[np.ndarray, np.ndarray], second: tuple[np.ndarray, np.ndarray]) -> np.ndarray | None:
    (p, p2), (q, q2) = first, second
    r, s = p2 - p, q2 - q
    denominator = r[0] * s[1] - r[1] * s[0]
    if abs(denominator) < 1e-9:
        return None
    t = ((q - p)[0] * s[1] - (q - p)[1] * s[0]) / denominator
    return p + t * r


def _signed_area(quad: Quad) -> float:
    x, y = quad[:, 0], quad[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) / 2


def _card_shaped(quad: Quad, hull: np.ndarray, min_side: float) -> bool:
    """Tell whether a quadrilateral is of a card's proportions, large enough and filled by the region's hull."""
    sides = np.hypot(*(np.roll(quad, -1, axis=0) - quad).T)
    long_side, short_side = (sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2
    if short_side > long_side:
        long_side, short_side = short_side, long_side
    area = _signed_area(quad)
    return (short_side >= min_side and MIN_ASPECT <= long_side / short_side <= MAX_ASPECT
            and cv2.contourArea(hull) >= MIN_COVER * area)


def _printed_ink(gray: Image.Image, mapping: CardMapping) -> float:
    scale = min(PRINTED_PIXELS_PER_MM, mapping.pixels_per_mm())
    return ink.ink_fraction(crop(gray, mapping, PRINTED_CORNER, scale), scale)
