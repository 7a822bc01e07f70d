"""The staff page for scans: upload scanner PDFs and photos, follow the progress, sort out leftovers.

All decoding and image work runs off the event loop: each page in a worker process
(``run.cpu_bound``), file checks and filing in a worker thread (``run.io_bound``).
"""
import logging
import secrets
import shutil

from fastapi import Request
from nicegui import events, run, ui

from workshop.model import Note, Workshop
from workshop.scan.analysis import analyse_page
from workshop.scan.errors import ScanError
from workshop.scan.filing import FileReport, file_page
from workshop.scan.ingest import check_file
from workshop.scan.loading import ScanFile, ScanLimits
from workshop.scans_store import CardHasContent, LeftoverRecord, ScanStore
from workshop.store import NotFound

from . import runtime
from .access import facilitator_workshop
from .offload import cpu_bound
from .texts import Texts, page_texts
from .theme import frame

log = logging.getLogger(__name__)

LIMITS = ScanLimits()
ACCEPT = '.pdf,.jpg,.jpeg,.png,.heic,.heif,application/pdf,image/jpeg,image/png,image/heic,image/heif'
# Quasar's uploader header shows "0.0B / 0.00%" while it has no files. QUploader (Quasar 2) has no prop
# that hides only this line, so it is hidden until the file list contains a file, which keeps the upload's progress.
UPLOADER_CSS = '.fusen-upload:not(:has(.q-uploader__file)) .q-uploader__subtitle { display: none; }'


def register() -> None:
    ui.page('/f/{key}/scan')(scan_page)
    ui.page('/F/{key}/scan')(scan_page)


def scan_page(key: str, request: Request):
    """Show the upload, the results per file and the leftovers of one workshop to its facilitators."""
    t = page_texts(request)
    with frame(t, request, t('scan.title')) as content:
        workshop = facilitator_workshop(key, t)  # the key, then the PIN when the workshop has one
    if not isinstance(workshop, Workshop):
        return workshop
    ui.add_css(UPLOADER_CSS)
    with content:
        ui.label(t('scan.title')).classes('text-2xl font-bold')
        ui.label(workshop.title).classes('fusen-muted')
        ui.link(t('scan.back'), f'/f/{key}').classes('underline')
        ui.label(t('scan.hint', pages=LIMITS.max_pages, limit=LIMITS.max_bytes // (1024 * 1024))).classes('fusen-muted')
        leftovers = _Leftovers(t, workshop, key)
        _Uploads(t, workshop, leftovers.refresh)
        leftovers.build()
    return None


class _Uploads:
    """The two upload buttons (files and camera), the progress bar and one result line per file."""

    def __init__(self, t: Texts, workshop: Workshop, on_done) -> None:
        self.t = t
        self.workshop = workshop
        self.on_done = on_done
        self.scans = ScanStore(runtime.store())
        with ui.card().classes('fusen-card'):
            with ui.row().classes('gap-4 w-full'):
                self._upload(t('scan.choose_files'), multiple=True).mark('scan-upload')
                self._upload(t('scan.take_photo'), multiple=False).props('capture=environment').mark('scan-camera')
            self.status = ui.label('').classes('text-lg').mark('scan-status')
            self.progress = ui.linear_progress(value=0, show_value=False).props('size=12px rounded')
            self.progress.visible = False
            self.results = ui.column().classes('w-full gap-1').mark('scan-results')

    def _upload(self, label: str, *, multiple: bool) -> ui.upload:
        return ui.upload(label=label, multiple=multiple, auto_upload=True, max_file_size=LIMITS.max_bytes,
                         on_multi_upload=self.ingest, on_rejected=self.rejected) \
            .props(f'accept="{ACCEPT}" flat bordered').classes('fusen-upload w-full max-w-sm')

    def rejected(self) -> None:
        ui.notify(self.t('scan.rejected', limit=LIMITS.max_bytes // (1024 * 1024)), type='negative')

    async def ingest(self, event: events.MultiUploadEventArguments) -> None:
        """Save the uploaded files, then check, analyse and file them one page at a time."""
        folder = runtime.settings().data_dir / 'uploads' / secrets.token_hex(8)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            checked = []
            for number, upload in enumerate(event.files):
                path = folder / f'{number:03d}'  # the stored name carries nothing of the uploaded one
                await upload.save(path)
                checked.append(await run.io_bound(check_file, path, upload.name, LIMITS))
            await self._run(checked)
        finally:
            await run.io_bound(shutil.rmtree, folder, True)
        event.sender.reset()  # empties the uploader's file list, so the next batch starts clean
        self.on_done()

    async def _run(self, checked: list[ScanFile | ScanError]) -> None:
        total = sum(item.pages for item in checked if isinstance(item, ScanFile))
        done = 0
        self.progress.visible = True
        for item in checked:
            if isinstance(item, ScanError):
                report = FileReport(name=item.file_name, errors=[item])
            else:
                report = FileReport(name=item.name)
                for index in range(item.pages):
                    self.status.set_text(self.t('scan.progress', name=item.name, page=index + 1, pages=item.pages))
                    analysis = await cpu_bound(analyse_page, item, index, LIMITS)
                    await run.io_bound(file_page, self.scans, self.workshop.id, analysis, report)
                    done += 1
                    self.progress.set_value(done / max(1, total))
            self._show(report)
        self.status.set_text(self.t('scan.done', files=len(checked), pages=total))

    def _show(self, report: FileReport) -> None:
        t = self.t
        with self.results:
            if report.errors and not report.pages:
                message = t(report.errors[0].message_key, name=report.name, **report.errors[0].params)
                ui.label(message).classes('text-red-900 font-bold').mark('scan-error')
                return
            ui.label(t('scan.file_result', name=report.name, pages=report.pages, filed=len(report.filed),
                       blank=report.blank, leftovers=report.leftovers)).mark('scan-result')
            if report.foreign:
                ui.label(t('scan.foreign', name=report.name, other=report.other_workshop,
                           strangers=report.not_fusen)).classes('text-orange-900').mark('scan-foreign')
            if report.cut_off:
                ui.label(t('scan.cut_off', name=report.name, count=report.cut_off)).classes('text-orange-900')
            for error in report.errors:
                ui.label(t(error.message_key, name=report.name, **error.params)).classes('text-red-900') \
                    .mark('scan-error')


class _Leftovers:
    """The open leftovers, each with its thumbnail, a box for the card code and a discard button."""

    def __init__(self, t: Texts, workshop: Workshop, key: str) -> None:
        self.t = t
        self.workshop = workshop
        self.key = key
        self.scans = ScanStore(runtime.store())
        self.container: ui.column | None = None

    def build(self) -> None:
        with ui.card().classes('fusen-card'):
            ui.label(self.t('scan.leftovers')).classes('text-lg font-bold')
            ui.label(self.t('scan.leftovers_hint')).classes('fusen-muted')
            self.container = ui.column().classes('w-full gap-4').mark('leftovers')
        self.refresh()

    def refresh(self) -> None:
        if self.container is None:
            return
        self.container.clear()
        open_leftovers = self.scans.leftovers(self.workshop.id)
        with self.container:
            if not open_leftovers:
                ui.label(self.t('scan.no_leftovers')).classes('fusen-muted').mark('no-leftovers')
            for leftover in open_leftovers:
                self._row(leftover)

    def _row(self, leftover: LeftoverRecord) -> None:
        t = self.t
        with ui.row().classes('items-center gap-4 w-full').mark(f'leftover-{leftover.id}'):
            ui.image(self._thumbnail_url(leftover)).classes('w-64 border rounded').props('no-spinner fit=contain')
            with ui.column().classes('gap-2'):
                ui.label(t('scan.leftover_source', name=leftover.source_name, page=leftover.page)).classes('fusen-muted')
                code = ui.input(t('scan.card_code'), placeholder='A-017').props('outlined').classes('w-40') \
                    .mark(f'leftover-code-{leftover.id}')
                with ui.row().classes('gap-2'):
                    ui.button(t('scan.assign'), on_click=lambda: self.assign(leftover, code.value)) \
                        .mark(f'leftover-assign-{leftover.id}')
                    ui.button(t('scan.discard'), on_click=lambda: self.discard(leftover.id)).props('outline') \
                        .mark(f'leftover-discard-{leftover.id}')

    async def assign(self, leftover: LeftoverRecord, code: str | None) -> None:
        """Assign the leftover to the typed card, asking first when that card already has an image or text."""
        typed = (code or '').strip()
        if not typed:
            ui.notify(self.t('scan.code_missing'), type='warning')
            return
        try:
            note = await run.io_bound(self.scans.assign_leftover, self.workshop.id, leftover.id, typed)
        except CardHasContent as occupied:
            if not await self._confirm_replace(leftover, occupied):
                return
            note = await self._assign_replacing(leftover.id, typed)
        except NotFound as error:
            self._not_assigned(leftover.id, typed, error)
            return
        if note is None:
            return
        ui.notify(self.t('scan.assigned', code=note.card_code), type='positive')
        self.refresh()

    async def _assign_replacing(self, leftover_id: int, typed: str) -> Note | None:
        try:
            return await run.io_bound(self.scans.assign_leftover, self.workshop.id, leftover_id, typed, replace=True)
        except NotFound as error:
            self._not_assigned(leftover_id, typed, error)
            return None

    def _not_assigned(self, leftover_id: int, typed: str, error: NotFound) -> None:
        log.warning('leftover %d of workshop %s not assigned: %s', leftover_id, self.workshop.id, error)
        if self.scans.card_by_code(self.workshop.id, typed) is None:
            ui.notify(self.t('scan.unknown_code', code=typed), type='negative')
        else:
            # Another staff member assigned or discarded it meanwhile.
            ui.notify(self.t('scan.leftover_gone'), type='warning')
            self.refresh()

    async def _confirm_replace(self, leftover: LeftoverRecord, occupied: CardHasContent) -> bool:
        """Show what the card has now beside the leftover, and return whether staff chose to replace it."""
        t = self.t
        note = occupied.note
        question = 'scan.replace.has_image' if note.image_id is not None else 'scan.replace.has_text'
        with ui.dialog() as dialog, ui.card().classes('w-full max-w-4xl gap-6 px-6 pt-6 pb-0').mark('replace-dialog'):
            ui.label(t(question, code=occupied.card.code)).classes('text-2xl font-bold leading-snug')
            with ui.row().classes('w-full gap-6 items-start'):
                with ui.column().classes('flex-1 min-w-[240px] gap-2').mark('replace-current'):
                    ui.label(t('scan.replace.current')).classes('text-xl font-bold')
                    if note.image_id is not None:
                        ui.image(f'/f/{self.key}/images/{note.image_id}.webp').classes('w-full border rounded') \
                            .props('no-spinner fit=contain')
                    if note.text:
                        ui.label(note.text).classes('text-xl whitespace-pre-wrap border rounded p-3 w-full')
                with ui.column().classes('flex-1 min-w-[240px] gap-2').mark('replace-new'):
                    ui.label(t('scan.replace.new')).classes('text-xl font-bold')
                    ui.image(self._thumbnail_url(leftover)).classes('w-full border rounded') \
                        .props('no-spinner fit=contain')
            if note.image_id is not None:
                ui.label(t('scan.replace.image_kept')).classes('text-lg')
            if note.text:
                ui.label(t('scan.replace.text_kept')).classes('text-lg')
            confirm = 'scan.replace.confirm' if note.image_id is not None else 'scan.replace.attach'
            # On a phone the dialog scrolls, and its two buttons stay in view at its bottom edge.
            with ui.row().classes('w-full justify-end gap-4 sticky bottom-0 bg-white py-4'):
                ui.button(t('scan.replace.cancel'), on_click=lambda: dialog.submit(False)) \
                    .props('outline size=lg').classes('min-w-[8rem]').mark('replace-cancel')
                ui.button(t(confirm), on_click=lambda: dialog.submit(True)) \
                    .props('size=lg color=negative').classes('min-w-[8rem]').mark('replace-confirm')
        replace = await dialog
        dialog.delete()
        return bool(replace)

    def _thumbnail_url(self, leftover: LeftoverRecord) -> str:
        return f'/f/{self.key}/leftovers/{leftover.id}.webp'

    async def discard(self, leftover_id: int) -> None:
        try:
            await run.io_bound(self.scans.discard_leftover, self.workshop.id, leftover_id)
        except NotFound as error:
            log.warning('leftover %d of workshop %s not discarded: %s', leftover_id, self.workshop.id, error)
        self.refresh()
