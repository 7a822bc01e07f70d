"""The paper stream's page: a card's QR code opens it, and anyone types what the card says or photographs it.

The page is kept small (a few labels, one text area, one button, the photo upload of
sessions/card_photo.py) because every open phone keeps its element tree in the server's memory.
It does not follow the board live: the person only needs to know that their text is stored.
"""
import asyncio
import logging

from fastapi import Request
from fastapi.responses import HTMLResponse
from nicegui import run, ui

from workshop.model import Card, Session
from workshop.store import Store
from workshop.text import InvalidText
from workshop.urls import CARD_PREFIX

from . import runtime
from .card_photo import add_photo_upload
from .draft import forget_draft, keep_draft
from .texts import Texts, page_texts
from .tuning import PARTICIPANT_RECONNECT_TIMEOUT
from .theme import frame, not_found

log = logging.getLogger(__name__)


def register() -> None:
    """Register the card page under /c/ and /C/, because QR codes may carry the URL in upper case."""
    for prefix in (CARD_PREFIX, CARD_PREFIX.upper()):
        ui.page(prefix + '{token}', reconnect_timeout=PARTICIPANT_RECONNECT_TIMEOUT)(card_page)


def card_page(token: str, request: Request) -> HTMLResponse | None:
    """Build the page where the text written on one paper card is typed and sent to the board."""
    t = page_texts(request)
    store = runtime.store()
    card = store.card_by_token(token)
    if card is None:
        return not_found(t)
    session = store.session(card.session_id)
    earlier = store.card_note(card.id)

    with frame(t, request, session.name):
        _card_header(t, session, card)
        ui.label(t('card.instruction'))
        update_hint = ui.label(t('card.will_update')).classes('fusen-muted').mark('will-update')
        update_hint.visible = earlier is not None and bool(earlier.text)  # a photo alone is not replaced by typing
        note_input = _note_box(t, store.limits.note, earlier.text if earlier else '')
        # IME: the Enter that confirms a kana-kanji conversion must never send, so no key submits here.
        # Enter only starts a new line, and the button below is the one way to send.
        button = ui.button(t('card.post'), color='blue-10').classes('fusen-big-button').mark('post-button')
        sent = ui.label(t('card.sent')).classes('text-xl font-bold text-green-900').mark('sent')
        sent.visible = False
        add_photo_upload(t, card)

    form = _CardForm(t, store, card, token, note_input, button, sent, update_hint)
    keep_draft(note_input, f'card-{card.id}')
    button.on_click(form.send)
    note_input.on_value_change(form.hide_sent)
    return None


def _card_header(t: Texts, session: Session, card: Card) -> None:
    with ui.column().classes('fusen-card bg-white gap-2'):
        ui.label(session.name).classes('text-2xl font-bold').mark('session-name')
        ui.label(session.question).classes('fusen-question').mark('question')
        ui.label(t('card.code', code=card.code)).classes('fusen-muted').mark('card-code')


def _note_box(t: Texts, limit: int, value: str) -> ui.textarea:
    """Create the labelled box for the card's text, with a character counter that shows the limit."""
    return ui.textarea(label=t('card.label'), value=value) \
        .props(f'outlined stack-label bg-color=white autogrow counter maxlength={limit}') \
        .props(f'hint="{t("card.limit_hint", limit=limit)}"') \
        .props('input-style="min-height: 5em"').classes('w-full').mark('note-input')


class _CardForm:
    """The text area, button and confirmation of one open card page, and the send that ties them."""

    def __init__(self, t: Texts, store: Store, card: Card, token: str, note_input: ui.textarea,
                 button: ui.button, sent: ui.label, update_hint: ui.label) -> None:
        self.t = t
        self.store = store
        self.card = card
        self.token = token
        self.note_input = note_input
        self.button = button
        self.sent = sent
        self.update_hint = update_hint
        self.sending = False

    async def send(self) -> None:
        """Store the typed text as the card's note and confirm it. A second tap while sending is ignored."""
        if self.sending:
            return
        self.sending = True
        self.button.disable()
        self.button.text = self.t('common.sending')
        try:
            note = await run.io_bound(self.store.submit_card_text, self.token, self.note_input.value or '')
            if note is None:
                # NiceGUI 3.18 returns None in place of the result while the app stops, so nothing is confirmed then.
                raise asyncio.CancelledError
        except InvalidText as error:
            # The message stays under the box until the text is edited, because a notification is easy to miss.
            self.note_input.error = self.t.error(error)
            ui.notify(self.t.error(error), type='negative', position='top', multi_line=True)
        except Exception:
            log.exception('failed to store the text of card %d', self.card.id)
            ui.notify(self.t('common.error_retry'), type='negative', position='top', multi_line=True)
        else:
            # The store returned, so the note is committed. Only now may the page show "sent".
            self.sent.visible = True
            self.update_hint.visible = True
            forget_draft(f'card-{self.card.id}')
            # Repeated sends share one notice with a count, so notices never pile up over the question on a phone.
            ui.notify(self.t('common.sent'), type='positive', position='top', timeout=2500)
        finally:
            self.sending = False
            self.button.text = self.t('card.post')
            self.button.enable()

    def hide_sent(self) -> None:
        """Hide the confirmation once the text is edited, because the edit itself is not sent yet."""
        if self.sent.visible and not self.sending:
            self.sent.visible = False
