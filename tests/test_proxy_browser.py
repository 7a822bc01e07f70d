"""Fusen behind Debian's nginx with TLS at the sub-path /fusen/, in headless Chromium.

The nginx configuration is the one docs/deployment.md documents, written into tmp_path with every
pid, log and temp path there, and nginx listens on 127.0.0.1 only.
"""
import re
import shutil
import ssl
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, expect, sync_playwright

from bench.restartable import RestartableServer
from chromium import CHROMIUM_ARGS, free_port, require_chromium, run_cli
from conftest import require_tool
from prerequisites import missing

pytestmark = pytest.mark.browser

SUB_PATH = '/fusen'
ONLINE_TEXT = 'プロキシ越しでも届く'
PAPER_TEXT = 'カードもプロキシ越しに'

NGINX_CONFIG = '''
daemon off;
master_process off;  # one process as the current user, so the worker can use the temp folders in tmp_path
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;  # its lines would carry card and join tokens in their paths
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {root}/cert.pem;
        ssl_certificate_key {root}/key.pem;
        client_max_body_size 60m;  # scanned PDFs and card photos
        location = {sub_path} {{ return 301 {sub_path}/; }}
        location {sub_path}/ {{
            proxy_pass http://127.0.0.1:{app_port}/;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Prefix {sub_path};
            proxy_read_timeout 300s;  # longer than a phone page's 180 s reconnect window
        }}
    }}
}}
'''


def require_nginx() -> str:
    """Return nginx's path; skip the test without it, but fail under CI."""
    path = shutil.which('nginx') or ('/usr/sbin/nginx' if Path('/usr/sbin/nginx').exists() else None)
    if path is None:
        message = 'nginx is not installed (Debian: apt-get install nginx)'
        missing(message)
    return path


@pytest.fixture
def proxy(tmp_path: Path, data_dir: Path) -> Iterator[tuple[str, RestartableServer]]:
    """Start the app and nginx in front of it; yield the public URL (https, with the sub-path) and the app."""
    nginx = require_nginx()
    openssl = require_tool('openssl')
    root = tmp_path / 'nginx'
    root.mkdir()
    subprocess.run([openssl, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
                    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', str(root / 'key.pem'),
                    '-out', str(root / 'cert.pem')], check=True, capture_output=True, timeout=60)
    port, app_port = free_port(), free_port()
    public_url = f'https://127.0.0.1:{port}{SUB_PATH}'
    (root / 'nginx.conf').write_text(NGINX_CONFIG.format(root=root, port=port, app_port=app_port, sub_path=SUB_PATH))
    with RestartableServer(data_dir, app_port, public_url=public_url) as app:
        process = subprocess.Popen([nginx, '-p', str(root), '-c', str(root / 'nginx.conf'), '-e', str(root / 'error.log')],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            _wait_for_tls(public_url + '/', process, root / 'error.log')
            yield public_url, app
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_sub_path_behind_tls(proxy: tuple[str, RestartableServer], tmp_path: Path) -> None:
    public_url, app = proxy
    data_dir = app.data_dir
    created = run_cli(data_dir, public_url, 'new', '港町 対話会', '--session', '観光')
    workshop_id = re.search(r'^workshop: (\S+)', created, re.M).group(1)
    join = re.search(r'^join A \S+: (\S+)', created, re.M).group(1)
    assert join.startswith(public_url + '/j/')
    run_cli(data_dir, public_url, 'cards', workshop_id, '-o', str(tmp_path / 'cards.pdf'))
    card_url = _first_card_url(tmp_path / 'cards.pdf', tmp_path)
    assert re.fullmatch(re.escape(public_url) + r'/c/[A-Za-z0-9]+', card_url, re.IGNORECASE)
    assert f'{SUB_PATH}/c/' in card_url  # nginx matches the location case-sensitively

    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        requested: list[str] = []
        board = browser.new_context(locale='ja-JP', ignore_https_errors=True).new_page()
        board.on('request', lambda request: requested.append(request.url))
        board.goto(f'{public_url}/board/{workshop_id}')
        board.wait_for_function('window.did_handshake === true')

        phone = browser.new_context(locale='ja-JP', ignore_https_errors=True).new_page()
        phone.on('request', lambda request: requested.append(request.url))
        phone.goto(join)
        phone.wait_for_function('window.did_handshake === true')
        assert phone.evaluate('window.socket.io.engine.transport.name') == 'websocket'
        phone.locator('textarea').fill(ONLINE_TEXT)
        phone.get_by_role('button', name='投稿する').click()
        expect(phone.get_by_text('送信しました').first).to_be_visible(timeout=5000)
        expect(board.locator('.fusen-note', has_text=ONLINE_TEXT)).to_be_visible(timeout=5000)
        # NiceGUI's link element puts the proxy's prefix in front of a root-relative target.
        language_link = phone.get_by_role('link', name='English').get_attribute('href')
        assert language_link.startswith(f'{SUB_PATH}/j/')

        paper = browser.new_context(locale='ja-JP', ignore_https_errors=True).new_page()
        paper.goto(card_url)
        paper.wait_for_function('window.did_handshake === true')
        paper.locator('textarea').fill(PAPER_TEXT)
        paper.get_by_role('button', name='投稿する').click()
        expect(paper.get_by_text('送信しました').first).to_be_visible(timeout=5000)
        expect(board.locator('.fusen-note', has_text=PAPER_TEXT)).to_be_visible(timeout=5000)
        browser.close()

    # Every script, style and socket went through the proxy's sub-path over TLS.
    assert requested
    outside = [url for url in requested if not url.startswith((public_url + '/', 'data:'))]
    assert outside == []


def _first_card_url(pdf: Path, folder: Path) -> str:
    """Render page 1 of the card sheet and return the text of its first QR code."""
    subprocess.run([require_tool('pdftoppm'), '-r', '300', '-png', '-f', '1', '-l', '1', '-singlefile', str(pdf),
                    str(folder / 'sheet')], check=True)
    with Image.open(folder / 'sheet.png') as image:
        texts = sorted(result.text for result in zxingcpp.read_barcodes(image)
                       if result.format == zxingcpp.BarcodeFormat.QRCode)
    assert len(texts) == 10
    return texts[0]


def _wait_for_tls(url: str, process: subprocess.Popen, error_log: Path) -> None:
    insecure = ssl.create_default_context()
    insecure.check_hostname = False
    insecure.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f'nginx exited with {process.returncode}:\n{error_log.read_text()}')
        try:
            with urllib.request.urlopen(url, timeout=2, context=insecure):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f'nginx did not answer {url} within 20 s:\n{error_log.read_text()}')
