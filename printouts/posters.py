"""Join posters: an A4 sheet with a large join QR code, for the venue's walls and the city's notices."""
import io

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from workshop import urls
from workshop.i18n import translate
from workshop.model import Session, Workshop

from .qr import draw_qr
from .text import markup, style

MARGIN = 15 * mm
QR_SIZE = 105 * mm  # with the quiet zone, so the code itself is 82 mm wide at version 3 and wider at higher versions
TEXT_GREY = Color(0.25, 0.25, 0.25)


def join_poster_pdf(workshop: Workshop, session: Session | None, public_url: str, language: str = 'ja') -> bytes:
    """Return an A4 poster that invites people to join the workshop, or one session, by its QR code."""
    token = session.join_token if session else workshop.join_token
    link = urls.join_url(public_url, token)

    def label(key: str, **params: object) -> str:
        return translate(language, key, **params)

    story: list[Flowable] = [Paragraph(markup(workshop.title), _STYLES['title'])]
    if session:
        story.append(Paragraph(markup(f'{session.letter}　{session.name}'), _STYLES['session']))
    question = session.question if session else workshop.question
    if question:
        story.append(Paragraph(markup(question), _STYLES['question']))
    story += [
        Spacer(1, 4 * mm),
        Paragraph(markup(label('print.poster.invitation')), _STYLES['invitation']),
        _QrCode(urls.qr_text(link), QR_SIZE),
        Paragraph(markup(label('print.poster.link_label')), _STYLES['small']),
        Paragraph(markup(link), _STYLES['link']),
        Spacer(1, 4 * mm),
        Paragraph(markup(label('print.poster.steps')), _STYLES['steps']),
        Paragraph(markup(label('print.poster.anonymous')), _STYLES['small']),
    ]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
        title=label('print.poster.title', title=workshop.title), author=label('print.author'),
        creator=label('print.author'), lang=language,
    )
    document.build(story)
    return buffer.getvalue()


class _QrCode(Flowable):
    """A QR code centred in the frame, drawn as vector squares."""

    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        self.text = text
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.text, (self.width - self.size) / 2, 0, self.size)


_STYLES = {
    'title': style('poster-title', 30, leading=40, alignment=TA_CENTER),
    'session': style('poster-session', 22, leading=30, alignment=TA_CENTER, spaceBefore=2 * mm),
    'question': style('poster-question', 17, leading=25, alignment=TA_CENTER, textColor=TEXT_GREY,
                      spaceBefore=4 * mm),
    'invitation': style('poster-invitation', 24, leading=32, alignment=TA_CENTER),
    'link': style('poster-link', 13, leading=18, alignment=TA_CENTER),
    'steps': style('poster-steps', 19, leading=32, alignment=TA_LEFT, leftIndent=12 * mm),
    'small': style('poster-small', 14, leading=20, alignment=TA_CENTER, textColor=TEXT_GREY, spaceBefore=2 * mm),
}
