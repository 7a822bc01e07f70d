"""A phone keeps its draft through a dropped connection and through a reload, in headless Chromium."""
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from chromium import run_cli, running_server

DRAFT = 'トンネルを抜けても書きかけは残る'
OFFLINE_SECONDS = 60  # a locked screen, a lift or a tunnel

pytestmark = pytest.mark.browser


@pytest.mark.slow
def test_draft_survives_minute_offline(browser: Browser, data_dir: Path) -> None:
    with running_server(data_dir) as url:
        created = run_cli(data_dir, url, 'new', '対話会', '--session', '観光')
        join = re.search(r'^join A \S+: (\S+)', created, re.M).group(1)
        workshop_id = re.search(r'^workshop: (\S+)', created, re.M).group(1)
        context = browser.new_context(locale='ja-JP', viewport={'width': 390, 'height': 844})
        phone = context.new_page()
        phone.goto(join)
        phone.wait_for_function('window.did_handshake === true')
        phone.evaluate('window.loadedOnce = true')  # a reload would start a new document without it
        box = phone.locator('textarea')
        box.fill(DRAFT)
        time.sleep(1)  # lets the value reach the server before the network goes

        context.set_offline(True)
        phone.wait_for_function('!window.socket.connected', timeout=10_000)
        time.sleep(OFFLINE_SECONDS)
        context.set_offline(False)
        phone.wait_for_function('window.socket.connected', timeout=30_000, polling=200)

        assert phone.evaluate('window.loadedOnce') is True
        expect(box).to_have_value(DRAFT)
        board = browser.new_context(locale='ja-JP').new_page()
        board.goto(f'{url}/board/{workshop_id}')
        phone.get_by_role('button', name='投稿する').click()
        expect(phone.get_by_text('送信しました').first).to_be_visible(timeout=5000)
        expect(board.locator('.fusen-note', has_text=DRAFT)).to_be_visible(timeout=5000)
        expect(board.locator('.fusen-note', has_text=DRAFT)).to_have_count(1)


def test_draft_survives_reload(browser: Browser, data_dir: Path) -> None:
    with running_server(data_dir) as url:
        created = run_cli(data_dir, url, 'new', '対話会', '--session', '観光')
        join = re.search(r'^join A \S+: (\S+)', created, re.M).group(1)
        workshop_id = re.search(r'^workshop: (\S+)', created, re.M).group(1)
        phone = browser.new_context(locale='ja-JP', viewport={'width': 390, 'height': 844}).new_page()
        phone.goto(join)
        phone.locator('textarea').fill(DRAFT)

        phone.reload()  # what the browser does when the server no longer has the page
        expect(phone.locator('textarea')).to_have_value(DRAFT)
        phone.wait_for_function('window.did_handshake === true')
        board = browser.new_context(locale='ja-JP').new_page()
        board.goto(f'{url}/board/{workshop_id}')
        phone.get_by_role('button', name='投稿する').click()
        expect(phone.get_by_text('送信しました').first).to_be_visible(timeout=5000)
        expect(board.locator('.fusen-note', has_text=DRAFT)).to_have_count(1)
        expect(phone.locator('textarea')).to_have_value('')

        phone.reload()  # a stored note is not typed again
        phone.wait_for_function('window.did_handshake === true')
        expect(phone.locator('textarea')).to_have_value('')
        assert phone.evaluate("Object.keys(localStorage).filter(key => key.startsWith('fusen-draft:'))") == []
