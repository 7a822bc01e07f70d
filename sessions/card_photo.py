"""The card page's 写真をとる (take a photo): a phone photo of the card becomes the card's handwriting image.

The photo takes the scan pipeline's path: its bytes are checked (``check_file``), it is decoded and
cropped in a worker process (``analyse_card_photo``), and it is filed onto this card alone
(``file_card_photo``). Stored pictures are re-encoded from pixels, so no EXIF data (GPS) reaches disk.
The typed text of the card's note stays as it is; the photo only adds or replaces the image.
"""
import asyncio
import logging
import secrets
import shutil

from nicegui import events, run, ui

from workshop.model import Card
from workshop.scan.analysis import analyse_card_photo
from workshop.scan.errors import ScanError
from workshop.scan.filing import FileReport, file_card_photo
from workshop.scan.ingest import check_file
from workshop.scan.loading import PDF, ScanFile, ScanLimits
from workshop.scans_store import ScanStore

from . import runtime
from .offload import cpu_bound
from .texts import Texts

log = logging.getLogger(__name__)

LIMITS = ScanLimits()  # the scan page's limits: the same photo is accepted on either page
ACCEPT = 'image/*'
# Each rejection of the pipeline becomes one short sentence for a resident, without the file's name.
_MESSAGES = {
    'scan.error.too_large': 'card.photo.too_large',
    'scan.error.too_many_pixels': 'card.photo.too_many_pixels',
    'scan.error.other_card': 'card.photo.other_card',
}
_CSS = '''
.fusen-photo { width: 100%; max-height: none; box-shadow: none; background: transparent; overflow: visible; }
.fusen-photo .q-uploader__header { background: transparent; padding-bottom: 6px; }
.fusen-photo .q-uploader__list { min-height: 0; padding: 0; background: transparent; }
.fusen-photo-button { position: relative; overflow: hidden; }
.q-uploader--disable .q-uploader__input { display: none; }
'''


def add_photo_upload(t: Texts, card: Card) -> None:
    """Add the explanation, the 写真をとる button and the line that shows the result to a card page."""
    ui.add_css(_CSS)
    ui.label(t('card.photo.hint')).classes('text-lg').mark('photo-hint')
    _PhotoUpload(t, card)


class _PhotoUpload:
    """One card page's photo upload: the camera button, the upload's progress and the result line."""

    def __init__(self, t: Texts, card: Card) -> None:
        self.t = t
        self.card = card
        self.scans = ScanStore(runtime.store())
        self.upload = ui.upload(auto_upload=True, max_file_size=LIMITS.max_bytes, on_begin_upload=self.begin,
                                on_upload=self.receive, on_rejected=self.rejected) \
            .props(f'accept="{ACCEPT}" capture=environment flat no-thumbnails') \
            .classes('fusen-photo').mark('photo-upload')
        with self.upload.add_slot('header'):
            # The add trigger lays the file input over the whole button, so a tap opens the camera in the
            # browser itself. A round trip through the server would lose the tap, and phones then block the camera.
            with ui.button(t('card.photo.button'), icon='photo_camera', color='green-10') \
                    .classes('fusen-big-button fusen-photo-button').mark('photo-button') as self.button:
                ui.element('q-uploader-add-trigger')
        self.status = ui.label('').classes('text-xl font-bold').mark('photo-status')
        self.status.visible = False

    def begin(self) -> None:
        self._show(self.t('common.sending'), 'text-gray-900')
        self.button.text = self.t('common.sending')
        self.upload.disable()  # with the CSS above this removes the file input, so a second tap does nothing

    def rejected(self) -> None:
        """Show that the browser rejected a file over the size limit before sending it."""
        self._fail(self.t('card.photo.too_large', limit=LIMITS.max_bytes // (1024 * 1024)))

    async def receive(self, event: events.UploadEventArguments) -> None:
        """Save the photo, check it, analyse it in a worker process and file it onto this card."""
        self.begin()
        folder = runtime.settings().data_dir / 'uploads' / secrets.token_hex(8)
        try:
            path = folder / 'photo'  # the stored name carries nothing of the uploaded one
            await event.file.save(path)
            report = await self._file(path, event.file.name)
        except Exception:
            log.exception('failed to file a photo for card %d', self.card.id)
            self._fail(self.t('common.error_retry'))
            return
        finally:
            await run.io_bound(shutil.rmtree, folder, True)
            self.upload.reset()
            self.upload.enable()
            self.button.text = self.t('card.photo.button')
        self._report(report)

    async def _file(self, path, name: str) -> FileReport:
        report = FileReport(name=name)
        checked = await run.io_bound(check_file, path, name, LIMITS)
        if isinstance(checked, ScanFile) and checked.kind == PDF:
            checked = ScanError('scan.error.unknown_kind', name)  # the card page takes photos, not documents
        if isinstance(checked, ScanError):
            report.errors.append(checked)
            return report
        result = await cpu_bound(analyse_card_photo, checked, LIMITS)
        if result is None:
            # NiceGUI 3.18 returns None in place of the result while the app stops, so nothing is filed then.
            raise asyncio.CancelledError
        analysis, whole_photo = result
        await run.io_bound(file_card_photo, self.scans, self.card, analysis, whole_photo, report)
        return report

    def _report(self, report: FileReport) -> None:
        if report.filed:
            log.info('photo filed for card %d', self.card.id)
            self._show(self.t('card.photo.received'), 'text-green-900')
            ui.notify(self.t('card.photo.received'), type='positive', position='top')
        elif report.errors:
            error = report.errors[0]
            log.info('photo for card %d rejected: %s', self.card.id, error.message_key)
            key = _MESSAGES.get(error.message_key, 'card.photo.not_image')
            self._fail(self.t(key, code=self.card.code, limit=_limit(error)))
        else:
            log.info('photo for card %d shows no writing', self.card.id)
            self._fail(self.t('card.photo.blank'))

    def _fail(self, message: str) -> None:
        self._show(message, 'text-red-900')
        ui.notify(message, type='negative', position='top', multi_line=True)

    def _show(self, message: str, colour: str) -> None:
        self.status.classes(replace=f'text-xl font-bold {colour}')
        self.status.set_text(message)
        self.status.visible = True


def _limit(error: ScanError) -> object:
    return error.params.get('limit', '')
