"""The facilitator's page, opened by the secret link: links, QR codes, card sheets, minutes and exports."""
import base64
import logging
from datetime import datetime

from fastapi import Request
from nicegui import run, ui

from workshop import access
from workshop.export import export_data, to_csv, to_json
from workshop.model import Note, NoteChanged, NoteStatus, Session, Source, Workshop
from workshop.urls import board_url, join_url, qr_text

from . import live, runtime
from .access import facilitator_workshop, remember_pin
from .texts import Texts, page_texts
from .theme import frame

log = logging.getLogger(__name__)

MAX_SHEETS = 20


def register() -> None:
    ui.page('/f/{key}')(facilitator_page)
    ui.page('/F/{key}')(facilitator_page)


def facilitator_page(key: str, request: Request):
    """Show one workshop's tools to the holder of its facilitator key."""
    t = page_texts(request)
    store = runtime.store()
    with frame(t, request, t('app.name')) as content:
        workshop = facilitator_workshop(key, t)
    if not isinstance(workshop, Workshop):
        return workshop
    ui.page_title(f'{t("facilitator.title", title=workshop.title)} | {t("app.name")}')
    sessions = store.sessions(workshop.id)
    with content:
        _header(t, workshop)
        _counts(t, workshop)
        _review(t, workshop)
        _links(t, workshop, sessions)
        _cards(t, workshop, sessions)
        with ui.row().classes('gap-6'):
            ui.link(t('scan.link'), f'/f/{key}/scan').classes('text-lg underline').mark('scan-link')
            ui.link(t('scan.transcribe.link'), f'/f/{key}/transcribe').classes('text-lg underline') \
                .mark('transcribe-link')
        _records(t, workshop)
        _pin_settings(t, workshop)
    return None


def _header(t: Texts, workshop: Workshop) -> None:
    ui.label(workshop.title).classes('text-2xl font-bold').mark('workshop-title')
    details = ' ／ '.join(part for part in (workshop.date, workshop.venue) if part)
    if details:
        ui.label(details).classes('fusen-muted')
    if workshop.question:
        ui.label(workshop.question).classes('fusen-question')


def _counts(t: Texts, workshop: Workshop) -> None:
    """Show the note counts and keep them current as notes arrive."""
    notes = runtime.store().notes(workshop.id)
    totals = {source: sum(1 for note in notes if note.source == source) for source in Source}
    label = ui.label().classes('text-lg').mark('counts')

    def show() -> None:
        label.set_text(t('facilitator.counts', total=sum(totals.values()), paper=totals[Source.PAPER],
                         online=totals[Source.ONLINE]))

    def on_change(change: NoteChanged) -> None:
        if change.created and change.note.workshop_id == workshop.id:
            totals[change.note.source] += 1
            show()

    show()
    live.note_changed.subscribe(on_change)


def _review(t: Texts, workshop: Workshop) -> None:
    """List the notes held because they may carry personal data, to show or hide each one."""
    store = runtime.store()
    rows: dict[int, ui.element] = {}
    with ui.card().classes('fusen-card').mark('review'):
        ui.label(t('review.heading')).classes('text-lg font-bold')
        ui.label(t('review.hint')).classes('fusen-muted')
        empty = ui.label(t('review.empty')).classes('fusen-muted').mark('review-empty')
        held = ui.column().classes('w-full gap-2')

    def decide(note: Note, status: NoteStatus) -> None:
        reason = t('review.reason_personal') if status is NoteStatus.HIDDEN else ''
        store.set_note_status(note.id, status, reason)

    def add(note: Note) -> None:
        with held, ui.row().classes('w-full items-center gap-2 no-wrap').mark('held-note') as row:
            ui.label(note.text).classes('grow fusen-note-mine').mark('held-text')
            ui.button(t('review.show'), on_click=lambda: decide(note, NoteStatus.VISIBLE)).mark('show-note')
            ui.button(t('review.hide'), on_click=lambda: decide(note, NoteStatus.HIDDEN)).props('outline color=negative') \
                .mark('hide-note')
        rows[note.id] = row
        empty.set_visibility(False)

    def on_change(change: NoteChanged) -> None:
        note = change.note
        if note.workshop_id != workshop.id:
            return
        if note.status is NoteStatus.HELD and note.id not in rows:
            add(note)
        elif note.status is not NoteStatus.HELD and note.id in rows:
            rows.pop(note.id).delete()
            empty.set_visibility(not rows)

    for note in store.notes(workshop.id, status=NoteStatus.HELD):
        add(note)
    live.note_changed.subscribe(on_change)


def _links(t: Texts, workshop: Workshop, sessions: list[Session]) -> None:
    public_url = runtime.settings().public_url
    with ui.card().classes('fusen-card'):
        ui.label(t('facilitator.board')).classes('text-lg font-bold')
        board = board_url(public_url, workshop.id)
        ui.link(board, board, new_tab=True).classes('break-all').mark('board-link')
        ui.label(t('facilitator.join')).classes('text-lg font-bold mt-2')
        ui.label(t('facilitator.join_hint')).classes('fusen-muted')
        _join_link(t, workshop, None, t('facilitator.join_all'), 'join-all')
        for session in sessions:
            _join_link(t, workshop, session, f'{session.letter}　{session.name}', f'join-{session.letter}')


def _join_link(t: Texts, workshop: Workshop, session: Session | None, caption: str, marker: str) -> None:
    """Show one join link with its QR code, and offer its poster as a PDF to print and a PNG for LINE."""
    public_url = runtime.settings().public_url
    url = join_url(public_url, session.join_token if session else workshop.join_token)
    name = f'fusen-poster-{workshop.id}' + (f'-{session.letter}' if session else '')

    async def poster_pdf() -> None:
        from printouts.posters import join_poster_pdf

        pdf = await run.io_bound(join_poster_pdf, workshop, session, public_url, t.language)
        ui.download.content(pdf, f'{name}.pdf', 'application/pdf')

    async def poster_png() -> None:
        from printouts.poster_image import join_poster_png

        png = await run.io_bound(join_poster_png, workshop, session, public_url, t.language)
        ui.download.content(png, f'{name}.png', 'image/png')

    with ui.row().classes('items-center gap-4 w-full no-wrap'):
        ui.image(_qr_data_url(url)).classes('w-28 h-28 shrink-0').props('no-spinner no-transition')
        with ui.column().classes('gap-1'):
            ui.label(caption).classes('font-bold')
            ui.label(url).classes('break-all fusen-muted').mark(marker)
            with ui.row().classes('gap-2'):
                ui.button(t('facilitator.poster_pdf'), on_click=poster_pdf).props('outline dense') \
                    .mark(f'poster-pdf-{marker}')
                ui.button(t('facilitator.poster_png'), on_click=poster_png).props('outline dense') \
                    .mark(f'poster-png-{marker}')


def _cards(t: Texts, workshop: Workshop, sessions: list[Session]) -> None:
    """Offer new card sheets for one session or all sessions."""
    store = runtime.store()
    with ui.card().classes('fusen-card'):
        ui.label(t('facilitator.cards')).classes('text-lg font-bold')
        ui.label(t('facilitator.cards_hint')).classes('fusen-muted')
        choices = {0: t('facilitator.all_sessions'), **{s.id: f'{s.letter}　{s.name}' for s in sessions}}
        with ui.row().classes('items-end gap-4 w-full'):
            chosen = ui.select(choices, value=0, label=t('facilitator.session')).classes('min-w-[12rem]') \
                .mark('card-session')
            sheets = ui.number(t('facilitator.sheets'), value=1, min=1, max=MAX_SHEETS, precision=0) \
                .classes('w-56').mark('card-sheets')

        async def make_cards() -> None:
            from printouts.cards import card_sheets_pdf

            count = int(sheets.value or 0)
            if not 1 <= count <= MAX_SHEETS:
                ui.notify(t('facilitator.sheets_range', max=MAX_SHEETS), type='negative')
                return
            targets = [s for s in sessions if chosen.value in (0, s.id)]
            button.disable()
            try:
                cards = []
                for session in targets:
                    cards += await run.io_bound(store.create_cards, session.id, count * 10)
                pdf = await run.io_bound(card_sheets_pdf, workshop, sessions, cards, runtime.settings().public_url,
                                         t.language)
            except ValueError as error:
                log.warning('card sheets for workshop %s failed: %s', workshop.id, error)
                ui.notify(t('facilitator.cards_failed'), type='negative')
                return
            finally:
                button.enable()
            ui.download.content(pdf, f'fusen-cards-{workshop.id}.pdf', 'application/pdf')

        button = ui.button(t('facilitator.make_cards'), icon='print', on_click=make_cards).mark('make-cards')


def _records(t: Texts, workshop: Workshop) -> None:
    """Offer the minutes and the exports as downloads."""
    store = runtime.store()
    stamp = datetime.now().strftime('%Y%m%d-%H%M')

    async def minutes() -> None:
        from printouts.minutes import workshop_minutes_pdf

        pdf = await run.io_bound(workshop_minutes_pdf, store, workshop, t.language)
        ui.download.content(pdf, f'fusen-minutes-{workshop.id}-{stamp}.pdf', 'application/pdf')

    def export(kind: str) -> None:
        data = export_data(store, workshop.id)
        content = to_json(data) if kind == 'json' else to_csv(data)
        media_type = 'application/json' if kind == 'json' else 'text/csv'
        ui.download.content(content.encode('utf-8'), f'fusen-{workshop.id}-{stamp}.{kind}', media_type)

    with ui.card().classes('fusen-card'):
        ui.label(t('facilitator.records')).classes('text-lg font-bold')
        with ui.row().classes('gap-4'):
            ui.button(t('facilitator.minutes'), icon='description', on_click=minutes).mark('minutes')
            ui.button(t('facilitator.export_json'), on_click=lambda: export('json')).props('outline') \
                .mark('export-json')
            ui.button(t('facilitator.export_csv'), on_click=lambda: export('csv')).props('outline') \
                .mark('export-csv')


def _pin_settings(t: Texts, workshop: Workshop) -> None:
    """Let the facilitator set, change or remove the PIN that this page requires."""
    store = runtime.store()
    with ui.card().classes('fusen-card'):
        ui.label(t('access.pin_settings')).classes('text-lg font-bold')
        state = ui.label().classes('fusen-muted').mark('pin-state')
        pin = ui.input(t('access.pin_new'), password=True).props('outlined inputmode=numeric autocomplete=new-password') \
            .classes('w-64').mark('new-pin')

        def show_state() -> None:
            state.set_text(t('access.pin_is_set') if access.pin_version(store, workshop.id) else t('access.pin_not_set'))

        def save(value: str | None) -> None:
            try:
                access.set_pin(store, workshop.id, value)
            except ValueError:
                ui.notify(t('access.pin_invalid'), type='negative')
                return
            pin.value = ''
            # This browser entered the PIN it just chose, so it is not asked again.
            remember_pin(workshop.id, access.pin_version(store, workshop.id))
            ui.notify(t('access.pin_saved') if value else t('access.pin_removed'), type='positive')
            show_state()

        with ui.row().classes('gap-4'):
            ui.button(t('access.pin_save'), on_click=lambda: save((pin.value or '').strip())).mark('save-pin')
            ui.button(t('access.pin_remove'), on_click=lambda: save(None)).props('outline').mark('remove-pin')
        show_state()


def _qr_data_url(url: str) -> str:
    from printouts.qr import qr_png

    return 'data:image/png;base64,' + base64.b64encode(qr_png(qr_text(url))).decode('ascii')
