"""The store and settings of the running instance, set once by ``register`` in sessions/app.py.

Tests read them here, because NiceGUI runs run.py afresh for every test and nothing defined there
is visible to the test module.
"""
from workshop.config import Settings
from workshop.store import Store

_current: dict[str, object] = {}


def install(store: Store, settings: Settings) -> None:
    _current['store'] = store
    _current['settings'] = settings


def store() -> Store:
    """Return the running instance's store.

    :raises RuntimeError: if the app has not been registered yet
    """
    if 'store' not in _current:
        raise RuntimeError('no store installed; call sessions.app.register(store, settings) first')
    return _current['store']  # type: ignore[return-value]


def settings() -> Settings:
    if 'settings' not in _current:
        raise RuntimeError('no settings installed; call sessions.app.register(store, settings) first')
    return _current['settings']  # type: ignore[return-value]
