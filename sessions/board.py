"""The projector board: a workshop's notes in one column per session, updated live as notes are written.

Each open board subscribes once to ``live.note_changed`` and changes only the one card a change is
about: a new note appends one card to its column, a resent paper card replaces the text of its card.
Nothing rebuilds a column, because a board may contain hundreds of notes and several boards may be open.
"""
import asyncio
import base64
import logging
from datetime import datetime
from functools import lru_cache

from fastapi import Request
from fastapi.responses import HTMLResponse
from nicegui import context, ui

from printouts.qr import qr_png
from workshop import tokens
from workshop.model import Note, NoteChanged, NoteStatus, Session, Source, Workshop
from workshop.urls import join_url, qr_text

from . import live, runtime
from .memo import Memo
from .note_card import NoteCard
from .scan_images import board_image_url
from .texts import Texts, page_texts
from .theme import frame, not_found
from .tuning import disabled_levers

log = logging.getLogger(__name__)

SESSION_PARAMETER = 'session'
# A scan batch files 15 to 25 handwriting cards a second. The board adds them together every 2 s, so the
# projector's browser lays out and paints the board once per batch instead of once per scanned page.
# Typed notes are still shown at once, and they less often wait behind that work. In bench/ingest_latency.py
# (50 pages), Chromium used 23 % of a core during the ingest instead of 45 %. The board's p95 was 24 ms
# with batches of 2 s and 31 ms with batches of 1 s (idle 8 to 9 ms).
IMAGE_BATCH_SECONDS = 2.0
# Cards sit in groups of this many in a Memo each, so a new card makes the browser render its own group's
# cards and one vnode per other group, not every card.
GROUP_SIZE = 20

# Sizes are in px because the board is laid out for a 1920×1080 projector: note text of 32 px stays
# readable from the back of a hall. Newer notes sit first (CSS order), so the top of each column,
# which the projector always shows, contains the latest notes. Colours are paired with the badge text,
# so paper and online notes differ for colour-blind readers too. The highlight of a new note shows a glow,
# drawn once, for 8 s by animating its visibility, which needs no frame until it ends. Animating box-shadow
# repaints every glowing card on every frame, and fading the opacity still makes Chromium composite a frame
# for each: during a scan batch a hundred cards glow at once. In bench/ingest_latency.py's idle phase,
# board latency with the opacity fade was 11/38 ms (p50/p95), and 8/12 ms without it.
_CSS = '''
.fusen-board-title { font-size: 40px; font-weight: 700; line-height: 1.25; overflow-wrap: anywhere; }
.fusen-board-question { font-size: 30px; font-weight: 700; color: #1f4e79; line-height: 1.35; overflow-wrap: anywhere; }
.fusen-columns { width: 100%; display: flex; flex-wrap: nowrap; gap: 16px; overflow-x: auto; align-items: flex-start; padding-bottom: 8px; }
.fusen-column { flex: 1 0 min(360px, 86vw); max-width: 100%; background: #e8e4d8; border-radius: 12px; padding: 12px; display: flex; flex-direction: column; gap: 12px; }
.fusen-column-head { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
.fusen-column-letter { font-size: 28px; font-weight: 700; color: white; background: #1f4e79; border-radius: 8px; padding: 0 12px; }
.fusen-column-name { font-size: 30px; font-weight: 700; overflow-wrap: anywhere; }
.fusen-column-count { font-size: 26px; font-weight: 700; color: #333; margin-left: auto; }
.fusen-column-question { font-size: 24px; line-height: 1.4; color: #333; overflow-wrap: anywhere; }
.fusen-empty { font-size: 24px; color: #555; padding: 24px 8px; text-align: center; }
.fusen-notes { display: flex; flex-direction: column; gap: 12px; }
.fusen-note-group { display: contents; }
.fusen-notes-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(420px, 100%), 1fr)); gap: 16px; align-items: start; }
.fusen-note { position: relative; display: grid; grid-template-columns: 1fr auto; gap: 8px 12px; align-items: center; padding: 14px 16px; border-radius: 4px; color: #111; box-shadow: 0 2px 4px rgba(0, 0, 0, 0.25); }
.fusen-note::after { content: ''; position: absolute; inset: 0; border-radius: inherit; pointer-events: none; visibility: hidden; box-shadow: 0 0 0 6px #e8590c, 0 0 24px 8px #ff922b; }
.fusen-note-paper { background: #fff27a; }
.fusen-note-online { background: #c6e6ff; }
.fusen-note-text { grid-column: 1 / -1; font-size: 32px; line-height: 1.4; white-space: pre-wrap; overflow-wrap: anywhere; line-break: strict; text-wrap: pretty; }
.fusen-note-text:empty { display: none; }
.fusen-note-image { order: -1; grid-column: 1 / -1; width: 100%; height: auto; max-height: 320px; object-fit: contain; background: white; border-radius: 2px; }
.fusen-badge { justify-self: start; font-size: 20px; font-weight: 700; color: white; border-radius: 6px; padding: 2px 10px; overflow-wrap: anywhere; }
.fusen-badge-paper { background: #6b4a00; }
.fusen-badge-online { background: #0b4a8f; }
.fusen-note-time { font-size: 20px; color: #333; font-variant-numeric: tabular-nums; }
.fusen-glow-a::after { animation: fusen-glow-a 8s; }
.fusen-glow-b::after { animation: fusen-glow-b 8s; }
@keyframes fusen-glow-a { 0%, 100% { visibility: visible; } }
@keyframes fusen-glow-b { 0%, 100% { visibility: visible; } }
.fusen-join { background: #1f4e79; color: white; padding: 8px 16px; gap: 16px; align-items: center; flex-wrap: nowrap; }
.fusen-join-text { font-size: 24px; line-height: 1.3; }
.fusen-join-url { font-size: 28px; font-weight: 700; overflow-wrap: anywhere; }
.fusen-join-qr { width: 112px; height: 112px; image-rendering: pixelated; flex: none; }
@media (max-width: 700px) {
  .fusen-board-title { font-size: 26px; }
  .fusen-board-question { font-size: 20px; }
  .fusen-column-name { font-size: 22px; }
  .fusen-column-letter { font-size: 20px; }
  .fusen-column-question, .fusen-column-count { font-size: 17px; }
  .fusen-note-text { font-size: 22px; }
  .fusen-note-image { max-height: 220px; }
  .fusen-badge, .fusen-note-time { font-size: 16px; }
  .fusen-join-text { font-size: 16px; }
  .fusen-join-url { font-size: 18px; }
  .fusen-join-qr { display: none; }
}
'''


def register() -> None:
    """Register the board page."""
    ui.page('/board/{workshop_id}')(board_page)


def board_page(request: Request, workshop_id: str) -> HTMLResponse | None:
    """Build the board of a workshop, or of one session with ``?session=<session id or letter>``."""
    texts = page_texts(request)
    store = runtime.store()
    workshop = store.find_workshop(workshop_id) if tokens.is_workshop_id(workshop_id) else None
    if workshop is None:
        return not_found(texts)
    sessions = store.sessions(workshop.id)
    chosen = request.query_params.get(SESSION_PARAMETER)
    if chosen is not None:
        sessions = [session for session in sessions if _matches(session, chosen)]
        if not sessions:
            return not_found(texts)
    single = sessions[0] if chosen is not None else None
    # One column alone lays its cards out in a grid, so a projector's width is not wasted.
    grid = len(sessions) == 1

    ui.add_css(_CSS)
    with frame(texts, request, _page_title(texts, workshop, single), wide=True):
        _build_heading(workshop)
        with ui.element('div').classes('fusen-columns').mark('board'):
            columns = {session.id: _Column(texts, session, grid=grid) for session in sessions}
    _build_join_footer(texts, workshop, single)

    # A plain <img> gets no help from NiceGUI behind a reverse proxy, so the sub-path is added here.
    board = _Board(texts, workshop.id, columns, image_prefix=request.headers.get('X-Forwarded-Prefix', ''))
    for note in store.notes(workshop.id, session_id=single.id if single else None, status=NoteStatus.VISIBLE):
        board.show(note, fresh=False)
    # Subscribing inside the page ties the callback to this client, and NiceGUI unsubscribes it when
    # the client is deleted. This function runs synchronously on the event loop, so no event can run
    # between the read above and this line. A note in both would still be shown once, because show()
    # looks up its id first.
    live.note_changed.subscribe(board.apply)
    log.info('board of workshop %s opened with %d notes in %d sessions',
             workshop.id, len(board.cards), len(sessions))
    return None


class _Column:
    """One session's column: its heading, note count, empty-state hint and the container of its cards."""

    def __init__(self, texts: Texts, session: Session, *, grid: bool) -> None:
        self.texts = texts
        self.count = 0
        with ui.element('div').classes('fusen-column').mark(f'column-{session.letter}'):
            with ui.element('div').classes('fusen-column-head'):
                ui.label(session.letter).classes('fusen-column-letter')
                ui.label(session.name).classes('fusen-column-name')
                self.count_label = ui.label().classes('fusen-column-count').mark(f'count-{session.letter}')
            if session.question:
                ui.label(session.question).classes('fusen-column-question')
            self.hint = ui.label(texts('board.empty')).classes('fusen-empty').mark(f'empty-{session.letter}')
            self.notes = ui.element('div').classes('fusen-notes-grid' if grid else 'fusen-notes')
        self.group: Memo | None = None
        self._show_count()

    def add(self, note: Note, *, fresh: bool) -> NoteCard:
        """Append one card for the note and return it, highlighted as new if ``fresh``. The caller sends it."""
        with self._group():
            card = NoteCard(text=note.text, badge=_source_text(self.texts, note), source=note.source.value,
                            time=_clock(note.created_at))
        with card.classes.suspend_updates(), card.style.suspend_updates():
            card.classes(f'fusen-note fusen-note-{note.source.value}' + (' fusen-glow-a' if fresh else ''))
            # Cards are appended in the order notes arrive, and the negative id puts the newest first.
            card.style(f'order: {-note.id}')
        self.count += 1
        self._show_count()
        return card

    def remove(self, card: NoteCard) -> None:
        """Delete one card from the column and count it out."""
        card.delete()
        self.count -= 1
        self._show_count()

    def _group(self) -> Memo:
        """Return the group that takes the next card, a new one when the last is full."""
        if self.group is None or len(self.group.default_slot.children) >= GROUP_SIZE:
            with self.notes:
                # display: contents keeps the cards items of the column's grid or flexbox, so CSS order still applies.
                self.group = Memo().classes('fusen-note-group')
        return self.group

    def _show_count(self) -> None:
        self.count_label.set_text(self.texts('board.count', count=self.count))
        self.hint.set_visibility(self.count == 0)


class _Board:
    """The state of one open board: its columns, and the card of every note it shows."""

    def __init__(self, texts: Texts, workshop_id: str, columns: dict[int, _Column], *, image_prefix: str) -> None:
        self.texts = texts
        self.workshop_id = workshop_id
        self.columns = columns
        self.image_prefix = image_prefix.rstrip('/')
        self.cards: dict[int, NoteCard] = {}
        self.client = context.client
        self.waiting: dict[int, Note] = {}  # notes whose new image waits for the next batch, in arrival order
        self.flush: asyncio.TimerHandle | None = None

    def apply(self, change: NoteChanged) -> None:
        """Show a note that was just created or updated, if it belongs on this board.

        A scanned or photographed image waits for the next batch. Any other change, such as typed
        text or a facilitator's decision, is shown at once, and it brings the note's waiting image along.
        """
        note = change.note
        if change.scanned and note.status is NoteStatus.VISIBLE and 'image-batch' not in disabled_levers():
            self.waiting[note.id] = note
            if self.flush is None:
                self.flush = asyncio.get_running_loop().call_later(IMAGE_BATCH_SECONDS, self._show_waiting)
            return
        self.waiting.pop(note.id, None)
        self.show(note, fresh=True)

    def _show_waiting(self) -> None:
        self.flush = None
        if self.client.is_deleted:
            self.waiting.clear()
            return
        waiting, self.waiting = self.waiting, {}
        with self.client:
            for note in waiting.values():
                self.show(note, fresh=True)

    def show(self, note: Note, *, fresh: bool) -> None:
        """Append the note's card, or bring the card already shown for it up to date."""
        column = self.columns.get(note.session_id)
        if note.workshop_id != self.workshop_id or column is None:
            return
        if note.status is not NoteStatus.VISIBLE:
            self._take_off(note, column)
            return
        card = self.cards.get(note.id)
        if card is None:
            card = self.cards[note.id] = column.add(note, fresh=fresh)
            self._show_image(note, card)
            card.update()
            return
        text_changed = card.text != note.text
        if text_changed:
            card.set_text(note.text)
        image_changed = self._show_image(note, card)
        if fresh and (text_changed or image_changed):
            _glow(card)
        if text_changed or image_changed:
            card.update()

    def _take_off(self, note: Note, column: _Column) -> None:
        """Remove the card of a note that a facilitator held or hid, if this board shows it."""
        card = self.cards.pop(note.id, None)
        if card is not None:
            column.remove(card)

    def _show_image(self, note: Note, card: NoteCard) -> bool:
        """Put the note's current handwriting image on its card and return whether the card changed."""
        if note.image_id is None:
            return False
        url = self.image_prefix + board_image_url(self.workshop_id, note.image_id)
        if card.image_src == url:
            return False
        # The size comes with the note, because a store query here would block the event loop while a
        # scan batch's commits hold the store's lock.
        card.set_image(url, self.texts('board.handwriting'), note.image_size)
        return True


def _build_heading(workshop: Workshop) -> None:
    ui.label(workshop.title).classes('fusen-board-title').mark('board-title')
    if workshop.question:
        ui.label(workshop.question).classes('fusen-board-question').mark('board-question')


def _build_join_footer(texts: Texts, workshop: Workshop, single: Session | None) -> None:
    """Show the join link, so remote residents can read it off the projector and post from home."""
    # A session's own link skips the choice of session, which suits a board that shows only that session.
    url = join_url(runtime.settings().public_url, single.join_token if single else workshop.join_token)
    with ui.footer().classes('fusen-join'):
        if qr_png is not None:
            image = ui.element('img').classes('fusen-join-qr').mark('join-qr')
            image.props['src'] = _qr_data_url(url)
            image.props['alt'] = texts('board.join_qr')
        with ui.column().classes('gap-0'):
            ui.label(texts('board.join')).classes('fusen-join-text')
            ui.label(url).classes('fusen-join-url').mark('join-url')


@lru_cache(maxsize=64)
def _qr_data_url(url: str) -> str:
    """Return the join link's QR code as a PNG data URL; cached because every board of a workshop shows the same one."""
    png = qr_png(qr_text(url), module_pixels=4)
    return 'data:image/png;base64,' + base64.b64encode(png).decode('ascii')


def _page_title(texts: Texts, workshop: Workshop, single: Session | None) -> str:
    if single is None:
        return texts('board.title', title=workshop.title)
    return texts('board.title_session', title=workshop.title, letter=single.letter, name=single.name)


def _matches(session: Session, chosen: str) -> bool:
    """Tell whether ``?session=`` names this session, by its numeric id or by its letter (case-insensitive)."""
    value = chosen.strip()
    if value.isascii() and value.isdigit():
        return session.id == int(value)
    return session.letter == value.upper()


def _source_text(texts: Texts, note: Note) -> str:
    if note.source is Source.PAPER:
        return texts('board.source_paper', code=note.card_code) if note.card_code else texts('board.paper')
    if note.nickname:
        return texts('board.source_online', nickname=note.nickname)
    return texts('board.online')


def _clock(timestamp: str) -> str:
    """Return HH:MM of a stored ISO timestamp, in the time zone it was stored with."""
    try:
        return datetime.fromisoformat(timestamp).strftime('%H:%M')
    except ValueError:
        log.warning('note timestamp %r is not ISO 8601', timestamp)
        return ''


def _glow(card: NoteCard) -> None:
    """Play the highlight again: switching between two animation names makes the browser restart it."""
    # Each change of classes would send the card, so the caller sends it once.
    with card.classes.suspend_updates():
        if 'fusen-glow-a' in card.classes:
            card.classes(remove='fusen-glow-a', add='fusen-glow-b')
        else:
            card.classes(remove='fusen-glow-b', add='fusen-glow-a')
