"""A list of listeners that the store calls after each commit.

The core stays free of UI code, so the pages bridge this hub to NiceGUI's ``Event`` (see sessions/live.py).
"""
import logging
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar('T')


class Hub(Generic[T]):
    """Calls every subscribed listener with each emitted value, in subscription order."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[T], None]] = []

    def subscribe(self, listener: Callable[[T], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[T], None]) -> None:
        self._listeners = [other for other in self._listeners if other is not listener]

    def emit(self, value: T) -> None:
        """Call every listener; a failing listener is logged and does not stop the others."""
        for listener in list(self._listeners):
            try:
                listener(value)
            except Exception:
                log.exception('event listener %r failed', listener)
