"""Handwriting images on paper: a stored card image made small enough to print many of them."""
import io
import logging
from pathlib import Path

from PIL import Image
from reportlab.lib.units import inch
from reportlab.platypus import Image as ImageFlowable

log = logging.getLogger(__name__)

# 200 dpi keeps pen strokes sharp on an office printer. A stored image is up to 800 px wide, which
# is more than 200 dpi needs at the width of a table column, so most images are scaled down.
PRINT_DPI = 200
# reportlab embeds JPEG data as it is (DCTDecode). Any other format would go in as raw pixels
# compressed with zlib, several times larger for a scanned card.
JPEG_QUALITY = 75


def handwriting_image(path: Path, max_width: float, max_height: float) -> ImageFlowable | None:
    """Return a stored handwriting image as a flowable that fits the box (in points), or None if it cannot be read.

    The image keeps its aspect ratio and is re-encoded as a JPEG. Pixels beyond ``PRINT_DPI`` at the
    printed size are dropped, but a smaller image is printed as it is, never resampled up.
    """
    try:
        with Image.open(path) as stored:
            picture = stored.convert('RGB')
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        log.warning('failed to read handwriting image %s, so the minutes print its note without it: %s',
                    path.name, error)
        return None

    scale = min(max_width / picture.width, max_height / picture.height)
    width, height = picture.width * scale, picture.height * scale
    pixels = (max(1, round(width / inch * PRINT_DPI)), max(1, round(height / inch * PRINT_DPI)))
    if pixels[0] < picture.width:
        # BOX averages the pixels each new pixel covers, which is all a reduction needs. On scanned
        # cards it looks the same as LANCZOS in print and takes half the time.
        picture = picture.resize(pixels, Image.Resampling.BOX)
    buffer = io.BytesIO()
    picture.save(buffer, format='JPEG', quality=JPEG_QUALITY, optimize=True)
    buffer.seek(0)
    return ImageFlowable(buffer, width=width, height=height, hAlign='LEFT')
