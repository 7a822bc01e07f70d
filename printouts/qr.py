"""QR codes: drawn into a PDF as vector squares, or rendered as a PNG for a web page."""
from __future__ import annotations

import io
from typing import TYPE_CHECKING

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from workshop.layout import QR_MIN_VERSION, QR_QUIET_MODULES

if TYPE_CHECKING:  # the board imports qr_png at startup, which should not load reportlab
    from reportlab.pdfgen.canvas import Canvas


def qr_png(text: str, module_pixels: int = 10) -> bytes:
    """Return a PNG of the QR code for the text, quiet zone included, ``module_pixels`` per module."""
    code = _make(text)
    code.box_size = module_pixels
    buffer = io.BytesIO()
    code.make_image().save(buffer, format='PNG')
    return buffer.getvalue()


def draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> float:
    """Draw the QR code for the text into the square whose bottom-left corner is (x, y) in points.

    The square includes the quiet zone, which is left unpainted so that the caller can keep it free of
    text. Returns the module size in points.
    """
    modules = qr_modules(text)
    count = len(modules)
    module = size / (count + 2 * QR_QUIET_MODULES)
    left = x + QR_QUIET_MODULES * module
    top = y + size - QR_QUIET_MODULES * module

    # One path for all dark modules, so a renderer fills them as one shape with no hairline seams
    # between neighbouring squares.
    path = canvas.beginPath()
    for row, cells in enumerate(modules):
        for start, length in _dark_runs(cells):
            path.rect(left + start * module, top - (row + 1) * module, length * module, module)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
    return module


def qr_modules(text: str) -> list[list[bool]]:
    """Return the QR code's modules row by row, without the quiet zone, with True for a dark module."""
    return _make(text).modules


def _make(text: str) -> qrcode.QRCode:
    """Build the code at error correction M and at least version QR_MIN_VERSION, so it prints large."""
    code = qrcode.QRCode(version=QR_MIN_VERSION, error_correction=ERROR_CORRECT_M, border=QR_QUIET_MODULES)
    code.add_data(text)
    code.make(fit=True)  # grows past the minimum version when the text needs more room
    return code


def _dark_runs(cells: list[bool | None]) -> list[tuple[int, int]]:
    """Return (start, length) of each run of dark modules in a row."""
    runs = []
    start = None
    for index, dark in enumerate([*cells, False]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            runs.append((start, index - start))
            start = None
    return runs
