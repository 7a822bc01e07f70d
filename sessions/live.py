"""The bridge from the store's commits to the pages that show them.

The store calls its listeners on whatever thread wrote (the event loop or a worker thread of
``run.io_bound``). NiceGUI updates must happen on the event loop, so writes from other threads are
handed over with ``call_soon_threadsafe``. Pages subscribe to ``note_changed`` and append or update
the one note that changed; nothing rebuilds a whole board per note.
"""
import asyncio
import logging

from nicegui import Event, core

from workshop.model import NoteChanged
from workshop.store import Store

log = logging.getLogger(__name__)

note_changed: Event[NoteChanged] = Event()


def connect(store: Store) -> None:
    """Forward every note the store commits to ``note_changed`` on NiceGUI's event loop."""

    def forward(change: NoteChanged) -> None:
        target = core.loop or _running_loop()
        if target is None:
            log.warning('note %d committed with no event loop to tell the pages', change.note.id)
            return
        if _running_loop() is target:
            note_changed.emit(change)
        else:
            target.call_soon_threadsafe(note_changed.emit, change)

    store.note_changed.subscribe(forward)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
