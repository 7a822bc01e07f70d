"""Running pixel work off the event loop, in NiceGUI's process pool where there is one.

The pool's processes run at a lower CPU priority than the server, so a scan batch mostly gets the
CPU time that the event loop, and a board shown on the same laptop, leave unused.
"""
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
from nicegui import run

from .tuning import disabled_levers

log = logging.getLogger(__name__)

# Niceness 19 is the lowest POSIX priority: Linux gives a process at niceness 0 about 68 times the
# CPU share of such a worker, so a board's browser on the same laptop keeps up during a batch.
# Windows gets its below-normal priority class instead.
PIXEL_WORK_NICENESS = 19

# Linux with autogrouping (on by default in many distributions' kernels, and on our test machine)
# shares the CPU between sessions first and applies niceness only inside a session. A niced worker in
# the server's session still takes as much CPU as a browser in a session of its own. A worker in a
# session of its own, whose group is at the lowest priority, yields to both.
AUTOGROUP = Path('/proc/self/autogroup')
# Linux lets an unprivileged process change a group's priority at most once every 100 ms, machine-wide
# (proc_sched_autogroup_set_nice in kernel/sched/autogroup.c).
AUTOGROUP_RETRIES = 20

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
        try:
            _leave_server_group()
        except OSError as error:
            log.warning('pixel work in process %d stays in the server\'s scheduling group: %s', os.getpid(), error)
        try:
            _use_idle_policy()
        except OSError as error:
            log.warning('pixel work in process %d keeps its scheduling policy: %s', os.getpid(), error)
    return function(*args)


def _lower_priority(process: psutil.Process) -> None:
    if sys.platform == 'win32':
        process.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
    else:
        # Only raising the niceness needs no privileges, so a server that already runs niced keeps its value.
        process.nice(max(process.nice(), PIXEL_WORK_NICENESS))


def _use_idle_policy() -> None:
    """Put every thread of the calling worker under Linux's SCHED_IDLE policy.

    Niceness and groups only set shares. A worker that runs when the event loop wakes still keeps its
    CPU until its time slice ends, and during a batch the loop waited about as long for a CPU as it ran.
    The kernel lets any normal thread preempt a SCHED_IDLE one at once, and counts a CPU that runs only
    such threads as free when it places a waking thread.
    """
    if not hasattr(os, 'SCHED_IDLE') or 'idle-policy' in disabled_levers():
        return
    for thread in os.listdir('/proc/self/task'):
        os.sched_setscheduler(int(thread), os.SCHED_IDLE, os.sched_param(0))


def _leave_server_group() -> None:
    """Move the calling pool worker into a scheduling group of its own at the lowest priority (Linux only).

    Only for a worker process: the new session also detaches it from the terminal. NiceGUI's workers
    ignore Ctrl+C anyway, and the server ends its pool when it stops.
    """
    if sys.platform != 'linux' or not AUTOGROUP.exists() or 'pool-group' in disabled_levers():
        return
    os.setsid()
    for _ in range(AUTOGROUP_RETRIES):
        try:
            AUTOGROUP.write_text(str(PIXEL_WORK_NICENESS))
            return
        except BlockingIOError:  # another process changed a group in the last 100 ms
            time.sleep(0.1)
    raise BlockingIOError(f'the scheduling group kept its priority after {AUTOGROUP_RETRIES} tries')
