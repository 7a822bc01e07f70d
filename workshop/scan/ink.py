"""Telling a written card from a blank one by the ink in its writing area."""
import numpy as np
from PIL import Image, ImageFilter

# Share of the inset writing area that must be ink for a card to count as written. On the generated
# corpus (bench/scan_corpus.py, 2026-12-04) blank cards measured at most 0.08 % (a slanted phone photo),
# and the least ink on a written card was 0.37 %, a single 〇.
WRITTEN_FRACTION = 0.0025
# A pixel is ink when it is this much darker than the paper around it.
INK_RATIO = 0.72


def ink_fraction(gray: Image.Image, pixels_per_mm: float) -> float:
    """Return the share of pixels that are clearly darker than the paper around them."""
    values = np.asarray(flatten_lighting(gray, pixels_per_mm), dtype=np.uint8)
    return float(np.count_nonzero(values < 255 * INK_RATIO)) / max(1, values.size)


def is_written(gray: Image.Image, pixels_per_mm: float) -> bool:
    """Tell whether an inset writing area carries enough ink to be a written card."""
    return ink_fraction(gray, pixels_per_mm) >= WRITTEN_FRACTION


def flatten_lighting(image: Image.Image, pixels_per_mm: float) -> Image.Image:
    """Divide an image by its local paper brightness, so shadows and uneven light turn white and ink stays dark.

    The paper brightness comes from a 2 px/mm copy: a 3.5 mm maximum filter wipes out pen strokes
    (a felt pen draws about 1 mm), and a blur smooths the result before it is enlarged back.
    """
    gray = image.convert('L')
    factor = max(1, int(pixels_per_mm / 2))
    small = gray.reduce(factor) if factor > 1 else gray
    paper = small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(3))
    paper = paper.resize(gray.size, Image.Resampling.BILINEAR)
    paper_values = np.maximum(np.asarray(paper, dtype=np.float32), 1.0)
    if image.mode == 'L':
        ratio = np.asarray(gray, dtype=np.float32) / paper_values
    else:
        ratio = np.asarray(image.convert('RGB'), dtype=np.float32) / paper_values[..., None]
    return Image.fromarray(np.clip(ratio * 255, 0, 255).astype(np.uint8))
