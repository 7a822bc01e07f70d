"""The whole hybrid loop in headless Chromium: printed card and join link onto one board, then the minutes."""
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from chromium import run_cli, running_server
from conftest import require_tool

PAPER_TEXT = '駅前に屋根付きの駐輪場がほしい'
ONLINE_TEXT = '港の待合所にWi-Fiを'

pytestmark = pytest.mark.browser


def test_hybrid_loop(browser: Browser, data_dir: Path, tmp_path: Path) -> None:
    require_tool('pdftoppm')
    require_tool('pdftotext')
    requested: list[str] = []
    with running_server(data_dir) as url:
        created = dict(line.split(': ', 1) for line in
                       run_cli(data_dir, url, 'new', '壱岐市 対話会', '--session', '観光', '--session', '子育て')
                       .splitlines())
        workshop_id = created['workshop']
        run_cli(data_dir, url, 'cards', workshop_id, '--session', '観光', '-o', str(tmp_path / 'cards.pdf'))
        card_url = decode_first_qr(tmp_path / 'cards.pdf', tmp_path)
        assert card_url.upper().startswith(url.upper() + '/C/')

        board = new_page(browser, requested)
        board.goto(f'{url}/board/{workshop_id}')
        expect(board.get_by_text('観光').first).to_be_visible()

        paper = new_page(browser, requested)
        paper.goto(card_url)
        post(paper, PAPER_TEXT)

        online = new_page(browser, requested)
        online.goto(created['join'])
        online.get_by_text('子育て').first.click()
        post(online, ONLINE_TEXT)

        # The board was open before either note existed, so these arrive live, without a reload.
        paper_note = board.locator('.fusen-note', has_text=PAPER_TEXT)
        online_note = board.locator('.fusen-note', has_text=ONLINE_TEXT)
        expect(paper_note).to_be_visible(timeout=5000)
        expect(online_note).to_be_visible(timeout=5000)
        expect(paper_note).to_contain_text('紙')
        expect(online_note).to_contain_text('オンライン')

        run_cli(data_dir, url, 'minutes', workshop_id, '-o', str(tmp_path / 'minutes.pdf'))
    minutes = subprocess.run(['pdftotext', str(tmp_path / 'minutes.pdf'), '-'], capture_output=True, text=True,
                             check=True).stdout
    assert PAPER_TEXT in minutes.replace('\n', '')
    assert ONLINE_TEXT in minutes.replace('\n', '')
    # The venue LAN may have no internet: every script, style and font must come from the app itself.
    assert requested
    assert [address for address in requested if not address.startswith((url, 'data:'))] == []


def new_page(browser: Browser, requested: list[str]) -> Page:
    """Open a page in its own context, as a separate phone or projector would be, recording every request."""
    context = browser.new_context(locale='ja-JP', viewport={'width': 390, 'height': 844})
    page = context.new_page()
    page.on('request', lambda request: requested.append(request.url))
    return page


def post(page: Page, text: str) -> None:
    """Type a note into the page's one text box and press 投稿する, as a resident would."""
    box = page.locator('textarea')
    expect(box).to_have_count(1)
    box.fill(text)
    page.get_by_role('button', name='投稿する').click()
    expect(page.get_by_text('送信しました').first).to_be_visible(timeout=5000)


def decode_first_qr(pdf: Path, folder: Path) -> str:
    """Render page 1 of a PDF at 300 dpi and return the text of the first QR code found on it."""
    subprocess.run(['pdftoppm', '-r', '300', '-png', '-f', '1', '-l', '1', '-singlefile', str(pdf),
                    str(folder / 'page')], check=True)
    results = zxingcpp.read_barcodes(Image.open(folder / 'page.png'))
    texts = sorted(result.text for result in results if result.format == zxingcpp.BarcodeFormat.QRCode)
    assert len(texts) == 10
    return texts[0]
