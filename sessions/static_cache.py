"""Gzip each of NiceGUI's versioned assets once and serve the cached bytes to every later visitor.

NiceGUI 3.18 compresses every response with Starlette's GZipMiddleware, so each first-time phone
costs the server the compression of about 1.4 MB of scripts and styles again (about 84 ms of CPU at
level 9 on a 2-core machine). Files under ``/_nicegui/<version>/`` never change while that version
runs, so their compressed bytes are kept in memory after the first request. Every other response
(pages, uploads, downloads) still goes through the GZipMiddleware.
"""
import asyncio
import gzip
import logging
from dataclasses import dataclass

from nicegui import __version__ as nicegui_version
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

# Folders whose content is fixed per NiceGUI version and per page component; dynamic_resources may vary.
CACHED_FOLDERS = tuple(f'/_nicegui/{nicegui_version}/{folder}/'
                       for folder in ('static', 'libraries', 'components', 'esm', 'resources'))
COMPRESSIBLE_TYPES = ('text/', 'application/javascript', 'application/json', 'image/svg+xml', 'font/ttf')
MINIMUM_SIZE = 500  # bytes; smaller bodies would not get smaller
MAX_CACHE_BYTES = 64 * 2**20  # NiceGUI's assets for all of Fusen's pages compress to a few MB


@dataclass(frozen=True)
class _Cached:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class PrecompressedAssets:
    """ASGI middleware: versioned assets from a cache of compressed bytes, everything else through GZipMiddleware."""

    def __init__(self, app: ASGIApp, compresslevel: int = 9) -> None:
        self.app = app
        self.compresslevel = compresslevel
        self.fallback = GZipMiddleware(app, minimum_size=MINIMUM_SIZE)
        self.cache: dict[str, _Cached] = {}
        self.pending: dict[str, asyncio.Future] = {}
        self.cached_bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable_request(scope):
            await self.fallback(scope, receive, send)
            return
        path = scope['path']
        entry = self.cache.get(path)
        if entry is None:
            entry = await self._load(path, scope, receive)
        await _send(entry, send)

    def _cacheable_request(self, scope: Scope) -> bool:
        if scope['type'] != 'http' or scope['method'] != 'GET' or not scope['path'].startswith(CACHED_FOLDERS):
            return False
        headers = Headers(scope=scope)
        # Range and conditional requests need the file response's own handling (206 and 304).
        if 'range' in headers or 'if-none-match' in headers or 'if-modified-since' in headers:
            return False
        return 'gzip' in headers.get('accept-encoding', '')

    async def _load(self, path: str, scope: Scope, receive: Receive) -> _Cached:
        """Fetch and compress the asset once; requests for it that arrive meanwhile wait for the same result."""
        if path in self.pending:
            return await asyncio.shield(self.pending[path])
        future = asyncio.get_running_loop().create_future()
        self.pending[path] = future
        try:
            entry = await self._fetch(scope, receive)
            if entry.status == 200 and self.cached_bytes + len(entry.body) <= MAX_CACHE_BYTES:
                self.cache[path] = entry
                self.cached_bytes += len(entry.body)
            future.set_result(entry)
            return entry
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # marks the exception as retrieved when no other request waits for it
            raise
        finally:
            del self.pending[path]

    async def _fetch(self, scope: Scope, receive: Receive) -> _Cached:
        start: Message = {}
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal start
            if message['type'] == 'http.response.start':
                start = message
            elif message['type'] == 'http.response.body':
                chunks.append(message.get('body', b''))

        await self.app(scope, receive, collect)
        body = b''.join(chunks)
        headers = MutableHeaders(raw=list(start.get('headers', [])))
        if (start.get('status') != 200 or len(body) < MINIMUM_SIZE or 'content-encoding' in headers
                or not headers.get('content-type', '').startswith(COMPRESSIBLE_TYPES)):
            return _Cached(start.get('status', 500), headers.raw, body)
        # Compressing a megabyte takes tens of milliseconds, so it runs off the event loop.
        body = await asyncio.to_thread(gzip.compress, body, self.compresslevel, mtime=0)
        headers['content-encoding'] = 'gzip'
        headers['content-length'] = str(len(body))
        headers.add_vary_header('Accept-Encoding')
        if 'etag' in headers and not headers['etag'].startswith('W/'):
            headers['etag'] = 'W/' + headers['etag']  # the bytes differ from the file the strong ETag names
        return _Cached(200, headers.raw, body)


async def _send(entry: _Cached, send: Send) -> None:
    await send({'type': 'http.response.start', 'status': entry.status, 'headers': entry.headers})
    await send({'type': 'http.response.body', 'body': entry.body})
