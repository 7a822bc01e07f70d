"""Participant pages on flaky phones in headless Chromium: double taps, lost acknowledgements, reconnects, IME."""
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocketRoute, expect, sync_playwright

from bench.restartable import RestartableServer
from chromium import CHROMIUM_ARGS, free_port, require_chromium, run_cli

pytestmark = pytest.mark.browser

SENT = '送信しました'


@dataclass(frozen=True)
class Venue:
    """One server for the whole module, with a workshop of one session and one printed card."""

    server: RestartableServer
    join_url: str
    card_url: str
    board_url: str

    def notes(self, text: str) -> list[sqlite3.Row]:
        """Return the stored notes whose text is exactly ``text``."""
        with sqlite3.connect(self.server.data_dir / 'fusen.db') as connection:
            connection.row_factory = sqlite3.Row
            return connection.execute('SELECT * FROM notes WHERE text = ?', (text,)).fetchall()


@pytest.fixture(scope='module')
def venue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Venue]:
    require_chromium()
    data_dir = tmp_path_factory.mktemp('participant') / 'data'
    data_dir.mkdir()
    server = RestartableServer(data_dir, free_port(),
                               env={'FUSEN_NOTES_PER_MINUTE': '0', 'FUSEN_REQUESTS_PER_MINUTE': '0'})
    with server:
        created = run_cli(data_dir, server.url, 'new', '対話会', '--session', '観光')
        workshop_id = re.search(r'^workshop: (\S+)', created, re.M).group(1)
        run_cli(data_dir, server.url, 'cards', workshop_id, '-o', str(data_dir.parent / 'cards.pdf'))
        with sqlite3.connect(data_dir / 'fusen.db') as connection:
            card_token = connection.execute('SELECT token FROM cards ORDER BY id LIMIT 1').fetchone()[0]
        yield Venue(server=server, join_url=re.search(r'^join A \S+: (\S+)', created, re.M).group(1),
                    card_url=f'{server.url}/c/{card_token}', board_url=f'{server.url}/board/{workshop_id}')


@pytest.fixture(scope='module')
def browser(venue: Venue) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A new phone: its own cookies and localStorage."""
    opened = browser.new_context(locale='ja-JP', viewport={'width': 390, 'height': 844})
    yield opened
    opened.close()


def test_double_tap_posts_once(venue: Venue, context: BrowserContext) -> None:
    phone = open_page(context, venue.join_url)
    phone.locator('textarea').fill('二度押しでも一枚')
    phone.get_by_role('button', name='投稿する').dblclick()

    expect(phone.get_by_text(SENT).first).to_be_visible(timeout=5000)
    expect(phone.locator('.fusen-note-mine')).to_have_count(1)
    phone.wait_for_timeout(500)  # room for a second note, had the second tap sent one
    assert len(venue.notes('二度押しでも一枚')) == 1


def test_resend_after_lost_ack_posts_once(venue: Venue, context: BrowserContext) -> None:
    """The note is stored, its acknowledgement never arrives, the server dies; the reloaded page resends."""
    text = '確認が届かなくても一枚'
    blocker = AckBlocker()
    phone = context.new_page()
    phone.route_web_socket(re.compile(r'/_nicegui_ws/'), blocker.route)
    phone.goto(venue.join_url)
    phone.wait_for_function('window.did_handshake === true')
    phone.evaluate('window.firstDocument = true')  # gone once the page reloads
    phone.locator('textarea').fill(text)
    phone.get_by_role('button', name='投稿する').click()
    for _ in range(100):  # Playwright runs the route's callbacks only while the test calls into it
        if blocker.blocking:
            break
        phone.wait_for_timeout(50)
    assert blocker.blocking, 'the server never sent the acknowledgement'
    assert len(venue.notes(text)) == 1
    expect(phone.get_by_text(SENT).filter(visible=True)).to_have_count(0)

    venue.server.kill()
    blocker.disarm()
    venue.server.start()
    # The new server does not know the page, so nicegui.js reloads it, and the draft comes back from localStorage.
    phone.wait_for_function('window.firstDocument === undefined && window.did_handshake === true',
                            timeout=30_000, polling=200)
    expect(phone.locator('textarea')).to_have_value(text)
    phone.get_by_role('button', name='投稿する').click()

    expect(phone.get_by_text(SENT).first).to_be_visible(timeout=5000)
    expect(phone.locator('textarea')).to_have_value('')
    assert len(venue.notes(text)) == 1
    assert phone.evaluate("Object.keys(localStorage).filter(key => key.startsWith('fusen-'))") == []


@pytest.mark.parametrize(('locale', 'message'), [('ja-JP', '再接続中…'), ('en-US', 'Reconnecting…')])
def test_reconnecting_banner(venue: Venue, browser: Browser, locale: str, message: str) -> None:
    context = browser.new_context(locale=locale, viewport={'width': 390, 'height': 844})
    phone = open_page(context, venue.join_url)
    banner = phone.locator('#popup')
    expect(banner).to_be_hidden()

    context.set_offline(True)
    expect(banner).to_be_visible(timeout=5000)
    expect(banner).to_have_text(message)
    assert phone.evaluate("parseFloat(getComputedStyle(document.getElementById('popup')).fontSize)") >= 24

    context.set_offline(False)
    expect(banner).to_be_hidden(timeout=30_000)
    context.close()


def test_reconnect_adds_no_second_listener(venue: Venue, browser: Browser, context: BrowserContext) -> None:
    """After a dropped socket the same server-side pages carry on: a new note shows once on board and phone."""
    board_context = browser.new_context(locale='ja-JP')
    board = open_page(board_context, venue.board_url)
    phone = open_page(context, venue.join_url)
    for page in (board, phone):
        page.evaluate('window.firstDocument = true')

    for dropped in (board_context, context):
        dropped.set_offline(True)
    board.wait_for_function('!window.socket.connected', timeout=10_000)
    phone.wait_for_function('!window.socket.connected', timeout=10_000)
    for dropped in (board_context, context):
        dropped.set_offline(False)
    for page in (board, phone):
        page.wait_for_function('window.socket.connected', timeout=30_000, polling=200)
        assert page.evaluate('window.firstDocument') is True  # resumed, not reloaded

    phone.locator('textarea').fill('再接続のあとも一回')
    phone.get_by_role('button', name='投稿する').click()
    expect(phone.get_by_text(SENT).first).to_be_visible(timeout=5000)
    expect(board.locator('.fusen-note', has_text='再接続のあとも一回')).to_have_count(1, timeout=5000)
    board.wait_for_timeout(500)  # a second listener would append its copy within a few milliseconds
    expect(board.locator('.fusen-note', has_text='再接続のあとも一回')).to_have_count(1)
    expect(phone.locator('.fusen-note-mine', has_text='再接続のあとも一回')).to_have_count(1)
    assert len(venue.notes('再接続のあとも一回')) == 1
    board_context.close()


@pytest.mark.parametrize('page_kind', ['join', 'card'])
def test_ime_enter_never_posts(venue: Venue, context: BrowserContext, page_kind: str) -> None:
    phone = open_page(context, venue.join_url if page_kind == 'join' else venue.card_url)
    phone.evaluate('''() => {
        window.enterKeys = [];
        document.addEventListener('keydown', (event) => {
            if (event.key === 'Enter') window.enterKeys.push([event.keyCode, event.isComposing]);
        }, true);
    }''')
    box = phone.locator('textarea')
    box.click()
    text = '漢字' if page_kind == 'join' else '変換'
    reading = 'かんじ' if page_kind == 'join' else 'へんかん'

    # What a Japanese IME does: compose the reading, then the Enter that confirms the conversion.
    ime = context.new_cdp_session(phone)
    ime.send('Input.imeSetComposition', {'text': reading, 'selectionStart': len(reading),
                                         'selectionEnd': len(reading)})
    ime.send('Input.dispatchKeyEvent', {'type': 'rawKeyDown', 'key': 'Enter', 'code': 'Enter',
                                        'windowsVirtualKeyCode': 229, 'nativeVirtualKeyCode': 229})
    ime.send('Input.insertText', {'text': text})
    ime.send('Input.dispatchKeyEvent', {'type': 'keyUp', 'key': 'Enter', 'code': 'Enter',
                                        'windowsVirtualKeyCode': 13, 'nativeVirtualKeyCode': 13})
    phone.wait_for_timeout(1000)  # a submit would have reached the store by now

    assert phone.evaluate('window.enterKeys') == [[229, True]]  # the page did see a composing Enter
    expect(box).to_have_value(text)
    expect(phone.get_by_text(SENT).filter(visible=True)).to_have_count(0)
    assert venue.notes(text) == []

    phone.get_by_role('button', name='投稿する').click()
    expect(phone.get_by_text(SENT).first).to_be_visible(timeout=5000)
    assert len(venue.notes(text)) == 1


class AckBlocker:
    """A websocket route that passes frames both ways until the server's 送信しました, then drops what follows.

    It is armed for one acknowledgement; ``disarm`` lets every later connection through untouched.
    """

    def __init__(self) -> None:
        self.armed = True
        self.blocking = False

    def route(self, page_socket: WebSocketRoute) -> None:
        server_socket = page_socket.connect_to_server()

        def from_server(message: str | bytes) -> None:
            # python-socketio sends the notification as 42["notify",{"message":…}], one frame per message.
            if self.armed and isinstance(message, str) and message.startswith('42["notify"'):
                self.blocking = True
            if not self.blocking:
                page_socket.send(message)

        server_socket.on_message(from_server)
        page_socket.on_message(server_socket.send)

    def disarm(self) -> None:
        self.armed = False
        self.blocking = False


def open_page(context: BrowserContext, url: str) -> Page:
    """Open a URL in the context and wait until its websocket is up."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_function('window.did_handshake === true')
    return page
