"""The optional facilitator PIN and its lockout after five failures in ten minutes."""
import asyncio
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from nicegui.testing import User
from playwright.sync_api import Browser, expect

from chromium import running_server
from sessions import runtime
from workshop import access
from workshop.model import NewWorkshop
from workshop.store import Store


def test_pin_must_be_digits(store: Store, workshop: NewWorkshop) -> None:
    for pin in ['12345', 'abcdef', '1234567890123', '１２３４５', '']:
        with pytest.raises(ValueError):
            access.set_pin(store, workshop.workshop.id, pin)
    assert access.pin_version(store, workshop.workshop.id) is None


def test_pin_stored_as_hash(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '246810')
    stored = store.query('SELECT pin_hash FROM workshops')[0][0]
    assert '246810' not in stored
    assert access.check_pin(store, workshop.workshop.id, '246810').accepted


def test_pin_full_width_digits(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '２４６８１０')
    assert access.check_pin(store, workshop.workshop.id, '246810').accepted
    assert access.check_pin(store, workshop.workshop.id, ' ２４６８１０ ').accepted


def test_malformed_pin_not_counted(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '246810')
    results = [access.check_pin(store, workshop.workshop.id, entry, now=1000.0 + n)
               for n, entry in enumerate(['abc', '12', 'x' * 20, '', '１２３', 'PIN246810'])]
    assert all(result.malformed for result in results)
    assert not any(result.accepted or result.locked for result in results)
    assert access.check_pin(store, workshop.workshop.id, '246810', now=1010.0).accepted


def test_wrong_pin_refused(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '246810')
    result = access.check_pin(store, workshop.workshop.id, '000000')
    assert not result.accepted
    assert not result.locked


def test_lockout_after_five_failures(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '246810')
    results = [access.check_pin(store, workshop.workshop.id, '111111', now=1000.0 + n) for n in range(5)]
    assert [result.locked for result in results] == [False, False, False, False, True]
    right_but_locked = access.check_pin(store, workshop.workshop.id, '246810', now=1010.0)
    assert not right_but_locked.accepted
    assert right_but_locked.retry_after == 591


def test_lockout_ends_after_ten_minutes(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '246810')
    for n in range(5):
        access.check_pin(store, workshop.workshop.id, '111111', now=1000.0 + n)
    assert access.check_pin(store, workshop.workshop.id, '246810', now=1000.0 + 605).accepted


def test_old_failures_do_not_count(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '246810')
    for n in range(4):
        access.check_pin(store, workshop.workshop.id, '111111', now=1000.0 + n)
    assert not access.check_pin(store, workshop.workshop.id, '111111', now=1700.0).locked


def test_lockout_survives_restart(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '246810')
    for n in range(5):
        access.check_pin(store, workshop.workshop.id, '111111', now=1000.0 + n)
    reopened = Store(store.path)
    assert access.check_pin(reopened, workshop.workshop.id, '246810', now=1100.0).locked
    reopened.close()


async def wait_for_failures(workshop_id: str, count: int) -> None:
    """Wait until the store has counted this many failed entries, so each click is handled before the next."""
    for _ in range(50):
        rows = runtime.store().query('SELECT COUNT(*) FROM pin_failures WHERE workshop_id = ?', (workshop_id,))
        if rows[0][0] >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f'expected {count} failed PIN entries')


def create_with_pin(pin: str) -> NewWorkshop:
    created = runtime.store().create_workshop('対話会', sessions=[('観光', '')])
    access.set_pin(runtime.store(), created.workshop.id, pin)
    return created


async def test_page_asks_for_pin(user: User) -> None:
    created = create_with_pin('246810')
    await user.open(f'/f/{created.facilitator_key}')
    await user.should_see(marker='pin')
    await user.should_not_see(marker='workshop-title')
    await user.should_not_see(marker='join-A')


async def test_right_pin_opens_page(user: User) -> None:
    created = create_with_pin('246810')
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='pin').type('246810')
    user.find(marker='pin-submit').click()
    await user.open(f'/f/{created.facilitator_key}')
    await user.should_see(marker='workshop-title')


@pytest.mark.parametrize(('entry', 'message'), [
    ('000000', 'PINがちがいます。'),
    ('abc', 'PINは6〜12けたの数字にしてください。'),  # cannot be a PIN, so it is not counted as a failure
])
async def test_rejected_pin_shows_message(user: User, entry: str, message: str) -> None:
    created = create_with_pin('246810')
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='pin').type(entry)
    user.find(marker='pin-submit').click()
    await user.should_see(message)
    await user.should_not_see(marker='workshop-title')


async def test_locked_page_says_so(user: User) -> None:
    created = create_with_pin('246810')
    await user.open(f'/f/{created.facilitator_key}')
    for attempt in range(1, 5):
        user.find(marker='pin').type('000000')
        user.find(marker='pin-submit').click()
        await wait_for_failures(created.workshop.id, attempt)
    user.find(marker='pin').type('000000')
    user.find(marker='pin-submit').click()
    await user.should_see('まちがいが続いたため、ロックしました。10分ほど待ってから入力してください。')


async def test_changed_pin_asks_again(user: User) -> None:
    created = create_with_pin('246810')
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='pin').type('246810')
    user.find(marker='pin-submit').click()
    access.set_pin(runtime.store(), created.workshop.id, '13579135')
    await user.open(f'/f/{created.facilitator_key}')
    await user.should_see(marker='pin')


async def test_facilitator_sets_pin(user: User) -> None:
    created = runtime.store().create_workshop('対話会', sessions=[('観光', '')])
    await user.open(f'/f/{created.facilitator_key}')
    await user.should_see('いまはPINが設定されていません。')
    user.find(marker='new-pin').type('86420864')
    user.find(marker='save-pin').click()
    await user.should_see('いまはPINが設定されています。')
    assert access.check_pin(runtime.store(), created.workshop.id, '86420864').accepted


async def test_short_pin_rejected_on_page(user: User) -> None:
    created = runtime.store().create_workshop('対話会', sessions=[('観光', '')])
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='new-pin').type('1234')
    user.find(marker='save-pin').click()
    await user.should_see('PINは6〜12けたの数字にしてください。')
    assert access.pin_version(runtime.store(), created.workshop.id) is None


def seed_scanned_workshop(data_dir: Path, pin: str) -> tuple[str, int, int]:
    """Create a workshop with the PIN, one filed card image and one leftover; return the key and both ids."""
    from scan_samples import written_sheet
    from test_scan import tear_qr_code
    from workshop.config import Limits
    from workshop.scan.ingest import ingest_files
    from workshop.scans_store import ScanStore

    store = Store(data_dir / 'fusen.db', Limits(notes_per_minute=0))
    try:
        created = store.create_workshop('対話会', sessions=[('観光', '')])
        access.set_pin(store, created.workshop.id, pin)
        image, cards = written_sheet(store, created)
        tear_qr_code(image, index=2)
        path = data_dir / 'torn.png'
        image.save(path)
        scans = ScanStore(store)
        ingest_files(scans, created.workshop.id, [path], workers=1)
        [leftover] = scans.leftovers(created.workshop.id)
        return created.facilitator_key, store.card_note(cards[0].id).image_id, leftover.id
    finally:
        store.close()


def http_get(url: str) -> tuple[int, bytes]:
    """Return the status and body of a GET request sent with no cookie."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_staff_images_rejected_over_http(data_dir: Path) -> None:
    key, image_id, leftover_id = seed_scanned_workshop(data_dir, '482913')
    with running_server(data_dir) as url:
        image = http_get(f'{url}/f/{key}/images/{image_id}.webp')
        thumbnail = http_get(f'{url}/f/{key}/leftovers/{leftover_id}.webp')
        wrong_key = http_get(f'{url}/f/{"A" * 32}/images/{image_id}.webp')
        word = http_get(f'{url}/f/{key}/images/abc.webp')
    assert image == (403, b'')
    assert thumbnail == (403, b'')
    assert word == (403, b'')  # the PIN is checked before the id, whatever the id is
    assert wrong_key[0] == 404


@pytest.mark.browser
def test_transcription_image_shown_after_pin(browser: Browser, data_dir: Path) -> None:
    key, image_id, _ = seed_scanned_workshop(data_dir, '482913')
    with running_server(data_dir) as url:
        image_url = f'{url}/f/{key}/images/{image_id}.webp'
        context = browser.new_context(locale='ja-JP')
        page = context.new_page()
        page.goto(f'{url}/f/{key}/transcribe')
        expect(page.get_by_text('PINを入力してください')).to_be_visible()
        assert page.locator('img').count() == 0
        assert context.request.get(image_url).status == 403

        page.locator('input[type=password]').fill('482913')
        page.get_by_role('button', name='開く').click()
        shown = page.locator(f'img[src$="/images/{image_id}.webp"]')
        expect(shown).to_be_visible(timeout=10_000)
        page.wait_for_function('image => image.complete && image.naturalWidth > 0', arg=shown.element_handle(),
                               timeout=10_000)
        assert context.request.get(image_url).status == 200

        stranger = browser.new_context(locale='ja-JP')
        rejected = stranger.request.get(image_url)
        assert rejected.status == 403
        assert rejected.body() == b''
        stranger.close()
        context.close()


@pytest.mark.browser
def test_transcription_save_confirmed(browser: Browser, data_dir: Path) -> None:
    key, _, _ = seed_scanned_workshop(data_dir, '482913')
    with running_server(data_dir) as url:
        context = browser.new_context(locale='ja-JP')
        page = context.new_page()
        page.goto(f'{url}/f/{key}/transcribe')
        page.locator('input[type=password]').fill('482913')
        page.get_by_role('button', name='開く').click()
        remaining = page.get_by_text('文字起こし待ち:')
        expect(remaining).to_be_visible(timeout=10_000)
        before = remaining.inner_text()

        page.locator('textarea').first.fill('港にベンチがほしい')
        page.get_by_role('button', name='保存する').first.click()
        expect(page.get_by_text('保存しました。')).to_be_visible(timeout=10_000)
        expect(remaining).not_to_have_text(before)
        context.close()
