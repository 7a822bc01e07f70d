"""Pixel work runs at a lower CPU priority than the server, so a scan batch yields to the event loop."""
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import psutil
import pytest

from sessions import offload


def test_lower_priority_raises_niceness() -> None:
    child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])
    try:
        process = psutil.Process(child.pid)
        offload._lower_priority(process)
        if sys.platform == 'win32':
            assert process.nice() == psutil.BELOW_NORMAL_PRIORITY_CLASS
        else:
            assert process.nice() >= offload.PIXEL_WORK_NICENESS
    finally:
        child.kill()
        child.wait()


def test_lower_priority_keeps_lowest_priority() -> None:
    if sys.platform == 'win32':
        return
    child = subprocess.Popen([sys.executable, '-c', 'import os, time; os.nice(19); time.sleep(30)'])
    try:
        process = psutil.Process(child.pid)
        for _ in range(100):  # the child lowers its own priority right after it starts
            if process.nice() == 19:
                break
            time.sleep(0.05)
        offload._lower_priority(process)
        assert process.nice() == 19
    finally:
        child.kill()
        child.wait()


def test_pool_job_runs_niced() -> None:
    if sys.platform == 'win32':
        return
    # A pool of its own, because lowering the priority of the test process would slow the other tests.
    with ProcessPoolExecutor(1) as pool:
        niceness = pool.submit(offload._at_low_priority, os.nice, 0).result(timeout=60)
    assert niceness >= offload.PIXEL_WORK_NICENESS


def _session_and_group() -> tuple[int, str]:
    return os.getsid(0), offload.AUTOGROUP.read_text()


def test_pool_job_own_scheduling_group() -> None:
    if not offload.AUTOGROUP.exists():
        pytest.skip('this kernel groups no processes by session (no /proc/self/autogroup)')
    with ProcessPoolExecutor(1) as pool:
        session, group = pool.submit(offload._at_low_priority, _session_and_group).result(timeout=60)
    assert session != os.getsid(0)
    assert group.strip().endswith(f'nice {offload.PIXEL_WORK_NICENESS}'), group
    assert offload.AUTOGROUP.read_text() != group  # the test process keeps its own group and priority


def _policies() -> set[int]:
    return {os.sched_getscheduler(int(thread)) for thread in os.listdir('/proc/self/task')}


def test_pool_job_idle_policy() -> None:
    if not hasattr(os, 'SCHED_IDLE'):
        pytest.skip('this system has no SCHED_IDLE policy (Linux only)')
    with ProcessPoolExecutor(1) as pool:
        policies = pool.submit(offload._at_low_priority, _policies).result(timeout=60)
    assert policies == {os.SCHED_IDLE}
    assert os.SCHED_IDLE not in _policies()  # the test process keeps its policy
