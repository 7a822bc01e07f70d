"""One simulated browser tab: it loads a NiceGUI page, keeps its websocket open and sends element events."""
import asyncio
import logging
import random
import time
import uuid
from collections.abc import Callable

import aiohttp

from .protocol import (BROWSER_HEADERS, Page, PageFormatError, ack_frame, asset_paths, event_frame,
                       parse_message, parse_page, socket_url)

log = logging.getLogger(__name__)

ACK_INTERVAL = 3.0  # seconds between acknowledgements; nicegui.js also acknowledges in batches
BROWSER_CONNECTIONS_PER_HOST = 6  # what Chromium opens in parallel to one HTTP/1.1 host
CONNECT_TIMEOUT = 30.0
MAX_RECONNECTS = 5  # per phone and run, so a server that keeps closing sockets cannot keep a phone busy
RECONNECT_DELAY = (1.0, 5.0)  # seconds, the range of socket.io-client's default backoff

UpdateHandler = Callable[[dict, float], None]


class PhoneError(Exception):
    """A page load or websocket connection that failed, with the step that failed."""


class Phone:
    """A browser tab on one page; ``open`` loads it like a browser and ``post_note`` types and taps."""

    def __init__(self, base_url: str, path: str, http: aiohttp.ClientSession, *,
                 first_visit: bool = False, on_update: UpdateHandler | None = None, reconnect: bool = False,
                 clock: Callable[[], float] = time.time) -> None:
        self.base_url = base_url
        self.clock = clock  # stamps sent notes and received updates
        self.path = path
        self.http = http
        self.first_visit = first_visit
        self.on_update = on_update
        self.page: Page | None = None
        self.socket: aiohttp.ClientWebSocketResponse | None = None
        self.reader: asyncio.Task | None = None
        self.next_message_id = 0
        self.acked_message_id = 0
        self.last_ack = 0.0
        self.closed_by_server = False
        self.closing = False
        self.reconnect = reconnect  # off by default, so a dropped socket ends the reader at once
        self.reconnects = 0
        self.document_id = str(uuid.uuid4())
        self.tab_id = str(uuid.uuid4())
        self.asset_bytes = 0

    async def open(self) -> float:
        """Load the page, its assets on a first visit, and the websocket; return the seconds until interactive.

        :raises PhoneError: if any step fails or takes longer than CONNECT_TIMEOUT
        """
        started = time.perf_counter()
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT):
                html = await self._get_page()
                if self.first_visit:
                    await self._get_assets(asset_paths(html))
                await self._connect()
        except (aiohttp.ClientError, asyncio.TimeoutError, PageFormatError, OSError) as error:
            raise PhoneError(f'{type(error).__name__}: {error}') from error
        self.reader = asyncio.create_task(self._read())
        return time.perf_counter() - started

    async def _get_page(self) -> str:
        async with self.http.get(self.base_url + self.path, headers=BROWSER_HEADERS) as response:
            text = await response.text()
            if response.status != 200:
                raise PhoneError(f'GET {self.path} returned {response.status}')
        self.page = parse_page(text)
        return text

    async def _get_assets(self, paths: list[str]) -> None:
        """Fetch the page's files as a browser with an empty cache does: six at a time on their own connections."""
        connector = aiohttp.TCPConnector(limit=BROWSER_CONNECTIONS_PER_HOST)
        async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as browser:
            async def fetch(path: str) -> None:
                async with browser.get(self.base_url + path, headers=BROWSER_HEADERS) as response:
                    body = await response.read()
                    if response.status != 200:
                        raise PhoneError(f'GET {path} returned {response.status}')
                    self.asset_bytes += int(response.headers.get('Content-Length') or len(body))

            await asyncio.gather(*(fetch(path) for path in paths))

    async def _connect(self) -> None:
        """Open the websocket as nicegui.js does and wait for socket.io's connect acknowledgement."""
        assert self.page is not None
        url = socket_url(self.base_url, self.page.client_id, self.next_message_id,
                         document_id=self.document_id, tab_id=self.tab_id)
        self.socket = await self.http.ws_connect(url, headers={'User-Agent': BROWSER_HEADERS['User-Agent']},
                                                 autoping=True, max_msg_size=0)
        opening = await self.socket.receive_str()
        if not opening.startswith('0'):
            raise PhoneError(f'expected the engine.io open frame, got {opening[:80]!r}')
        await self.socket.send_str('40')
        while True:  # the connect acknowledgement may follow other frames
            frame = await self.socket.receive_str()
            if frame.startswith('40'):
                return
            if frame.startswith('44'):
                raise PhoneError(f'socket.io refused the connection: {frame[:200]}')
            self._handle(frame)

    async def _read(self) -> None:
        """Handle frames until the tab closes; reconnect as socket.io-client does when the server drops the socket."""
        while True:
            await self._read_socket()
            if not self.reconnect or self.closing or self.reconnects >= MAX_RECONNECTS:
                return
            self.reconnects += 1
            await asyncio.sleep(random.uniform(*RECONNECT_DELAY))
            if self.closing:
                return
            try:
                async with asyncio.timeout(CONNECT_TIMEOUT):
                    await self._connect()
            except (aiohttp.ClientError, asyncio.TimeoutError, PhoneError, OSError) as error:
                log.warning('reconnect %d of %s failed: %s', self.reconnects, self.path, error)
                return

    async def _read_socket(self) -> None:
        assert self.socket is not None
        try:
            async for message in self.socket:
                if message.type == aiohttp.WSMsgType.TEXT:
                    if message.data == '2':  # engine.io's ping, to which a browser replies with a pong
                        await self._send('3')
                        continue
                    self._handle(message.data)
                    await self._maybe_ack()
                elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.ERROR):
                    break
        except (aiohttp.ClientError, ConnectionError) as error:
            log.debug('websocket of %s failed: %s', self.path, error)
        self.closed_by_server = not self.closing
        if self.closed_by_server and self.reconnect:  # the chaos test drops every socket on purpose
            log.warning('websocket of %s closed by the server with code %s, exception %r',
                        self.path, self.socket.close_code, self.socket.exception())

    def _handle(self, frame: str) -> None:
        message = parse_message(frame)
        if message is None:
            return
        _, data = message
        if '_id' in data:
            self.next_message_id = data['_id'] + 1
        if self.on_update is not None:
            self.on_update(data, self.clock())

    async def _maybe_ack(self) -> None:
        now = time.monotonic()
        if self.next_message_id > self.acked_message_id and now - self.last_ack > ACK_INTERVAL:
            self.last_ack = now
            self.acked_message_id = self.next_message_id
            await self._send(ack_frame(self.page.client_id, self.next_message_id))

    async def _send(self, frame: str) -> None:
        if self.socket is not None and not self.socket.closed:
            await self.socket.send_str(frame)

    @property
    def connected(self) -> bool:
        return self.socket is not None and not self.socket.closed

    async def post_note(self, text: str) -> float:
        """Type the text into the page's note box, tap its post button and return the time of the tap by ``clock``."""
        assert self.page is not None
        box = self.page.find('nicegui-input', type='textarea')
        button = self.page.find('q-btn', label='投稿する')
        await self._send(event_frame(self.page.client_id, self.page.listener(box, 'update:value'), text))
        # A click handler written in JavaScript sends the draft's request key, which the page keeps in
        # localStorage as 32 hex digits, so a simulated phone sends a fresh key of that form per note.
        click = self.page.listener(button, 'click')
        arguments = [uuid.uuid4().hex] if self.page.has_js_handler(button, 'click') else []
        sent_at = self.clock()
        await self._send(event_frame(self.page.client_id, click, *arguments))
        return sent_at

    async def close(self) -> None:
        """Close the websocket as a closing tab does."""
        self.closing = True
        if self.socket is not None:
            await self.socket.close()
        if self.reader is not None:
            await asyncio.wait([self.reader], timeout=5)
