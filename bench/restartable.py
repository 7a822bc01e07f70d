"""A Fusen server on a fixed port that a test can kill with SIGKILL and start again on the same data folder."""
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0  # seconds


class ServerError(RuntimeError):
    """The server exited or did not respond in time. The message names its log file."""


class RestartableServer:
    """``python run.py`` on one host and port; every start appends to the same log file."""

    def __init__(self, data_dir: Path, port: int, *, host: str = '127.0.0.1', public_url: str | None = None,
                 env: dict[str, str] | None = None, log_path: Path | None = None) -> None:
        self.data_dir = data_dir
        self.host = host
        self.port = port
        self.url = f'http://{host}:{port}'
        self.public_url = public_url or self.url
        self.log_path = log_path or data_dir / 'server.log'
        # NiceGUI takes a set PYTEST_CURRENT_TEST to mean it runs inside pytest and would not serve.
        self.env = {name: value for name, value in os.environ.items() if name != 'PYTEST_CURRENT_TEST'}
        self.env.update(env or {})
        self.process: subprocess.Popen | None = None

    def start(self) -> float:
        """Start the server, wait for its first HTTP response and return the seconds that took.

        :raises ServerError: if the server exits or does not respond within START_TIMEOUT
        """
        started = time.monotonic()
        with self.log_path.open('a') as log_file:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / 'run.py'), '--host', self.host, '--port', str(self.port),
                 '--data-dir', str(self.data_dir), '--public-url', self.public_url],
                stdout=log_file, stderr=subprocess.STDOUT, cwd=ROOT, env=self.env)
        self._wait_until_up()
        return time.monotonic() - started

    def kill(self) -> None:
        """Kill the server with SIGKILL, as a crash or the OOM killer would: no shutdown code runs."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server with SIGTERM, as Ctrl+C or systemd would, and kill it if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def __enter__(self) -> 'RestartableServer':
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise ServerError(f'server exited with {self.process.returncode}; see {self.log_path}')
            try:
                with urllib.request.urlopen(self.url + '/', timeout=2):
                    return
            except OSError:
                time.sleep(0.1)
        raise ServerError(f'server did not respond at {self.url} within {START_TIMEOUT:.0f} s; see {self.log_path}')
