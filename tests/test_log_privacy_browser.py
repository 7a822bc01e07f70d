"""The server log of a whole workshop flow carries no token, PIN, note text or client IP address.

The server listens on 127.0.0.2 and Chromium connects from 127.0.0.1, so a logged client address
would show up as 127.0.0.1, which appears nowhere else in the log.
"""
import re
import sqlite3
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from bench.restartable import RestartableServer
from chromium import CHROMIUM_ARGS, free_port, require_chromium, run_cli

pytestmark = pytest.mark.browser

PIN = '73914602'
WRONG_PINS = ['58203917', '64019285']
ONLINE_TEXT = '秘密のはずの意見 ひまわり通り'
PAPER_TEXT = 'カードに書いた秘密 あさがお坂'
CLIENT_ADDRESS = '127.0.0.1'


def test_log_has_no_secrets(data_dir: Path, tmp_path: Path) -> None:
    executable = require_chromium()
    port = free_port()
    public_url = f'http://127.0.0.2:{port}'
    assert PIN not in str(port) and all(pin not in str(port) for pin in WRONG_PINS)
    server = RestartableServer(data_dir, port, host='127.0.0.2', public_url=public_url)
    with server:
        created = run_cli(data_dir, public_url, 'new', '対話会', '--session', '観光', '--pin', PIN)
        workshop_id = re.search(r'^workshop: (\S+)', created, re.M).group(1)
        facilitator = re.search(r'^facilitator: (\S+)', created, re.M).group(1)
        join = re.search(r'^join A \S+: (\S+)', created, re.M).group(1)
        run_cli(data_dir, public_url, 'cards', workshop_id, '-o', str(tmp_path / 'cards.pdf'))
        secrets = {'facilitator key': facilitator.rsplit('/', 1)[1], 'PIN': PIN,
                   **{f'wrong PIN {pin}': pin for pin in WRONG_PINS},
                   'online note': ONLINE_TEXT, 'paper note': PAPER_TEXT}
        with sqlite3.connect(data_dir / 'fusen.db') as connection:
            card_token = connection.execute('SELECT token FROM cards ORDER BY id LIMIT 1').fetchone()[0]
            for number, (token,) in enumerate(connection.execute(
                    'SELECT join_token FROM workshops UNION ALL SELECT join_token FROM sessions')):
                secrets[f'join token {number}'] = token
            for number, (token,) in enumerate(connection.execute('SELECT token FROM cards')):
                secrets[f'card token {number}'] = token

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            context = browser.new_context(locale='ja-JP')
            phone = context.new_page()
            phone.goto(join)
            phone.locator('textarea').fill(ONLINE_TEXT)
            phone.get_by_role('button', name='投稿する').click()
            expect(phone.get_by_text('送信しました').first).to_be_visible(timeout=5000)

            phone.goto(f'{public_url}/c/{card_token}')
            phone.locator('textarea').fill(PAPER_TEXT)
            phone.get_by_role('button', name='投稿する').click()
            expect(phone.get_by_text('送信しました').first).to_be_visible(timeout=5000)

            phone.goto(facilitator)
            box = phone.get_by_label('PIN（6〜12けたの数字）')
            for attempt, pin in enumerate([*WRONG_PINS, PIN], start=1):
                box.fill(pin)
                phone.get_by_role('button', name='開く').click()
                if pin != PIN:
                    # The message of the previous attempt may still be on screen, so wait for the count.
                    wait_for_pin_failures(data_dir, attempt)
                    expect(box).to_have_value('')
            expect(phone.get_by_text('観光').first).to_be_visible(timeout=5000)
            phone.goto(f'{public_url}/c/NOT-A-REAL-TOKEN')  # a forged token is logged nowhere either
            browser.close()
    log = server.log_path.read_text()

    assert 'Fusen started' in log
    assert 'Fusen stopped' in log
    assert 'wrong PIN for workshop' in log  # the failures are logged, by workshop id only
    for name, secret in secrets.items():
        assert secret.lower() not in log.lower(), f'the {name} is in the server log'
    assert 'NOT-A-REAL-TOKEN'.lower() not in log.lower()
    assert CLIENT_ADDRESS not in log


def wait_for_pin_failures(data_dir: Path, count: int) -> None:
    """Wait until the server has stored this many failed PIN entries."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with sqlite3.connect(data_dir / 'fusen.db') as connection:
            if connection.execute('SELECT COUNT(*) FROM pin_failures').fetchone()[0] >= count:
                return
        time.sleep(0.05)
    raise AssertionError(f'the server did not store {count} failed PIN entries within 10 s')
