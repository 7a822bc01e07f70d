"""The organiser's start page: create a workshop and its sessions, then keep the facilitator link."""
import logging

from fastapi import Request
from nicegui import run, ui

from workshop.model import NewWorkshop
from workshop.text import InvalidText
from workshop.urls import board_url, facilitator_url, join_url

from . import runtime
from .texts import Texts, page_texts
from .theme import frame

log = logging.getLogger(__name__)

FIRST_SESSION_ROWS = 2
MAX_SESSIONS = 26


def register() -> None:
    ui.page('/')(setup_page)


def setup_page(request: Request) -> None:
    """Show the form that creates a workshop; after creation, show its links once."""
    t = page_texts(request)
    limits = runtime.store().limits
    content = frame(t, request, t('setup.title'))
    with content:
        ui.label(t('setup.heading')).classes('text-2xl font-bold')
        ui.label(t('setup.intro')).classes('fusen-muted')
        with ui.card().classes('fusen-card') as form:
            # maxlength with a counter: the box shows the limit while typing, instead of an error after 作成.
            title = ui.input(t('setup.field_title'), validation=_max(t, limits.title)) \
                .props(f'outlined counter maxlength={limits.title}').classes('w-full').mark('title')
            with ui.row().classes('w-full gap-4'):
                date = ui.input(t('setup.field_date')).props('outlined type=date stack-label').classes('grow').mark('date')
                venue = ui.input(t('setup.field_venue')).props(f'outlined counter maxlength={limits.venue}') \
                    .classes('grow').mark('venue')
            question = ui.textarea(t('setup.field_question')) \
                .props(f'outlined autogrow counter maxlength={limits.question}').classes('w-full').mark('question')
            ui.label(t('setup.sessions_heading')).classes('text-lg font-bold mt-2')
            ui.label(t('setup.sessions_hint')).classes('fusen-muted')
            rows = ui.column().classes('w-full gap-2')
            session_inputs: list[tuple[ui.input, ui.input]] = []

            def add_row() -> None:
                if len(session_inputs) >= MAX_SESSIONS:
                    ui.notify(t('setup.too_many_sessions', count=MAX_SESSIONS), type='warning')
                    return
                number = len(session_inputs) + 1
                with rows, ui.row().classes('w-full gap-2 items-start'):
                    name = ui.input(t('setup.session_name', number=number)) \
                        .props(f'outlined counter maxlength={limits.session_name}') \
                        .classes('grow min-w-[10rem]').mark(f'session-name-{number}')
                    session_question = ui.input(t('setup.session_question')) \
                        .props(f'outlined counter maxlength={limits.question}') \
                        .classes('grow-[2] min-w-[14rem]').mark(f'session-question-{number}')
                session_inputs.append((name, session_question))

            for _ in range(FIRST_SESSION_ROWS):
                add_row()
            ui.button(t('setup.add_session'), icon='add', on_click=add_row).props('flat').mark('add-session')

            async def create() -> None:
                sessions = [(name.value, session_question.value) for name, session_question in session_inputs
                            if name.value.strip() or session_question.value.strip()]
                button.disable()
                try:
                    created = await run.io_bound(
                        runtime.store().create_workshop, title.value, date=date.value or '', venue=venue.value,
                        question=question.value, sessions=sessions)
                except InvalidText as error:
                    ui.notify(t.error(error), type='negative')
                    button.enable()
                    return
                form.delete()
                with content:
                    _show_created(t, created)

            button = ui.button(t('setup.create'), on_click=create).classes('fusen-big-button').mark('create')


def _show_created(t: Texts, created: NewWorkshop) -> None:
    """Show the facilitator link once, with the other links of the new workshop."""
    public_url = runtime.settings().public_url
    workshop = created.workshop
    secret_link = facilitator_url(public_url, created.facilitator_key)
    with ui.card().classes('fusen-card').mark('created'):
        ui.label(t('setup.created', title=workshop.title)).classes('text-xl font-bold')
        ui.label(t('setup.keep_link')).classes('text-lg text-red-800 font-bold')
        ui.link(secret_link, secret_link).classes('text-lg break-all').mark('facilitator-link')
        ui.label(t('setup.id', id=workshop.id)).mark('workshop-id')
        ui.label(t('setup.join_link')).classes('font-bold mt-2')
        ui.label(join_url(public_url, workshop.join_token)).classes('break-all').mark('join-link')
        ui.label(t('setup.board_link')).classes('font-bold mt-2')
        ui.label(board_url(public_url, workshop.id)).classes('break-all').mark('board-link')
        ui.button(t('setup.open_facilitator'), on_click=lambda: ui.navigate.to(secret_link)) \
            .classes('fusen-big-button mt-4').mark('open-facilitator')
    log.info('workshop %s created from the set-up page', workshop.id)


def _max(t: Texts, limit: int) -> dict:
    return {t('setup.max_length', limit=limit): lambda value: len(value or '') <= limit}
