"""The per-IP request limit and the websocket's Origin check, on a real server."""
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from chromium import running_server

HANDSHAKE = '/_nicegui_ws/socket.io/?EIO=4&transport=polling'


def status(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode('utf-8', 'replace')
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode('utf-8', 'replace')


def test_request_limit_per_ip(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('FUSEN_REQUESTS_PER_MINUTE', '5')
    with running_server(data_dir) as url:  # the start-up check used one request
        codes = [status(f'{url}/')[0] for _ in range(5)]
        code, body = status(f'{url}/', {'Accept-Language': 'ja'})
    assert codes == [200, 200, 200, 200, 429]
    assert code == 429
    assert 'アクセスが集中しています' in body


def test_static_files_not_counted(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('FUSEN_REQUESTS_PER_MINUTE', '3')
    with running_server(data_dir) as url:
        codes = [status(f'{url}/_nicegui/no-such-file')[0] for _ in range(10)]
    assert 429 not in codes


def test_foreign_origin_rejected(data_dir: Path) -> None:
    with running_server(data_dir) as url:
        code, _ = status(url + HANDSHAKE, {'Origin': 'http://evil.example'})
    assert code == 400


def test_own_origin_accepted(data_dir: Path) -> None:
    with running_server(data_dir) as url:
        code, body = status(url + HANDSHAKE, {'Origin': url})
    assert code == 200
    assert '"sid"' in body


def test_public_url_origin_accepted(data_dir: Path) -> None:
    with running_server(data_dir) as url:  # the server's --public-url is its own URL
        code, _ = status(url + HANDSHAKE, {'Origin': url, 'Host': 'fusen.example.jp'})
    assert code == 200
