"""Running pixel work off the event loop, in NiceGUI's process pool where there is one.

The pool's processes run at a lower CPU priority than the server, so a scan batch mostly gets the
CPU time that the event loop, and a board shown on the same laptop, leave unused.
"""
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

import psutil
from nicegui import run

log = logging.getLogger(__name__)

# Niceness 19 is the lowest POSIX priority: Linux gives a process at niceness 0 about 68 times the
# CPU share of such a worker, so a board's browser on the same laptop keeps up during a batch.
# Windows gets its below-normal priority class instead.
PIXEL_WORK_NICENESS = 19

_lowered = False  # per process: set in a pool worker once its priority is lowered


async def cpu_bound(function: Callable[..., Any], *args: Any) -> Any:
    """Run pixel work in NiceGUI's process pool, or in a worker thread where NiceGUI has set up no pool."""
    if run.process_pool is None:
        return await run.io_bound(function, *args)
    return await run.cpu_bound(_at_low_priority, function, *args)


def _at_low_priority(function: Callable[..., Any], *args: Any) -> Any:
    """Lower the calling worker process's CPU priority on its first job, then run the function."""
    global _lowered
    if not _lowered:
        _lowered = True
        try:
            _lower_priority(psutil.Process())
        except psutil.Error as error:
            log.warning('pixel work in process %d keeps its CPU priority: %s', os.getpid(), error)
    return function(*args)


def _lower_priority(process: psutil.Process) -> None:
    if sys.platform == 'win32':
        process.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
    else:
        # Only raising the niceness needs no privileges, so a server that already runs niced keeps its value.
        process.nice(max(process.nice(), PIXEL_WORK_NICENESS))
