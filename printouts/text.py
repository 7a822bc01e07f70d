"""Japanese text on paper: paragraph styles, escaping, and fitting text into a fixed box."""
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from .fonts import printable, register_font

ELLIPSIS = '…'
LEADING_RATIO = 1.3  # line spacing as a multiple of the type size, looser than Latin's usual 1.2 for dense kanji


def style(name: str, size: float, **options: object) -> ParagraphStyle:
    """Return a paragraph style in the embedded font that wraps Japanese between any two characters.

    ``wordWrap='CJK'`` also applies the line-start rules, so 、。） never begin a line.
    """
    options.setdefault('leading', size * LEADING_RATIO)
    return ParagraphStyle(name, fontName=register_font(), fontSize=size, wordWrap='CJK', **options)


def markup(text: str) -> str:
    """Return the text as paragraph markup that prints literally: entities escaped, line breaks kept."""
    return escape(printable(text)).replace('\n', '<br/>')


def fitted_paragraph(text: str, base: ParagraphStyle, width: float, height: float,
                     min_size: float) -> Paragraph:
    """Return a paragraph of the text that fits the box, shrinking the type down to ``min_size``.

    Text that is still too long at ``min_size`` is cut and ends with an ellipsis, because a printed
    box cannot grow. The full text stays in the database and in the minutes.
    """
    size = base.fontSize
    while size >= min_size:
        paragraph = _paragraph(text, base, size)
        if paragraph.wrap(width, height)[1] <= height:
            return paragraph
        size -= 0.5
    return _shortened(text, base, min_size, width, height)


def draw_in_box(canvas: Canvas, paragraph: Paragraph, x: float, top: float, width: float,
                height: float | None = None) -> None:
    """Draw a paragraph with its top edge at ``top``, centred vertically when a height is given."""
    _, used = paragraph.wrap(width, height or 10_000)
    offset = (height - used) / 2 if height else 0
    paragraph.drawOn(canvas, x, top - offset - used)


def draw_heavy_line(canvas: Canvas, text: str, x: float, baseline: float, size: float,
                    centre_width: float | None = None) -> None:
    """Draw one line of text thickened by an outline, since IPAexGothic has no bold face."""
    canvas.saveState()
    canvas.setFont(register_font(), size)
    canvas.setLineWidth(size * 0.03)
    shown = printable(text)
    if centre_width is not None:
        x += (centre_width - canvas.stringWidth(shown, register_font(), size)) / 2
    canvas.drawString(x, baseline, shown, mode=2)  # mode 2 fills and strokes the glyphs
    canvas.restoreState()


def _paragraph(text: str, base: ParagraphStyle, size: float) -> Paragraph:
    # Keep the base style's ratio of leading to type size as the type shrinks.
    leading = size * base.leading / base.fontSize
    sized = ParagraphStyle(f'{base.name}-{size}', parent=base, fontSize=size, leading=leading)
    return Paragraph(markup(text), sized)


def _shortened(text: str, base: ParagraphStyle, size: float, width: float, height: float) -> Paragraph:
    """Return the longest prefix of the text, plus an ellipsis, that fits the box (binary search)."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if _paragraph(text[:middle] + ELLIPSIS, base, size).wrap(width, height)[1] <= height:
            low = middle
        else:
            high = middle - 1
    return _paragraph(text[:low].rstrip() + ELLIPSIS, base, size)
