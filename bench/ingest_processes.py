"""The processes of the ingest benchmark: the Fusen server it starts, Chromium's priority, and CPU shares."""
import logging
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

import psutil

from bench.load.servers import free_port

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0
# run.py logs each commit of a new note as, for example: 2026-12-04 21:19:15,058 INFO workshop.store: created note 3 …
_COMMIT_LINE = re.compile(r'^(\S+ \S+),(\d{3}) INFO workshop\.store: created note (\d+) ')


class FusenServer:
    """``python run.py`` serving a data folder on 127.0.0.1 and a free port, stopped on leaving the block."""

    def __init__(self, data_dir: Path, log_path: Path) -> None:
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = free_port()
        self.base_url = f'http://127.0.0.1:{self.port}'
        self.pid = 0

    def __enter__(self) -> 'FusenServer':
        # All pages come from 127.0.0.1, so the per-address limits would reject them.
        env = {**os.environ, 'FUSEN_REQUESTS_PER_MINUTE': '0', 'FUSEN_NOTES_PER_MINUTE': '0'}
        env.pop('PYTEST_CURRENT_TEST', None)  # NiceGUI would take it to mean that it runs inside pytest
        self.log_file = self.log_path.open('w')
        # A session of its own, as when run.py is started from a terminal or a service. Linux's autogrouping
        # shares the CPU by session, so the bench's own Python and Playwright would otherwise take the server's part.
        self.process = subprocess.Popen(
            [sys.executable, 'run.py', '--host', '127.0.0.1', '--port', str(self.port),
             '--data-dir', str(self.data_dir), '--public-url', self.base_url],
            cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.process.pid
        try:
            self._wait_until_up()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f'server exited with {self.process.returncode}; see {self.log_path}')
            try:
                with urllib.request.urlopen(self.base_url + '/', timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f'server did not respond at {self.base_url} within {START_TIMEOUT:.0f} s; '
                           f'see {self.log_path}')


def lower_chromium_priority(niceness: int) -> None:
    """Give this process's Chromium a lower CPU priority, as if the projector and phones were other machines."""
    if niceness <= 0:
        return
    for child in psutil.Process().children(recursive=True):
        try:
            if 'chrom' in child.name():
                child.nice(niceness)
                _lower_group_priority(child.pid, niceness)
        except (psutil.Error, OSError) as error:
            log.warning('could not lower the priority of process %d: %s', child.pid, error)


def _lower_group_priority(pid: int, niceness: int) -> None:
    """Lower the priority of the process's scheduling group, where Linux groups processes by session.

    Playwright starts Chromium in a session of its own, and with autogrouping Linux shares the CPU
    between sessions before it looks at niceness, so the niceness alone would not lower Chromium's share.
    """
    group = Path(f'/proc/{pid}/autogroup')
    if group.exists() and f'nice {niceness}' not in group.read_text():
        group.write_text(str(niceness))


class CpuMeter:
    """CPU use between ``start`` and ``stop``, in percent of one core: the server, its workers, Chromium, the machine.

    Other programs on the machine skew the latencies, so ``machine`` minus the rest shows how busy they were.
    """

    def __init__(self, server_pid: int) -> None:
        self.server = psutil.Process(server_pid)
        self.started = 0.0
        self.before: dict[str, float] = {}

    def start(self) -> None:
        self.started = time.monotonic()
        self.before = self._seconds()

    def stop(self) -> dict[str, float]:
        elapsed = time.monotonic() - self.started
        after = self._seconds()
        return {group: round(100 * (after[group] - self.before.get(group, 0.0)) / elapsed, 1) for group in after}

    def _seconds(self) -> dict[str, float]:
        """Return the CPU seconds used so far per group.

        Worker processes that ended since ``start`` drop out of the sum, so the workers' share is a
        lower bound; NiceGUI keeps its pool's processes alive, so this rarely matters.
        """
        machine = psutil.cpu_times()
        busy = machine.user + machine.nice + machine.system + getattr(machine, 'irq', 0.0) + getattr(machine, 'softirq', 0.0)
        groups = {'machine': busy, 'server_event_loop_process': _cpu(self.server), 'server_workers': 0.0, 'chromium': 0.0}
        for child in self.server.children(recursive=True):
            groups['server_workers'] += _cpu(child)
        for child in psutil.Process().children(recursive=True):
            try:
                if 'chrom' in child.name():
                    groups['chromium'] += _cpu(child)
            except psutil.Error:
                continue
        return groups


def _cpu(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except psutil.Error:
        return 0.0
    return times.user + times.system


def commit_times(database: Path, log_path: Path) -> dict[str, float]:
    """Return the epoch seconds at which the server committed each note, by the note's text.

    The store logs a note after its transaction commits, so the log line's time is a moment after
    the commit, to the millisecond.
    """
    with sqlite3.connect(f'file:{database}?mode=ro', uri=True) as connection:
        texts = dict(connection.execute("SELECT id, text FROM notes WHERE text LIKE 'bench-%'").fetchall())
    times = {}
    for line in log_path.read_text(encoding='utf-8', errors='replace').splitlines():
        match = _COMMIT_LINE.match(line)
        if match and int(match.group(3)) in texts:
            stamp = datetime.strptime(match.group(1), '%Y-%m-%d %H:%M:%S').timestamp() + int(match.group(2)) / 1000
            times[texts[int(match.group(3))]] = stamp
    return times
