"""Card positions on an A4 sheet, and the positions of the QR code and writing area on a card.

Printing draws by these numbers and scanning crops by them, so both read this one definition.
All lengths are millimetres; x grows to the right and y grows downwards from the top-left corner
of the sheet or the card.
"""
from dataclasses import dataclass

PAGE_WIDTH = 210.0
PAGE_HEIGHT = 297.0

CARD_WIDTH = 91.0
CARD_HEIGHT = 55.0
COLUMNS = 2
ROWS = 5
CARDS_PER_SHEET = COLUMNS * ROWS

# 10-up business-card stock (A-one マルチカード 10面, for example 31514) has the ten cards edge to
# edge, centred on A4: (210 - 2 × 91) / 2 = 14 mm at the sides and (297 - 5 × 55) / 2 = 11 mm at top
# and bottom.
# NOTE: derived from the stock's card size and centring, not measured on a physical sheet.
SHEET_LEFT = (PAGE_WIDTH - COLUMNS * CARD_WIDTH) / 2
SHEET_TOP = (PAGE_HEIGHT - ROWS * CARD_HEIGHT) / 2

# Version 3 is the smallest QR version that fits a LAN card URL, and forcing it keeps the printed code at
# least 20 mm wide even when a short public URL would fit in version 2.
QR_MIN_VERSION = 3
QR_QUIET_MODULES = 4


@dataclass(frozen=True)
class Rect:
    """A rectangle in millimetres from a top-left origin."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def moved(self, dx: float, dy: float) -> 'Rect':
        return Rect(self.x + dx, self.y + dy, self.width, self.height)


MARGIN = 4.0
QR_BOX = Rect(CARD_WIDTH - MARGIN - 26.0, MARGIN, 26.0, 26.0)  # the QR code with its quiet zone
CODE_BOX = Rect(QR_BOX.x, QR_BOX.bottom + 1.0, QR_BOX.width, 7.0)  # the card code, for a damaged QR code
HINT_BOX = Rect(QR_BOX.x, CODE_BOX.bottom + 0.5, QR_BOX.width, CARD_HEIGHT - MARGIN - CODE_BOX.bottom - 0.5)
NAME_BOX = Rect(MARGIN, MARGIN, QR_BOX.x - 2 * MARGIN + 1.0, 5.5)
QUESTION_BOX = Rect(MARGIN, NAME_BOX.bottom + 0.5, NAME_BOX.width, 7.5)
WRITING_AREA = Rect(MARGIN, QUESTION_BOX.bottom + 1.5, NAME_BOX.width, CARD_HEIGHT - MARGIN - QUESTION_BOX.bottom - 1.5)


def card_origin(index: int) -> tuple[float, float]:
    """Return the top-left corner of the card at this 0-based place on a sheet, filled row by row."""
    if not 0 <= index < CARDS_PER_SHEET:
        raise ValueError(f'card index {index} is outside 0..{CARDS_PER_SHEET - 1}')
    row, column = divmod(index, COLUMNS)
    return SHEET_LEFT + column * CARD_WIDTH, SHEET_TOP + row * CARD_HEIGHT


def card_rect(index: int) -> Rect:
    """Return the card at this place on a sheet, in sheet coordinates."""
    x, y = card_origin(index)
    return Rect(x, y, CARD_WIDTH, CARD_HEIGHT)
