"""Protections in front of every page: a per-IP request limit and the websocket's Origin check."""
import html
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from nicegui import app, core
from starlette.types import ASGIApp, Receive, Scope, Send

from workshop import i18n
from workshop.ratelimit import RateLimiter

log = logging.getLogger(__name__)

# NiceGUI's own scripts, styles, fonts and the websocket are not page views, so they do not count.
_UNCOUNTED_PREFIXES = ('/_nicegui', '/favicon')


def install(public_url: str, requests_per_minute: int) -> None:
    """Add the request limit and restrict the websocket handshake to this app's own origins."""
    app.add_middleware(RequestLimitMiddleware, limiter=RateLimiter(requests_per_minute))
    core.sio.eio.cors_allowed_origins = origin_checker(public_url)


def origin_checker(public_url: str) -> Callable[[str, dict], bool]:
    """Return a check that accepts the public URL's origin and the origin of the host that was asked.

    A page served on another site could otherwise open a websocket to the venue laptop in the name of a
    visitor's browser. Clients that send no Origin header (not browsers) are not checked by engine.io.
    """
    public = _origin(public_url)

    def allowed(origin: str, environ: dict) -> bool:
        host = environ.get('HTTP_X_FORWARDED_HOST') or environ.get('HTTP_HOST', '')
        scheme = environ.get('HTTP_X_FORWARDED_PROTO') or environ.get('wsgi.url_scheme', 'http')
        accepted = origin in {public, f'{scheme.split(",")[0].strip()}://{host.split(",")[0].strip()}'}
        if not accepted:
            log.warning('rejected a websocket handshake from origin %r', origin)
        return accepted

    return allowed


class RequestLimitMiddleware:
    """Responds with 429 to an IP address that opens more pages per minute than the limit allows."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope['type'] != 'http' or scope['path'].startswith(_UNCOUNTED_PREFIXES):
            await self.app(scope, receive, send)
            return
        address = (scope.get('client') or ('unknown', 0))[0]
        if self.limiter.allow(address):
            await self.app(scope, receive, send)
            return
        log.warning('request limit reached for an IP address; responded with 429')  # the address itself stays out of logs
        await _too_many_requests(scope, send, round(self.limiter.retry_after(address)) + 1)


async def _too_many_requests(scope: Scope, send: Callable[[dict], Awaitable[None]], seconds: int) -> None:
    headers = dict(scope.get('headers') or [])
    language = i18n.negotiate(headers.get(b'accept-language', b'').decode('latin-1'))
    message = html.escape(i18n.translate(language, 'guard.too_many_requests', seconds=seconds))
    body = (f'<!doctype html><html lang="{language}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            f'<body style="font-family: sans-serif; font-size: 20px; margin: 2em;"><p>{message}</p></body></html>'
            ).encode('utf-8')
    await send({'type': 'http.response.start', 'status': 429, 'headers': [
        (b'content-type', b'text/html; charset=utf-8'), (b'retry-after', str(seconds).encode('ascii')),
        (b'content-length', str(len(body)).encode('ascii'))]})
    await send({'type': 'http.response.body', 'body': body})


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f'{parts.scheme}://{parts.netloc}'
