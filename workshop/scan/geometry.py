"""From a QR code's corners to a card's millimetres: the homography, and upright crops of the card.

The layout fixes where the QR code sits on a card (workshop/layout.py), so the four corners that
the decoder reports give a homography from card millimetres to page pixels. It straightens
rotation, skew and a phone's perspective alike. Crops are drawn with Pillow's perspective
transform, which computes only the output pixels, so a crop costs the same on a 600 dpi page as
on a 200 dpi one.
"""
from dataclasses import dataclass

import numpy as np
from PIL import Image

from workshop import layout
from workshop.layout import Rect

from .decoding import Code, Point


@dataclass(frozen=True)
class CardMapping:
    """A homography from one card's millimetres to page pixels."""

    matrix: np.ndarray  # 3 × 3, maps (x mm, y mm, 1) to homogeneous page pixels

    def to_page(self, x: float, y: float) -> Point:
        """Return the page pixel of a point on the card given in millimetres."""
        u, v, w = self.matrix @ np.array([x, y, 1.0])
        return float(u / w), float(v / w)

    def pixels_per_mm(self) -> float:
        """Return the scale near the QR code, the mean of its sides' lengths in pixels per millimetre."""
        box = layout.QR_BOX
        corners = [self.to_page(box.x, box.y), self.to_page(box.right, box.y), self.to_page(box.right, box.bottom)]
        sides = [np.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(corners, corners[1:])]
        return float(np.mean(sides) / box.width)

    def moved(self, dx: float, dy: float) -> 'CardMapping':
        """Return the mapping of a frame whose origin is at (dx, dy) in this one's millimetres."""
        shift = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])
        return CardMapping(self.matrix @ shift)


def card_mapping(code: Code) -> CardMapping:
    """Return the homography that puts the QR code's printed corners on the corners the decoder found."""
    return CardMapping(homography(symbol_corners_mm(code.version), code.corners))


def symbol_corners_mm(version: int) -> list[Point]:
    """Return where a card's QR symbol of this version has its corners, in card millimetres.

    printouts/qr.py fits the symbol and its quiet zone into QR_BOX, so the module size follows from
    the version.
    """
    box = layout.QR_BOX
    modules = 17 + 4 * version
    module = box.width / (modules + 2 * layout.QR_QUIET_MODULES)
    left = box.x + layout.QR_QUIET_MODULES * module
    top = box.y + layout.QR_QUIET_MODULES * module
    size = modules * module
    return [(left, top), (left + size, top), (left + size, top + size), (left, top + size)]


def homography(source: list[Point] | tuple[Point, ...], target: list[Point] | tuple[Point, ...]) -> np.ndarray:
    """Return the 3 × 3 matrix that maps four source points onto four target points."""
    rows, values = [], []
    for (x, y), (u, v) in zip(source, target):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    solution = np.linalg.solve(np.array(rows, dtype=float), np.array(values, dtype=float))
    return np.append(solution, 1.0).reshape(3, 3)


def crop(page: Image.Image, mapping: CardMapping, area: Rect, pixels_per_mm: float) -> Image.Image:
    """Return the card's rectangle ``area`` (in card mm) as an upright image at ``pixels_per_mm``."""
    width = max(1, round(area.width * pixels_per_mm))
    height = max(1, round(area.height * pixels_per_mm))
    # Output pixel (i, j) is at card mm (area.x + i / s, area.y + j / s); compose that with the homography.
    to_mm = np.array([[1 / pixels_per_mm, 0.0, area.x], [0.0, 1 / pixels_per_mm, area.y], [0.0, 0.0, 1.0]])
    matrix = mapping.matrix @ to_mm
    matrix = matrix / matrix[2, 2]
    coefficients = tuple(matrix.flatten()[:8])
    return page.transform((width, height), Image.Transform.PERSPECTIVE, coefficients,
                          resample=Image.Resampling.BILINEAR, fillcolor='white')


def inside(page: Image.Image, mapping: CardMapping, area: Rect, tolerance: float = 0.0) -> bool:
    """Tell whether the rectangle's four corners fall on the page, allowing ``tolerance`` of its size outside."""
    margin_x, margin_y = page.width * tolerance, page.height * tolerance
    for x, y in ((area.x, area.y), (area.right, area.y), (area.right, area.bottom), (area.x, area.bottom)):
        u, v = mapping.to_page(x, y)
        if not (-margin_x <= u <= page.width + margin_x and -margin_y <= v <= page.height + margin_y):
            return False
    return True
