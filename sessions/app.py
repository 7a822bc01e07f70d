"""Registers every page of the app on NiceGUI and connects them to the store."""
import logging

from nicegui import ui

from workshop.config import Settings
from workshop.store import Store

from . import (board, card_page, facilitator, guard, join_page, live, runtime, scan_images, scan_page, setup, theme,
               transcribe_page)

log = logging.getLogger(__name__)


def register(store: Store, settings: Settings) -> None:
    """Register all pages, serving the given store; call once before ``ui.run``."""
    runtime.install(store, settings)
    ui.button.default_props('no-caps')  # Quasar upper-cases captions, which garbles mixed Japanese and Latin
    theme.install_colors()
    live.connect(store)
    guard.install(settings.public_url, settings.limits.requests_per_minute)
    setup.register()
    facilitator.register()
    card_page.register()
    join_page.register()
    board.register()
    scan_images.register()
    scan_page.register()
    transcribe_page.register()
    log.info('pages registered for data folder %s, public URL %s', settings.data_dir, settings.public_url)
