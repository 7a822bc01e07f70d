"""Helpers for tests that drive a real headless Chromium against a real Fusen server."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from prerequisites import missing

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = '/usr/bin/chromium'
# The network flags keep Chromium from calling home; this machine has no route out anyway.
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run']


def require_chromium() -> str:
    """Return Chromium's path; skip the test without it, but fail under CI."""
    if not Path(CHROMIUM).exists():
        message = f'Chromium not found at {CHROMIUM} (Debian: apt-get install chromium chromium-driver)'
        missing(message)
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def run_cli(data_dir: Path, public_url: str, *args: str) -> str:
    """Run a run.py command on the data folder and return what it printed; fail the test on an error."""
    result = subprocess.run([sys.executable, str(ROOT / 'run.py'), *args, '--data-dir', str(data_dir),
                             '--public-url', public_url], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@contextmanager
def running_server(data_dir: Path) -> Iterator[str]:
    """Start ``python run.py`` on 127.0.0.1 and a free port, yield its base URL, and stop it afterwards."""
    port = free_port()
    url = f'http://127.0.0.1:{port}'
    log_path = data_dir / 'server.log'
    # NiceGUI takes a set PYTEST_CURRENT_TEST to mean it runs inside pytest and would not serve.
    environment = {name: value for name, value in os.environ.items() if name != 'PYTEST_CURRENT_TEST'}
    with log_path.open('w') as log_file:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / 'run.py'), '--host', '127.0.0.1', '--port', str(port),
             '--data-dir', str(data_dir), '--public-url', url],
            stdout=log_file, stderr=subprocess.STDOUT, cwd=ROOT, env=environment)
        try:
            _wait_until_up(url, process, log_path)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f'server exited with {process.returncode}:\n{log_path.read_text()}')
        try:
            with urllib.request.urlopen(url + '/', timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f'server did not answer within 30 s:\n{log_path.read_text()}')
