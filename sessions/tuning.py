"""Server settings that let one process carry thousands of open phone pages.

``FUSEN_BENCH_DISABLE`` (a comma-separated list of ``static-cache``, ``gc-freeze``,
``signature-cache``, ``quiet-outbox`` and ``pool-group``) switches levers off, so a benchmark can compare with and without each one in
the same build.
"""
import asyncio
import gc
import inspect
import logging
import os
from collections.abc import Callable
from types import CodeType
from typing import Any

from nicegui import app, background_tasks, helpers, outbox
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp

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
    gc.collect()  # what is garbage now should not be frozen
    while True:
        gc.freeze()
        log.debug('gc.freeze(): %d objects frozen', gc.get_freeze_count())
        await asyncio.sleep(FREEZE_INTERVAL)


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


class _AsyncioWithoutTimeouts:
    """The ``asyncio`` module given to ``nicegui.outbox``, with a ``wait_for`` that ignores its timeout."""

    @staticmethod
    async def wait_for(awaitable: Any, timeout: float | None = None) -> Any:
        return await awaitable

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)


def disabled_levers() -> set[str]:
    """Return the levers that ``FUSEN_BENCH_DISABLE`` switches off."""
    return {name.strip() for name in os.environ.get('FUSEN_BENCH_DISABLE', '').split(',') if name.strip()}
