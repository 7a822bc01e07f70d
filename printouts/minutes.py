"""Minutes (記録): the workshop's header, its counts, and every session's notes as tables."""
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

from babel.dates import format_date, format_datetime
from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from workshop.i18n import translate
from workshop.model import Note, NoteStatus, Session, Source, Workshop
from workshop.scans_store import ScanStore
from workshop.store import Store

from .fonts import has_missing_glyphs, printable, register_font
from .handwriting import handwriting_image
from .pages import footer_canvas_maker
from .text import markup, style

MARGIN = 18 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN
RULE_GREY = Color(0.55, 0.55, 0.55)
LABEL_FILL = Color(0.92, 0.92, 0.92)
# The columns are number, source, note text and time, and the note text takes the width the others leave.
NOTE_COLUMNS = (12 * mm, 32 * mm, FRAME_WIDTH - 60 * mm, 16 * mm)
CELL_PADDING = 6  # pt, reportlab's default left and right padding of a table cell
# A card's writing area is 54 × 32 mm, so 50 mm prints the handwriting at close to the size it was
# written. That fits seven cards on a page and leaves about 55 mm beside the image for the typed text.
# A photo or a whole scanned page assigned to a card is taller, so the height limit keeps its row short.
HANDWRITING_BOX = (50 * mm, 40 * mm)
HANDWRITING_GAP = 4 * mm


def workshop_minutes_pdf(store: Store, workshop: Workshop, language: str = 'ja') -> bytes:
    """Return the minutes of a whole workshop as stored, with the handwriting of its scanned cards."""
    notes = store.notes(workshop.id)
    scans = ScanStore(store)
    image_files = {}
    for note in notes:
        path = scans.image_path(workshop.id, note.image_id) if note.image_id is not None else None
        if path is not None:
            image_files[note.image_id] = path
    return minutes_pdf(workshop, store.sessions(workshop.id), notes, store.participant_count(workshop.id), language,
                       image_files=image_files)


def minutes_pdf(workshop: Workshop, sessions: Sequence[Session], notes: Sequence[Note], participant_count: int,
                language: str = 'ja', generated_at: datetime | None = None,
                image_files: Mapping[int, Path] | None = None) -> bytes:
    """Return the minutes of a workshop, or of the sessions given, as an A4 PDF.

    ``image_files`` maps a note's ``image_id`` to the stored file of its handwriting image. Only
    visible notes' images are read. A note whose image is not in it, or cannot be read, prints its
    typed text alone, or a notice when it has none.

    :raises ValueError: if a note belongs to a session that is not among ``sessions``
    """
    session_ids = {session.id for session in sessions}
    strays = sorted({note.session_id for note in notes if note.session_id not in session_ids})
    if strays:
        raise ValueError(f'notes of sessions {strays} were passed without those sessions')
    generated_at = generated_at or datetime.now().astimezone()
    # Held and hidden notes are counted but never printed: they may carry personal data.
    withheld = sum(1 for note in notes if note.status is not NoteStatus.VISIBLE)
    notes = [note for note in notes if note.status is NoteStatus.VISIBLE]

    def label(key: str, **params: object) -> str:
        return translate(language, key, **params)

    story: list[Flowable] = [
        Paragraph(markup(label('print.minutes.title', title=workshop.title)), _STYLES['title']),
        Spacer(1, 6 * mm),
        _header_table(workshop, notes, participant_count, withheld, language),
    ]
    if any(has_missing_glyphs(note.text) for note in notes):
        story += [Spacer(1, 2 * mm), Paragraph(markup(label('print.minutes.missing_glyphs')), _STYLES['small'])]
    for session in sessions:
        session_notes = [note for note in notes if note.session_id == session.id]
        story += _session_section(session, session_notes, language, image_files or {})

    generated = label('print.minutes.generated',
                      when=format_datetime(generated_at, label('print.datetime_format'), locale=language))

    def draw_footer(canvas: Canvas, page: int, pages: int) -> None:
        _draw_footer(canvas, workshop.title, generated, label('print.minutes.page', page=page, pages=pages))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm,
        title=label('print.minutes.title', title=workshop.title), subject=label('print.minutes.subject'),
        author=label('print.author'), creator=label('print.author'), lang=language,
    )
    document.build(story, canvasmaker=footer_canvas_maker(draw_footer))
    return buffer.getvalue()


def _header_table(workshop: Workshop, notes: Sequence[Note], participant_count: int, withheld: int,
                  language: str) -> Table:
    """Build the label/value table of the workshop's facts and counts."""
    paper = sum(1 for note in notes if note.source == Source.PAPER)
    rows = [
        ('print.minutes.field.title', workshop.title),
        ('print.minutes.field.date', _format_day(workshop.date, language)),
        ('print.minutes.field.venue', workshop.venue),
        ('print.minutes.field.question', workshop.question),
        ('print.minutes.field.notes', translate(language, 'print.minutes.note_count',
                                                total=len(notes), paper=paper, online=len(notes) - paper)),
        ('print.minutes.field.participants', translate(language, 'print.minutes.participant_count',
                                                       count=participant_count)),
    ]
    if withheld:
        rows.append(('print.minutes.field.withheld', translate(language, 'print.minutes.withheld_count',
                                                               count=withheld)))
    data = [[Paragraph(markup(translate(language, key)), _STYLES['label']), Paragraph(markup(value), _STYLES['body'])]
            for key, value in rows]
    table = Table(data, colWidths=(42 * mm, FRAME_WIDTH - 42 * mm))
    table.setStyle(TableStyle([
        ('GRID', (0, 0), (-1, -1), 0.5, RULE_GREY),
        ('BACKGROUND', (0, 0), (0, -1), LABEL_FILL),
        ('VALIGN', (0, 0), (-1, -1), 'MIDDLE'),
        ('TOPPADDING', (0, 0), (-1, -1), 4),
        ('BOTTOMPADDING', (0, 0), (-1, -1), 5),
    ]))
    return table


def _session_section(session: Session, notes: list[Note], language: str,
                     image_files: Mapping[int, Path]) -> list[Flowable]:
    """Build a session's heading, its question and the table of its notes."""
    heading = translate(language, 'print.minutes.session_heading',
                        letter=session.letter, name=session.name, count=len(notes))
    # Start a new page rather than leave a heading alone at the foot of one.
    section: list[Flowable] = [CondPageBreak(45 * mm), Spacer(1, 6 * mm), Paragraph(markup(heading), _STYLES['heading'])]
    if session.question:
        question = translate(language, 'print.minutes.session_question', question=session.question)
        section.append(Paragraph(markup(question), _STYLES['question']))
    if not notes:
        section.append(Paragraph(markup(translate(language, 'print.minutes.no_notes')), _STYLES['body']))
        return section
    section.append(_notes_table(notes, language, image_files))
    return section


def _notes_table(notes: list[Note], language: str, image_files: Mapping[int, Path]) -> Table:
    """Build the notes table, whose header row repeats on every page the table runs onto."""
    header = [Paragraph(markup(translate(language, f'print.minutes.column.{column}')), _STYLES['column'])
              for column in ('number', 'source', 'text', 'time')]
    rows = [[Paragraph(str(number), _STYLES['cell_right']),
             Paragraph(markup(_source_label(note, language)), _STYLES['cell']),
             _text_cell(note, language, image_files),
             Paragraph(_format_time(note.created_at), _STYLES['cell'])]
            for number, note in enumerate(notes, start=1)]
    table = Table([header, *rows], colWidths=NOTE_COLUMNS, repeatRows=1)
    table.setStyle(TableStyle([
        ('GRID', (0, 0), (-1, -1), 0.5, RULE_GREY),
        ('BACKGROUND', (0, 0), (-1, 0), LABEL_FILL),
        ('VALIGN', (0, 0), (-1, -1), 'TOP'),
        ('TOPPADDING', (0, 0), (-1, -1), 3),
        ('BOTTOMPADDING', (0, 0), (-1, -1), 4),
    ]))
    return table


def _text_cell(note: Note, language: str, image_files: Mapping[int, Path]) -> Flowable:
    """Build the note's cell: its handwriting image with the typed text beside it, or the text alone."""
    image = None
    if note.image_id is not None and note.image_id in image_files:
        image = handwriting_image(image_files[note.image_id], *HANDWRITING_BOX)
    if image is None and note.needs_transcription:
        return Paragraph(markup(translate(language, 'print.minutes.handwriting_only')), _STYLES['cell'])
    text = Paragraph(markup(note.text), _STYLES['body'])
    if image is None:
        return text
    if not note.text:
        return image
    # A borderless table inside the cell puts the text beside the image, top-aligned with it.
    beside = NOTE_COLUMNS[2] - 2 * CELL_PADDING - HANDWRITING_BOX[0] - HANDWRITING_GAP
    layout = Table([[image, text]], colWidths=(HANDWRITING_BOX[0] + HANDWRITING_GAP, beside), hAlign='LEFT')
    layout.setStyle(TableStyle([
        ('VALIGN', (0, 0), (-1, -1), 'TOP'),
        ('LEFTPADDING', (0, 0), (-1, -1), 0),
        ('RIGHTPADDING', (0, 0), (-1, -1), 0),
        ('TOPPADDING', (0, 0), (-1, -1), 0),
        ('BOTTOMPADDING', (0, 0), (-1, -1), 0),
    ]))
    return layout


def _source_label(note: Note, language: str) -> str:
    """Return 紙 with the card code, or オンライン with the nickname (匿名 when there is none), on two lines."""
    if note.source == Source.PAPER:
        return f'{translate(language, "print.source.paper")}\n{note.card_code or ""}'.strip()
    who = note.nickname or translate(language, 'print.source.anonymous')
    return f'{translate(language, "print.source.online")}\n{who}'


def _format_day(value: str, language: str) -> str:
    """Return an ISO date in the language's long form; any other text is printed as it was typed."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return value
    return format_date(day, translate(language, 'print.date_format'), locale=language)


def _format_time(created_at: str) -> str:
    """Return HH:MM in the time zone the note was stored with, which is the venue's."""
    try:
        return datetime.fromisoformat(created_at).strftime('%H:%M')
    except ValueError:
        return ''


def _draw_footer(canvas: Canvas, title: str, generated: str, page_label: str) -> None:
    """Draw the workshop title, the page number and the generation time along the bottom margin."""
    font = register_font()
    baseline = MARGIN - 2 * mm
    canvas.saveState()
    canvas.setFont(font, 8)
    canvas.setFillColor(RULE_GREY)
    canvas.setStrokeColor(RULE_GREY)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN, baseline + 10, A4[0] - MARGIN, baseline + 10)
    canvas.drawString(MARGIN, baseline, printable(title)[:40])
    canvas.drawRightString(A4[0] - MARGIN, baseline, printable(generated))
    canvas.setFont(font, 9)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawCentredString(A4[0] / 2, baseline, page_label)
    canvas.restoreState()


_STYLES = {
    'title': style('minutes-title', 18, alignment=TA_CENTER, leading=24),
    'heading': style('minutes-heading', 13, leading=17, spaceAfter=2),
    'question': style('minutes-question', 10, spaceAfter=3 * mm),
    'label': style('minutes-label', 9.5),
    'column': style('minutes-column', 9, alignment=TA_CENTER),
    'body': style('minutes-body', 10),
    'cell': style('minutes-cell', 8.5),
    'cell_right': style('minutes-cell-right', 8.5, alignment=TA_RIGHT),
    'small': style('minutes-small', 8),
}
