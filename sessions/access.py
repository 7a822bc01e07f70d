"""The gate in front of facilitator and staff pages: the secret key, then the PIN when one is set."""
import logging

from fastapi.responses import HTMLResponse
from nicegui import app, run, ui

from workshop import access
from workshop.model import Workshop

from . import runtime
from .texts import Texts
from .theme import not_found

log = logging.getLogger(__name__)

_PASSED_KEY = 'pins_passed'  # in app.storage.user: workshop id → the PIN version this browser entered


def facilitator_workshop(key: str, t: Texts) -> Workshop | HTMLResponse | None:
    """Return the workshop the key opens once its PIN (if any) was entered in this browser.

    A wrong key returns a 404 response. With a PIN still to enter, this builds the PIN form in the
    current page and returns None, so the caller builds nothing else.
    """
    store = runtime.store()
    workshop = store.workshop_by_facilitator_key(key)
    if workshop is None:
        return not_found(t)
    version = access.pin_version(store, workshop.id)
    if _pin_entered(workshop.id, version):
        return workshop
    _pin_form(t, workshop, version)
    return None


def pin_entered(workshop_id: str) -> bool:
    """Return whether the workshop has no PIN or this browser entered its current one.

    Plain HTTP routes can call it too: NiceGUI's ``RequestTrackingMiddleware`` (nicegui/storage.py,
    3.18) binds ``app.storage.user`` to the browser's session cookie on every request, not only on pages.
    """
    return _pin_entered(workshop_id, access.pin_version(runtime.store(), workshop_id))


def remember_pin(workshop_id: str, version: str | None) -> None:
    """Record in this browser's storage that it entered the PIN of this version."""
    passed = dict(app.storage.user.get(_PASSED_KEY, {}))
    passed[workshop_id] = version
    app.storage.user[_PASSED_KEY] = passed


def _pin_entered(workshop_id: str, version: str | None) -> bool:
    return version is None or app.storage.user.get(_PASSED_KEY, {}).get(workshop_id) == version


def _pin_form(t: Texts, workshop: Workshop, version: str) -> None:
    with ui.card().classes('fusen-card'):
        ui.label(t('access.pin_heading')).classes('text-xl font-bold')
        ui.label(workshop.title).classes('fusen-muted')
        pin = ui.input(t('access.pin_label'), password=True).props('outlined inputmode=numeric autocomplete=off') \
            .classes('w-full').mark('pin')
        message = ui.label().classes('text-red-800').mark('pin-message')

        async def submit() -> None:
            # The box is emptied before the check, so a PIN typed while the check runs is never wiped.
            entered = (pin.value or '').strip()
            pin.value = ''
            message.set_text('')
            result = await run.io_bound(access.check_pin, runtime.store(), workshop.id, entered)
            if result is None:  # the app is stopping
                return
            if result.accepted:
                remember_pin(workshop.id, version)
                log.info('PIN accepted for workshop %s', workshop.id)
                ui.navigate.reload()
            elif result.locked:
                message.set_text(t('access.pin_locked', minutes=max(1, round(result.retry_after / 60))))
            elif result.malformed:
                message.set_text(t('access.pin_invalid'))
            else:
                message.set_text(t('access.pin_wrong'))

        pin.on('keydown.enter', submit)
        ui.button(t('access.pin_submit'), on_click=submit).classes('fusen-big-button').mark('pin-submit')
