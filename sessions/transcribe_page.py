"""The transcription queue: staff and volunteers type the text of handwriting notes beside their images."""
import logging

from fastapi import Request
from nicegui import run, ui

from workshop.model import Note, Workshop
from workshop.scan import ocr
from workshop.scans_store import ScanStore
from workshop.store import NotFound
from workshop.text import InvalidText

from . import runtime
from .access import facilitator_workshop
from .texts import Texts, page_texts
from .theme import frame

log = logging.getLogger(__name__)

PAGE_SIZE = 20  # notes shown at once, so the page stays light while 300 cards wait


def register() -> None:
    ui.page('/f/{key}/transcribe')(transcribe_page)
    ui.page('/F/{key}/transcribe')(transcribe_page)
    ocr.log_availability()


def transcribe_page(key: str, request: Request):
    """Show the oldest handwriting notes without text, each with a box for its text."""
    t = page_texts(request)
    with frame(t, request, t('scan.transcribe.title')) as content:
        workshop = facilitator_workshop(key, t)  # the key, then the PIN when the workshop has one
    if not isinstance(workshop, Workshop):
        return workshop
    scans = ScanStore(runtime.store())
    queue = scans.transcription_queue(workshop.id)
    with content:
        ui.label(t('scan.transcribe.title')).classes('text-2xl font-bold')
        ui.link(t('scan.back'), f'/f/{key}').classes('underline')
        remaining = ui.label(t('scan.transcribe.remaining', count=len(queue))).classes('text-lg').mark('remaining')
        if not queue:
            ui.label(t('scan.transcribe.empty')).classes('fusen-muted').mark('queue-empty')
        rows = [_NoteRow(t, scans, workshop, key, note, remaining) for note in queue[:PAGE_SIZE]]
        if rows and ocr.engine() is not None:
            # A timer waits for the browser to connect and stops with the page.
            ui.timer(0, lambda: _suggest(rows), once=True)
    return None


async def _suggest(rows: list['_NoteRow']) -> None:
    """Pre-fill each row's empty text box with tesseract's reading, one card after the other."""
    for row in rows:
        if row.card.is_deleted or row.text.value:
            continue
        path = row.scans.image_path(row.workshop.id, row.note.image_id)
        suggestion = await run.io_bound(ocr.suggestion, path) if path else None
        if suggestion is not None and not row.card.is_deleted:
            row.offer(suggestion)


class _NoteRow:
    """One handwriting image with its text box and save button."""

    def __init__(self, t: Texts, scans: ScanStore, workshop: Workshop, key: str, note: Note, remaining: ui.label) -> None:
        self.t = t
        self.scans = scans
        self.workshop = workshop
        self.note = note
        self.remaining = remaining
        with ui.card().classes('fusen-card') as self.card:
            ui.label(t('scan.transcribe.card', code=note.card_code or '')).classes('font-bold')
            with ui.row().classes('w-full gap-4 items-start'):
                ui.image(f'/f/{key}/images/{note.image_id}.webp').classes('w-full max-w-md border rounded') \
                    .props('no-spinner fit=contain')
                with ui.column().classes('flex-grow gap-2 min-w-[16rem]'):
                    self.text = ui.textarea(t('scan.transcribe.label')) \
                        .props(f'outlined autogrow counter maxlength={scans.store.limits.note}') \
                        .classes('w-full').mark(f'transcript-{note.id}')
                    with ui.row(wrap=False).classes('items-start gap-1 text-amber-900') as self.suggested:
                        ui.icon('auto_fix_high').classes('mt-1')
                        ui.label(t('scan.transcribe.suggested')).mark(f'suggested-{note.id}')
                    self.suggested.set_visibility(False)
                    ui.button(t('scan.transcribe.save'), on_click=self.save).mark(f'save-{note.id}')

    def offer(self, suggestion: str) -> None:
        """Put a machine reading into the text box, marked as one to check, unless someone has started typing."""
        if self.text.value:
            return
        self.text.set_value(suggestion)
        self.text.props('bg-color=amber-1')
        self.suggested.set_visibility(True)

    async def save(self) -> None:
        try:
            await run.io_bound(self.scans.transcribe, self.note.id, self.text.value or '')
        except InvalidText as error:
            ui.notify(self.t.error(error), type='negative')
            return
        except NotFound as error:
            log.warning('note %d not transcribed: %s', self.note.id, error)
            ui.notify(self.t('scan.transcribe.gone'), type='negative')
            return
        left = len(self.scans.transcription_queue(self.workshop.id))
        self.remaining.set_text(self.t('scan.transcribe.remaining', count=left))
        # The notice goes out before the card is deleted: this handler runs in the card's slot,
        # and a deleted slot has no client to send to.
        ui.notify(self.t('scan.transcribe.saved'), type='positive')
        self.card.delete()
