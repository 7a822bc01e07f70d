"""Start and stop the servers under test on 127.0.0.1: Fusen's run.py, or the bare socket.io baseline."""
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Iterator

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Target:
    """A running server: its base URL, its process id, the join page and the board page paths."""

    base_url: str
    pid: int
    join_path: str
    board_path: str


@contextmanager
def fusen_server(data_dir: Path, extra_env: dict[str, str]) -> Iterator[Target]:
    """Create a workshop with one session in a new data folder, serve it, and stop the server afterwards."""
    port = free_port()
    url = f'http://127.0.0.1:{port}'
    created = subprocess.run([sys.executable, 'run.py', 'new', '負荷試験の対話会', '--session', '駅前の未来',
                              '--data-dir', str(data_dir), '--public-url', url],
                             cwd=ROOT, capture_output=True, text=True, timeout=120, check=True).stdout
    workshop_id = re.search(r'^workshop: (\S+)', created, re.M).group(1)
    join_path = re.search(r'^join: \S+?(/j/\S+)', created, re.M).group(1)
    # Every simulated phone comes from 127.0.0.1, so the per-address page limit would reject them.
    env = {**os.environ, 'FUSEN_REQUESTS_PER_MINUTE': '0', **extra_env}
    command = [sys.executable, 'run.py', '--host', '127.0.0.1', '--port', str(port),
               '--data-dir', str(data_dir), '--public-url', url]
    with _process(command, env, data_dir / 'server.log', url + '/board/' + workshop_id) as process:
        yield Target(url, process.pid, join_path, '/board/' + workshop_id)


@contextmanager
def bare_server(log_dir: Path) -> Iterator[Target]:
    """Serve the bare python-socketio baseline and stop it afterwards."""
    port = free_port()
    url = f'http://127.0.0.1:{port}'
    command = [sys.executable, '-m', 'bench.load.bare_server', '--port', str(port)]
    with _process(command, dict(os.environ), log_dir / 'bare-server.log', url + '/board/x') as process:
        yield Target(url, process.pid, '/j/x', '/board/x')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


@contextmanager
def _process(command: list[str], env: dict[str, str], log_path: Path, probe_url: str) -> Iterator[subprocess.Popen]:
    with log_path.open('w') as log_file:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(probe_url, process, log_path)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f'server exited with {process.returncode}; see {log_path}')
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f'server did not respond at {url} within {START_TIMEOUT:.0f} s; see {log_path}')
