"""Card sheets: A4 pages of ten 91 × 55 mm cards, each with its QR code, code and writing area."""
import io
from collections.abc import Sequence

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from workshop import layout, urls
from workshop.i18n import translate
from workshop.layout import Rect
from workshop.model import Card, Session, Workshop

from .fonts import printable, register_font
from .qr import draw_qr
from .text import draw_heavy_line, draw_in_box, fitted_paragraph, style

CUT_GUIDE_GREY = Color(0.78, 0.78, 0.78)
FRAME_GREY = Color(0.65, 0.65, 0.65)
TEXT_GREY = Color(0.3, 0.3, 0.3)
CUT_GUIDE_OVERHANG = 4.0  # mm the cut guides reach past the outer cards, to line up a ruler
CORNER_MARK = 3.0  # mm of each arm of a writing area's corner marks


def card_sheets_pdf(workshop: Workshop, sessions: Sequence[Session], cards: Sequence[Card],
                    public_url: str, language: str = 'ja') -> bytes:
    """Return a PDF of the cards, ten to an A4 page, in the order given.

    :raises ValueError: if there are no cards, or a card's session is not among ``sessions``
    """
    if not cards:
        raise ValueError('no cards to print: create cards for a session first')
    by_id = {session.id: session for session in sessions}
    missing = sorted({card.code for card in cards if card.session_id not in by_id})
    if missing:
        raise ValueError(f'cards {", ".join(missing)} belong to sessions that were not passed in')

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(translate(language, 'print.cards.title', title=workshop.title))
    canvas.setSubject(translate(language, 'print.cards.subject'))
    canvas.setAuthor(translate(language, 'print.author'))
    canvas.setCreator(translate(language, 'print.author'))
    for first in range(0, len(cards), layout.CARDS_PER_SHEET):
        page = cards[first:first + layout.CARDS_PER_SHEET]
        _draw_cut_guides(canvas)
        for index, card in enumerate(page):
            origin_x, origin_y = layout.card_origin(index)
            _draw_card(canvas, card, by_id[card.session_id], public_url, language, origin_x, origin_y)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_card(canvas: Canvas, card: Card, session: Session, public_url: str, language: str,
               origin_x: float, origin_y: float) -> None:
    """Draw one card whose top-left corner is at (origin_x, origin_y) mm on the sheet."""
    def box(rect: Rect) -> Rect:
        return rect.moved(origin_x, origin_y)

    qr_box = box(layout.QR_BOX)
    draw_qr(canvas, urls.qr_text(urls.card_url(public_url, card.token)),
            qr_box.x * mm, _pdf_y(qr_box.bottom), qr_box.width * mm)

    _draw_name(canvas, session.name, box(layout.NAME_BOX))
    question = box(layout.QUESTION_BOX)
    # Tighter leading than body text, so three lines of a long question still fit the 7.5 mm box.
    question_style = style('card-question', 7.5, leading=7.5 * 1.2, textColor=TEXT_GREY)
    paragraph = fitted_paragraph(session.question, question_style, question.width * mm, question.height * mm,
                                 min_size=5.5)
    draw_in_box(canvas, paragraph, question.x * mm, _pdf_y(question.y), question.width * mm)

    code = box(layout.CODE_BOX)
    draw_heavy_line(canvas, card.code, code.x * mm, _pdf_y(code.bottom) + 1.6 * mm, 15,
                    centre_width=code.width * mm)

    hint = box(layout.HINT_BOX)
    hint_text = translate('ja', 'print.cards.hint')
    if language != 'ja':
        hint_text += '\n' + translate(language, 'print.cards.hint')
    paragraph = fitted_paragraph(hint_text, style('card-hint', 6.5, textColor=TEXT_GREY, alignment=TA_LEFT),
                                 hint.width * mm, hint.height * mm, min_size=4.5)
    draw_in_box(canvas, paragraph, hint.x * mm, _pdf_y(hint.y), hint.width * mm)

    _draw_writing_area(canvas, box(layout.WRITING_AREA))


def _draw_name(canvas: Canvas, name: str, box: Rect) -> None:
    """Draw the session name on one heavy line, or wrapped in regular weight when it is too long."""
    font_size = 10.0
    while font_size >= 7.5:
        if canvas.stringWidth(printable(name), register_font(), font_size) <= box.width * mm:
            draw_heavy_line(canvas, name, box.x * mm, _pdf_y(box.bottom) + 1.2 * mm, font_size)
            return
        font_size -= 0.5
    paragraph = fitted_paragraph(name, style('card-name', 7.5), box.width * mm, box.height * mm, min_size=5)
    draw_in_box(canvas, paragraph, box.x * mm, _pdf_y(box.y), box.width * mm, box.height * mm)


def _draw_writing_area(canvas: Canvas, area: Rect) -> None:
    """Draw a light frame with dark corner marks, which a scanner can find to crop the handwriting."""
    left, right = area.x * mm, area.right * mm
    top, bottom = _pdf_y(area.y), _pdf_y(area.bottom)
    arm = CORNER_MARK * mm
    canvas.saveState()
    canvas.setStrokeColor(FRAME_GREY)
    canvas.setLineWidth(0.4)
    canvas.rect(left, bottom, right - left, top - bottom, stroke=1, fill=0)
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(0.9)
    for x, y, dx, dy in ((left, top, 1, -1), (right, top, -1, -1), (left, bottom, 1, 1), (right, bottom, -1, 1)):
        canvas.lines([(x, y, x + dx * arm, y), (x, y, x, y + dy * arm)])
    canvas.restoreState()


def _draw_cut_guides(canvas: Canvas) -> None:
    """Draw faint lines along every card edge, so a sheet printed on plain paper can be cut by hand."""
    left, top = layout.SHEET_LEFT, layout.SHEET_TOP
    right = left + layout.COLUMNS * layout.CARD_WIDTH
    bottom = top + layout.ROWS * layout.CARD_HEIGHT
    overhang = CUT_GUIDE_OVERHANG
    canvas.saveState()
    canvas.setStrokeColor(CUT_GUIDE_GREY)
    canvas.setLineWidth(0.25)
    for row in range(layout.ROWS + 1):
        y = _pdf_y(top + row * layout.CARD_HEIGHT)
        canvas.line((left - overhang) * mm, y, (right + overhang) * mm, y)
    for column in range(layout.COLUMNS + 1):
        x = (left + column * layout.CARD_WIDTH) * mm
        canvas.line(x, _pdf_y(top - overhang), x, _pdf_y(bottom + overhang))
    canvas.restoreState()


def _pdf_y(y_mm: float) -> float:
    """Convert a distance from the page's top edge in mm to reportlab's y in points from the bottom."""
    return (layout.PAGE_HEIGHT - y_mm) * mm
