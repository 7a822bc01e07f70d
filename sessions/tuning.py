"""Server settings that let one process carry thousands of open phone pages.

``FUSEN_BENCH_DISABLE`` (a comma-separated list of ``static-cache``, ``gc-freeze``,
``collect-before-freeze``, ``signature-cache``, ``quiet-outbox``, ``socket-bypass``, ``request-release``,
``html-release``, ``lazy-printouts``, ``app-colors``, ``lazy-note-list``, ``pool-group``, ``idle-policy`` and
``image-batch``) switches levers off, so a benchmark can compare with and without each one in the same build.
The last five levers live where they act: ``theme.install_colors``, the join page's "your notes" list,
offload.py (the pool's scheduling group and policy) and the board.
"""
import asyncio
import gc
import importlib
import inspect
import logging
import os
from collections.abc import Callable
from types import CodeType
from typing import Any

from nicegui import Client, app, background_tasks, helpers, outbox
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Match, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .static_cache import MINIMUM_SIZE, PrecompressedAssets

log = logging.getLogger(__name__)

# Every open page consists of hundreds of Python objects, and a full garbage collection walks all of
# them. With 1,200 open pages a full collection stalled the event loop for 430–520 ms (NiceGUI 3.18,
# Python 3.11, 2 cores). Objects frozen with gc.freeze() are skipped by every later collection.
# gc.freeze() takes constant time in CPython 3.11 (it splices the generation lists), so a short
# interval is cheap, and pages opened in a rush are frozen soon after.
FREEZE_INTERVAL = 10.0  # seconds

# How long a participant's page waits on the server for its phone to come back (a locked screen, a
# lift, a tunnel). ui.run's global 60 s also sets the engine.io ping interval (48 s), and a longer
# global value would slow the detection of dead sockets. So this longer one applies to the phone pages only.
# A phone offline for exactly 60 s missed the 60 s window in headless Chromium and reloaded.
PARTICIPANT_RECONNECT_TIMEOUT = 180.0  # seconds

# The scope entries in which FastAPI (0.165) keeps a request's exit stacks, which outlive the request in its scope.
FASTAPI_EXIT_STACKS = ('fastapi_middleware_astack', 'fastapi_inner_astack', 'fastapi_function_astack')

SOCKET_MOUNT_PATH = '/_nicegui_ws'  # where NiceGUI 3.18 mounts its socket.io app (nicegui/nicegui.py)


def gzip_middleware_factory() -> Callable[[ASGIApp], ASGIApp]:
    """Return the compression middleware for ``ui.run``: assets compressed once, or NiceGUI's default."""
    if 'static-cache' in disabled_levers():
        return lambda inner: GZipMiddleware(inner, minimum_size=MINIMUM_SIZE)
    return PrecompressedAssets


def install_gc_policy() -> None:
    """Freeze the objects alive at startup, then freeze again every FREEZE_INTERVAL seconds while serving.

    The cost: an object frozen while it was alive is never collected if it later becomes cyclic
    garbage, so memory may grow over a long day. Reference counting still frees frozen objects
    that are not part of a cycle.
    """
    if 'gc-freeze' in disabled_levers():
        log.info('gc.freeze() is off (FUSEN_BENCH_DISABLE)')
        return
    app.on_startup(lambda: background_tasks.create(_freeze_periodically(), name='gc freeze'))


async def _freeze_periodically() -> None:
    collect_each_round = 'collect-before-freeze' not in disabled_levers()
    gc.collect()  # what is garbage now should not be frozen
    while True:
        gc.freeze()
        # gc.get_freeze_count() walks every frozen object (CPython 3.11), which with 1,200 open pages
        # took about 1.3 % of a core in py-spy, so the count is taken only when it is logged.
        if log.isEnabledFor(logging.DEBUG):
            log.debug('gc.freeze(): %d objects frozen', gc.get_freeze_count())
        await asyncio.sleep(FREEZE_INTERVAL)
        if collect_each_round:
            # Cyclic garbage that has reached the oldest generation since the last freeze would be frozen
            # for good. A full collection now walks only the objects that are not frozen, those that
            # survived the last FREEZE_INTERVAL seconds.
            gc.collect()


def install_signature_cache() -> None:
    """Remember per function which handlers expect arguments, instead of inspecting each new bound method.

    NiceGUI 3.18 calls ``helpers.expects_arguments`` (``inspect.signature``) for the change handlers
    of every new element, and a py-spy profile of 2,500 phones joining showed it in 12 % of the
    server's CPU. The result depends only on the function's code and on whether it is bound.
    """
    if 'signature-cache' in disabled_levers():
        log.info('the signature cache is off (FUSEN_BENCH_DISABLE)')
        return
    if getattr(helpers.expects_arguments, 'fusen_cached', False):
        return  # NiceGUI's user fixture runs run.py once per test in the same process
    inspect_arguments = helpers.expects_arguments
    known: dict[tuple[CodeType, bool], bool] = {}

    def expects_arguments(func: Callable) -> bool:
        function = getattr(func, '__func__', func)
        code = getattr(function, '__code__', None)
        # Decorated functions report their wrapped function's signature, so only plain ones are cached.
        if code is None or hasattr(function, '__wrapped__') or hasattr(function, '__signature__'):
            return inspect_arguments(func)
        key = (code, function is not func)
        if key not in known:
            known[key] = inspect_arguments(func)
        return known[key]

    expects_arguments.fusen_cached = True  # type: ignore[attr-defined]
    # NOTE: NiceGUI's modules call it as helpers.expects_arguments, so replacing the module attribute
    # reaches every caller in 3.18; a NiceGUI that imports the name directly would bypass the cache.
    helpers.expects_arguments = expects_arguments


def install_quiet_outbox() -> None:
    """Let each page's outbox sleep until it has something to send, instead of waking every second.

    NiceGUI 3.18 runs one outbox loop per open page, and the loop waits for its next message with
    ``asyncio.wait_for(..., timeout=1.0)``. With 5,000 open phone pages that is 5,000 timeouts a
    second, measured as 33 % of a core while no note was posted. The timeout wakes the loop for
    nothing: every enqueue and ``Outbox.stop()`` set the event it waits on, and a page without a
    socket keeps the event set and polls on its own.
    """
    if 'quiet-outbox' in disabled_levers():
        log.info('the quiet outbox is off (FUSEN_BENCH_DISABLE)')
        return
    if isinstance(outbox.asyncio, _AsyncioWithoutTimeouts):
        return  # NiceGUI's user fixture runs run.py once per test in the same process
    source = inspect.getsource(outbox)
    if source.count('wait_for(') != 1 or 'asyncio.wait_for(self._enqueue_event.wait(), timeout=' not in source:
        log.warning('the quiet outbox is not installed: this NiceGUI outbox waits differently, so its loop keeps waking every second')
        return
    outbox.asyncio = _AsyncioWithoutTimeouts()  # type: ignore[assignment]


def install_socket_bypass() -> None:
    """Hand the socket.io websocket straight to NiceGUI's socket.io app, past the HTTP middleware stack.

    Each ASGI layer a connection passes through keeps a suspended coroutine for as long as the
    connection lasts. With NiceGUI 3.18 and FastAPI 0.165 that is 18 layers per open phone page.
    Nothing on the socket's path needs them, because NiceGUI's socket handlers read neither the
    session nor anything else those layers add to the scope. Fusen's request
    limit counts HTTP requests only, and engine.io checks the websocket's Origin itself
    (``guard.origin_checker``). HTTP requests, socket.io's polling transport among them, still pass
    through every middleware.
    """
    if 'socket-bypass' in disabled_levers():
        log.info('the socket bypass is off (FUSEN_BENCH_DISABLE)')
        return
    if getattr(app, 'fusen_socket_bypass', False):
        return  # NiceGUI's user fixture runs run.py once per test in the same process
    build_stack = app.build_middleware_stack

    def build_middleware_stack() -> ASGIApp:
        stack = build_stack()
        socket_mount = _socket_mount()
        if socket_mount is None:
            log.warning('the socket bypass is not installed: NiceGUI mounts no app at %s', SOCKET_MOUNT_PATH)
            return stack

        async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
            if scope['type'] == 'websocket':
                match, child_scope = socket_mount.matches(scope)
                if match is Match.FULL:
                    await socket_mount.handle({**scope, **child_scope}, receive, send)
                    return
            await stack(scope, receive, send)

        return dispatch

    app.build_middleware_stack = build_middleware_stack  # type: ignore[method-assign]
    app.fusen_socket_bypass = True  # type: ignore[attr-defined]


def _socket_mount() -> Mount | None:
    for route in app.routes:
        if isinstance(route, Mount) and route.path == SOCKET_MOUNT_PATH:
            return route
    return None


def install_request_release() -> None:
    """Let go of what served each page's HTTP response, once the page's socket connects.

    NiceGUI 3.18 keeps a page's ``Request`` for the page's lifetime: as ``client.request``, in every
    event listener and in the context of every task the page starts. The request's receive and send
    callables are closures of the innermost ``BaseHTTPMiddleware``, which reach the request objects,
    memory streams and events of all three that NiceGUI adds, and its scope contains FastAPI's exit
    stacks. So every open page kept its finished request's machinery alive. A connected socket
    means the browser has the whole page, so that request is over. Its scope stays, because the
    URL, headers, cookies and session that pages read come from it. The page's own head and body HTML
    (about 2 KiB a join page, its styles and scripts) go too, unless ``html-release`` is switched off.
    """
    if {'request-release', 'html-release'} <= disabled_levers():
        log.info('the request and HTML release is off (FUSEN_BENCH_DISABLE)')
        return
    app.on_connect(_release_request)  # app.reset() in NiceGUI's user fixture clears it, so no duplicates


def _release_request(client: Client) -> None:
    disabled = disabled_levers()
    if 'html-release' not in disabled:
        # NOTE: private attributes of NiceGUI 3.18's Client. Only build_response reads them, once, and
        # HTML that a page adds after that reaches the browser through run_javascript instead.
        client._head_html = ''  # type: ignore[attr-defined]
        client._body_html = ''  # type: ignore[attr-defined]
    if 'request-release' in disabled:
        return
    request = client.request
    # NOTE: Starlette's Request keeps the callables in private attributes and offers no public way to drop them.
    request._receive = _receive_after_response  # type: ignore[attr-defined]
    request._send = _send_after_response  # type: ignore[attr-defined]
    for key in FASTAPI_EXIT_STACKS:
        request.scope.pop(key, None)


async def _receive_after_response() -> Message:
    return {'type': 'http.disconnect'}


async def _send_after_response(message: Message) -> None:
    raise RuntimeError(f'cannot send {message["type"]!r}: the page\'s HTTP response was sent already')


class _AsyncioWithoutTimeouts:
    """The ``asyncio`` module given to ``nicegui.outbox``, with a ``wait_for`` that ignores its timeout."""

    @staticmethod
    async def wait_for(awaitable: Any, timeout: float | None = None) -> Any:
        return await awaitable

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)


def load_printouts() -> None:
    """Import the PDF modules at startup if the lazy-printouts lever is off, as every start did before it.

    With the lever on, reportlab and the embedded font (about 16 MB of RSS on Python 3.11) load
    with the first download of a card sheet, poster or minutes, because the pages import them there.
    """
    if 'lazy-printouts' not in disabled_levers():
        return
    for name in ('cards', 'minutes', 'poster_image', 'posters'):
        importlib.import_module(f'printouts.{name}')


def disabled_levers() -> set[str]:
    """Return the levers that ``FUSEN_BENCH_DISABLE`` switches off."""
    return {name.strip() for name in os.environ.get('FUSEN_BENCH_DISABLE', '').split(',') if name.strip()}
