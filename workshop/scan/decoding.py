"""Finding QR codes on a page with zxing-cpp, with a second pass on a 2× enlargement for small codes."""
import logging
from dataclasses import dataclass

import zxingcpp
from PIL import Image

log = logging.getLogger(__name__)

Point = tuple[float, float]

# A page whose codes come out smaller than this many pixels per module gets the enlarged second pass,
# because zxing-cpp misses codes with modules of about 3 px and less.
SMALL_MODULE_PIXELS = 4.0
# The enlarged pass is skipped above this size, so a second pass never costs more than a 600 dpi page.
MAX_UPSCALED_PIXELS = 40_000_000


@dataclass(frozen=True)
class Code:
    """A decoded QR code: its text, its version and its corners in page pixels.

    The corners are the symbol's outer corners without the quiet zone, in the symbol's own order:
    top left, top right, bottom right, bottom left, whichever way the page is turned.
    """

    text: str
    version: int
    corners: tuple[Point, Point, Point, Point]

    @property
    def module_pixels(self) -> float:
        """Return the mean length of a module's side in pixels."""
        (x0, y0), (x1, y1), _, (x3, y3) = self.corners
        side = (((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 + ((x3 - x0) ** 2 + (y3 - y0) ** 2) ** 0.5) / 2
        return side / (17 + 4 * self.version)


def find_codes(gray: Image.Image) -> list[Code]:
    """Return every QR code on a grayscale page, each once."""
    codes = _decode(gray, 1.0)
    small = not codes or min(code.module_pixels for code in codes) < SMALL_MODULE_PIXELS
    if small and gray.width * gray.height * 4 <= MAX_UPSCALED_PIXELS:
        enlarged = gray.resize((gray.width * 2, gray.height * 2), Image.Resampling.BILINEAR)
        codes = _merge(codes, _decode(enlarged, 0.5))
    return codes


def bare_decode(gray: Image.Image) -> list[str]:
    """Return the texts that one plain zxing-cpp pass finds, the baseline that benchmarks compare against."""
    return [result.text for result in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)]


def _decode(gray: Image.Image, scale: float) -> list[Code]:
    codes = []
    for result in zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode):
        if not result.valid:
            continue
        position = result.position
        corners = tuple((point.x * scale, point.y * scale) for point in
                        (position.top_left, position.top_right, position.bottom_right, position.bottom_left))
        version = _version(result)
        if version is None:
            log.warning('QR code without a version in its metadata skipped: %r', result.extra)
            continue
        codes.append(Code(text=result.text, version=version, corners=corners))  # type: ignore[arg-type]
    return codes


def _version(result: zxingcpp.Barcode) -> int | None:
    try:
        return int(result.extra.get('Version', ''))
    except (AttributeError, TypeError, ValueError):
        return None


def _merge(first: list[Code], second: list[Code]) -> list[Code]:
    """Add the codes of the second pass that the first did not find; one text may sit on a page twice."""
    merged = list(first)
    for code in second:
        if not any(other.text == code.text and _near(other, code) for other in merged):
            merged.append(code)
    return merged


def _near(a: Code, b: Code) -> bool:
    (ax, ay), (bx, by) = a.corners[0], b.corners[0]
    return abs(ax - bx) + abs(ay - by) < 10 * a.module_pixels
