"""Board observers: they open a board page and record when each benchmark note first shows on it."""
import asyncio
import logging
import re
import time
from collections.abc import Callable

import aiohttp
import psutil

from .phone import Phone

log = logging.getLogger(__name__)

NOTE_LABEL = re.compile(r'bench-[0-9]+-[0-9]+')

# Runs inside the board page: records the wall-clock time at which a note's label first enters the DOM.
# Date.now() follows the same system clock as Python's time.time(). performance.timeOrigin plus
# performance.now() follows a monotonic clock instead, and drifted by 0.3 s from it within a run here.
_WATCH_SCRIPT = r'''
() => {
  window.__benchSeen = {};
  const pattern = /bench-[0-9]+-[0-9]+/g;
  const record = (text) => {
    const now = Date.now();
    for (const label of (text || '').match(pattern) || []) {
      if (!(label in window.__benchSeen)) window.__benchSeen[label] = now;
    }
  };
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === 'characterData') record(mutation.target.textContent);
      for (const node of mutation.addedNodes) record(node.textContent);
    }
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}
'''


def _lower_chromium_priority() -> None:
    """Give Chromium's processes a lower CPU priority than the server's.

    Headless Chromium renders the projector's 1920×1080 board in software here, with a 10 s glow
    on every new note, and took more than one of the machine's two cores while notes arrived.
    A real projector is a separate machine, so its rendering should not starve the server under test.
    """
    for child in psutil.Process().children(recursive=True):
        try:
            if 'chrom' in child.name():
                child.nice(10)
        except psutil.Error as error:
            log.warning('could not lower the priority of process %d: %s', child.pid, error)


class SimulatedBoard:
    """A board page opened by a simulated browser, which timestamps each note label in the updates it receives."""

    def __init__(self, base_url: str, path: str, http: aiohttp.ClientSession,
                 clock: Callable[[], float] = time.time) -> None:
        self.seen: dict[str, float] = {}
        self.phone = Phone(base_url, path, http, on_update=self._record, reconnect=True, clock=clock)

    async def open(self) -> float:
        return await self.phone.open()

    def _record(self, data: dict, received_at: float) -> None:
        for element in data.values():
            if not isinstance(element, dict):
                continue
            # A label carries its text in the element, and a board card (sessions/note_card.py) in its props.
            props = element.get('props') or {}
            for text in (element.get('text'), props.get('text')):
                for label in NOTE_LABEL.findall(str(text or '')):
                    self.seen.setdefault(label, received_at)

    async def close(self) -> None:
        await self.phone.close()


class ChromiumBoard:
    """The board in a real headless Chromium, as the projector shows it."""

    def __init__(self, url: str, chromium: str = '/usr/bin/chromium') -> None:
        self.url = url
        self.chromium = chromium
        self.seen: dict[str, float] = {}
        self._playwright = None
        self._browser = None
        self._page = None

    async def open(self) -> float:
        """Start Chromium, load the board and start watching; return the seconds until the board is interactive."""
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(
            executable_path=self.chromium,
            args=['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync', '--no-first-run'])
        self._page = await self._browser.new_page(viewport={'width': 1920, 'height': 1080})
        started = time.perf_counter()
        await self._page.goto(self.url)
        await self._page.wait_for_function('window.did_handshake === true', timeout=30_000)
        elapsed = time.perf_counter() - started
        await self._page.evaluate(_WATCH_SCRIPT)
        _lower_chromium_priority()
        return elapsed

    async def collect(self) -> None:
        """Copy the page's timestamps (milliseconds since the epoch) into ``seen`` as seconds."""
        if self._page is None:
            return
        try:
            stamps = await self._page.evaluate('window.__benchSeen || {}')
        except Exception as error:  # a crashed tab still lets the run report what the simulated boards saw
            log.warning('could not read the Chromium board: %s', error)
            return
        self.seen = {label: milliseconds / 1000 for label, milliseconds in stamps.items()}

    async def close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
