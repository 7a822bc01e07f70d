"""The online stream's page: a remote resident picks a session, then posts notes to it.

A workshop's join token first shows a chooser with one large link per session, and a session's
own join token opens that session directly. The chosen session travels in the ``session`` query
parameter, so a reload stays on it. The participant id is kept in ``app.storage.user``, which
NiceGUI stores on the server under a signed browser cookie, one id per workshop, so a reload or a
second visit posts as the same person.

The page stays small, because a thousand phones may share one server process: no timers, no
bindings, no live subscription. A new note is appended to "your notes", and nothing is rebuilt.
"""
import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar
from uuid import uuid4

from fastapi import Request
from fastapi.responses import HTMLResponse
from nicegui import app, events, run, ui

from workshop import text
from workshop.model import Note, Participant, Session, Workshop
from workshop.store import Store
from workshop.text import InvalidText
from workshop.urls import JOIN_PREFIX

from . import runtime
from .draft import checked_request_key, forget_draft, keep_draft, request_key_js
from .texts import Texts, page_texts
from .tuning import PARTICIPANT_RECONNECT_TIMEOUT, disabled_levers
from .theme import frame, not_found

log = logging.getLogger(__name__)

T = TypeVar('T')

PARTICIPANTS_KEY = 'participants'  # app.storage.user[PARTICIPANTS_KEY] maps workshop id to participant id


def register() -> None:
    """Register the join page under /j/ and /J/, because QR codes may carry the URL in upper case."""
    for prefix in (JOIN_PREFIX, JOIN_PREFIX.upper()):
        ui.page(prefix + '{token}', reconnect_timeout=PARTICIPANT_RECONNECT_TIMEOUT)(join_page)


def join_page(token: str, request: Request, session: str = '') -> HTMLResponse | None:
    """Build the session chooser or, once a session is known, the page to post notes to it."""
    t = page_texts(request)
    store = runtime.store()
    resolved = store.resolve_join_token(token)
    if resolved is None:
        return not_found(t)
    workshop, own_session = resolved

    if own_session is not None:
        _build_posting(t, request, store, workshop, own_session, chooser_url=None)
        return None
    sessions = store.sessions(workshop.id)
    chosen = _chosen_session(sessions, session)
    chooser_url = JOIN_PREFIX + workshop.join_token
    if chosen is None:
        _build_chooser(t, request, workshop, sessions, chooser_url)
    else:
        _build_posting(t, request, store, workshop, chosen, chooser_url=chooser_url if len(sessions) > 1 else None)
    return None


def _chosen_session(sessions: list[Session], requested: str) -> Session | None:
    """Return the session named by the query parameter; a workshop with one session needs no choice."""
    if len(sessions) == 1:
        return sessions[0]
    for candidate in sessions:
        if str(candidate.id) == requested.strip():
            return candidate
    return None  # no choice yet, or the id of another workshop's session, so the chooser is shown


def _build_chooser(t: Texts, request: Request, workshop: Workshop, sessions: list[Session], chooser_url: str) -> None:
    with frame(t, request, workshop.title):
        ui.label(workshop.title).classes('text-2xl font-bold').mark('workshop-title')
        ui.label(t('join.choose')).classes('fusen-question')
        for candidate in sessions:
            # A plain link, so choosing works even while the websocket reconnects.
            with ui.link(target=f'{chooser_url}?session={candidate.id}') \
                    .classes('fusen-card bg-white border-2 border-[#1f4e79] no-underline text-inherit') \
                    .mark('session-choice', f'session-{candidate.letter}'):
                ui.label(candidate.name).classes('text-2xl font-bold text-[#1f4e79]')
                ui.label(candidate.question)


def _build_posting(t: Texts, request: Request, store: Store, workshop: Workshop, session: Session,
                   *, chooser_url: str | None) -> None:
    storage = app.storage.user
    participant = _known_participant(store, storage, workshop.id)
    mine = store.notes(workshop.id, session_id=session.id, participant_id=participant.id) if participant else []

    with frame(t, request, session.name) as column:
        _session_header(workshop, session)
        if chooser_url:
            ui.link(t('join.change_session'), chooser_url).classes('text-lg underline').mark('change-session')
        nickname_input = ui.input(label=t('join.nickname_label'), value=participant.nickname if participant else '') \
            .props(f'outlined stack-label bg-color=white maxlength={store.limits.nickname}') \
            .classes('w-full').mark('nickname-input')
        # The server's copy of the page keeps the draft while the phone is away for up to
        # PARTICIPANT_RECONNECT_TIMEOUT (180 s, in tuning.py). A longer absence or a server restart
        # reloads the page, and then the browser's localStorage brings the draft back (see draft.py).
        note_input = _note_box(t, store.limits.note)
        # IME: the Enter that confirms a kana-kanji conversion must never send, so no key submits here.
        # Enter only starts a new line, and the button below is the one way to send.
        button = ui.button(t('join.post'), color='blue-10').classes('fusen-big-button').mark('post-button')

    form = _JoinForm(t, store, storage, session, participant, nickname_input, note_input, button, column)
    if 'lazy-note-list' in disabled_levers():
        form.note_list()
    keep_draft(note_input, form.draft_key)
    for note in reversed(mine):  # newest first
        form.show(note)
    # The click carries the draft's request key from localStorage, which outlives this server-side page.
    button.on('click', form.send_click, js_handler=request_key_js(form.draft_key))


def _session_header(workshop: Workshop, session: Session) -> None:
    with ui.column().classes('fusen-card bg-white gap-2'):
        ui.label(workshop.title).classes('fusen-muted')
        ui.label(session.name).classes('text-2xl font-bold').mark('session-name')
        ui.label(session.question).classes('fusen-question').mark('question')


def _note_box(t: Texts, limit: int) -> ui.textarea:
    """Create the labelled note box with a character counter that shows the limit."""
    return ui.textarea(label=t('join.label')) \
        .props(f'outlined stack-label bg-color=white autogrow counter maxlength={limit}') \
        .props(f'hint="{t("join.limit_hint", limit=limit)}"') \
        .props('input-style="min-height: 5em"').classes('w-full').mark('note-input')


def _known_participant(store: Store, storage: dict, workshop_id: str) -> Participant | None:
    """Return the participant this browser posted as in this workshop, if it still exists there."""
    participant_id = (storage.get(PARTICIPANTS_KEY) or {}).get(workshop_id)
    if not participant_id:
        return None
    participant = store.participant(participant_id)
    if participant is None or participant.workshop_id != workshop_id:
        return None
    return participant


class _JoinForm:
    """The inputs, button and "your notes" list of one open join page, and the send that ties them.

    The heading and list of "your notes" are built with the first note shown: most open pages never
    post, and each element costs every open page memory on the server.
    """

    def __init__(self, t: Texts, store: Store, storage: dict, session: Session, participant: Participant | None,
                 nickname_input: ui.input, note_input: ui.textarea, button: ui.button, column: ui.column) -> None:
        self.t = t
        self.store = store
        self.storage = storage
        self.session = session
        self.participant = participant
        self.nickname_input = nickname_input
        self.note_input = note_input
        self.button = button
        self.column = column
        self._heading: ui.label | None = None
        self._note_list: ui.column | None = None
        self.shown_ids: set[int] = set()
        # One key per draft, renewed only after a success, so a repeated send of the same draft
        # (a double tap, or a resend after a reconnect) returns the stored note instead of a second one.
        # A browser sends the key it keeps in localStorage (see draft.py), which also survives a reload;
        # this one is used when it sends none.
        self.request_key = uuid4().hex
        self.sending = False
        self.draft_key = f'session-{session.id}'

    async def send_click(self, event: events.GenericEventArguments) -> None:
        """Send the draft with the request key that the browser sent along with the click, if it is valid."""
        await self.send(checked_request_key(event.args))

    async def send(self, browser_key: str | None = None) -> None:
        """Store the draft as a note of this participant, then clear the box and list the note."""
        if self.sending:
            return
        self.sending = True
        self.button.disable()
        self.button.text = self.t('common.sending')
        try:
            note = await self._store_note(self.note_input.value or '', self.nickname_input.value or '',
                                          browser_key or self.request_key)
        except InvalidText as error:
            # The message stays under its box until that box is edited, because a notification is easy to miss.
            field = self.nickname_input if error.field == 'nickname' else self.note_input
            field.error = self.t.error(error)
            ui.notify(self.t.error(error), type='negative', position='top', multi_line=True)
        except Exception:
            log.exception('failed to post a note to session %d', self.session.id)
            ui.notify(self.t('common.error_retry'), type='negative', position='top', multi_line=True)
        else:
            # The store returned, so the note is committed. Only now may the page show "sent".
            self.request_key = uuid4().hex
            self.note_input.value = ''
            forget_draft(self.draft_key)
            self.show(note)
            # Repeated sends share one notice with a count, so notices never pile up over the question on a phone.
            ui.notify(self.t('common.sent'), type='positive', position='top', timeout=2500)
        finally:
            self.sending = False
            self.button.text = self.t('join.post')
            self.button.enable()

    async def _store_note(self, note_text: str, nickname: str, request_key: str) -> Note:
        # Check the note before a participant is created, so an empty first send leaves nothing behind.
        text.checked(note_text, 'note', self.store.limits.note, multiline=True)
        if self.participant is None:
            self.participant = await _in_thread(self.store.create_participant, self.session.workshop_id, nickname)
            self._remember(self.participant)
        elif text.clean(nickname) != self.participant.nickname:
            self.participant = await _in_thread(self.store.rename_participant, self.participant.id, nickname)
        return await _in_thread(self.store.post_note, self.session.id, self.participant.id, note_text,
                                request_key=request_key)

    def _remember(self, participant: Participant) -> None:
        """Keep the participant id in this browser's storage, so a reload posts as the same person."""
        known = dict(self.storage.get(PARTICIPANTS_KEY) or {})
        known[participant.workshop_id] = participant.id
        self.storage[PARTICIPANTS_KEY] = known  # assigning a new dict is a change the storage detects and saves

    def show(self, note: Note) -> None:
        """Put a note at the top of "your notes" as plain text, unless it is listed already."""
        if note.id in self.shown_ids:
            return
        self.shown_ids.add(note.id)
        with self.note_list():
            label = ui.label(note.text).classes('fusen-note-mine').mark('my-note')
        label.move(target_index=0)
        self._heading.visible = True

    def note_list(self) -> ui.column:
        """Return the "your notes" list, building it and its hidden heading at the end of the page the first time."""
        if self._note_list is None:
            with self.column:
                self._heading = ui.label(self.t('join.my_notes')).classes('text-xl font-bold mt-4')
                self._heading.visible = False
                self._note_list = ui.column().classes('w-full gap-2').mark('my-notes')
        return self._note_list


async def _in_thread(function: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Run a blocking store call in a worker thread and return its result.

    :raises asyncio.CancelledError: if the app is stopping, where NiceGUI 3.18's ``run.io_bound`` returns None
    """
    result = await run.io_bound(function, *args, **kwargs)
    if result is None:
        raise asyncio.CancelledError
    return result
