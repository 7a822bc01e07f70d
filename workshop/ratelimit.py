"""Sliding-window rate limits, kept in memory because one process serves the whole event."""
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class RateLimiter:
    """Allows at most ``limit`` events per key in any ``window`` seconds; a limit of 0 allows everything."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._events: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record an event for the key and tell whether it is within the limit; a refused event is not recorded."""
        if self.limit <= 0:
            return True
        now = self._clock()
        with self._lock:
            events = self._events[key]
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            if len(self._events) > 10_000:
                self._forget_idle(now)
            return True

    def retry_after(self, key: str) -> float:
        """Return the seconds until the key may act again, 0 if it may now."""
        with self._lock:
            events = self._events.get(key)
            if not events or len(events) < self.limit:
                return 0.0
            return max(0.0, events[0] + self.window - self._clock())

    def _forget_idle(self, now: float) -> None:
        # Keys of people who left would otherwise pile up for the whole event.
        for key in [key for key, events in self._events.items() if not events or events[-1] <= now - self.window]:
            del self._events[key]
