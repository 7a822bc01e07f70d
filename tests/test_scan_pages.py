"""The staff pages for scans and transcription, driven through NiceGUI's simulated user and Chromium."""
import io
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

from scan_samples import TEXTS, written_sheet
from sessions import runtime
from workshop.model import NewWorkshop, Note
from workshop.scans_store import ScanStore

WRITTEN = sum(1 for text in TEXTS if text)


def create_workshop() -> NewWorkshop:
    return runtime.store().create_workshop('壱岐市 対話会', sessions=[('観光', ''), ('子育て', '')])


def workshop_with_scanned_note() -> tuple[NewWorkshop, Note]:
    """Create a workshop, scan a written sheet of its cards, and return it with the first card's note."""
    from workshop.scan.ingest import ingest_files

    created = create_workshop()
    image, cards = written_sheet(runtime.store(), created)
    path = runtime.settings().data_dir / 'sheet.png'
    image.save(path)
    ingest_files(ScanStore(runtime.store()), created.workshop.id, [path], workers=1)
    return created, runtime.store().card_note(cards[0].id)


def png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format='PNG', compress_level=1)
    return buffer.getvalue()


async def test_upload_files_written_cards(user: User) -> None:
    created = create_workshop()
    image, cards = written_sheet(runtime.store(), created)
    await user.open(f'/f/{created.facilitator_key}/scan')
    upload = user.find(marker='scan-upload').elements.pop()
    assert isinstance(upload, ui.upload)
    await upload.handle_uploads([
        SmallFileUpload(name='sheet.png', content_type='image/png', _data=png(image)),
        SmallFileUpload(name='memo.jpg', content_type='image/jpeg', _data='写真ではない'.encode()),
    ])
    await user.should_see(marker='scan-result', retries=100)
    await user.should_see('sheet.png: 1ページ、登録 5枚、白紙 5枚、読めないQR 0件', retries=100)
    await user.should_see('memo.jpg: PDF・JPEG・PNG・HEIC のどれでもありません。')
    notes = runtime.store().notes(created.workshop.id)
    assert len(notes) == WRITTEN
    assert all(note.image_id is not None for note in notes)


async def test_leftover_assigned_by_code(user: User) -> None:
    from test_scan import tear_qr_code

    created = create_workshop()
    image, cards = written_sheet(runtime.store(), created)
    tear_qr_code(image, index=2)
    await user.open(f'/f/{created.facilitator_key}/scan')
    upload = user.find(marker='scan-upload').elements.pop()
    await upload.handle_uploads([SmallFileUpload(name='torn.png', content_type='image/png', _data=png(image))])
    await user.should_see('torn.png: 1ページ、登録 4枚、白紙 5枚、読めないQR 1件', retries=100)
    [leftover] = ScanStore(runtime.store()).leftovers(created.workshop.id)
    await user.should_see(marker=f'leftover-{leftover.id}')

    user.find(marker=f'leftover-code-{leftover.id}').type(cards[2].code)
    user.find(marker=f'leftover-assign-{leftover.id}').click()
    await user.should_see(marker='no-leftovers')
    assert runtime.store().card_note(cards[2].id).image_id is not None


async def test_thumbnail_needs_facilitator_key(user: User) -> None:
    from test_scan import tear_qr_code

    created = create_workshop()
    image, _ = written_sheet(runtime.store(), created)
    tear_qr_code(image, index=2)
    path = runtime.settings().data_dir / 'torn.png'
    image.save(path)
    from workshop.scan.ingest import ingest_files

    ingest_files(ScanStore(runtime.store()), created.workshop.id, [path], workers=1)
    [leftover] = ScanStore(runtime.store()).leftovers(created.workshop.id)
    allowed = await user.http_client.get(f'/f/{created.facilitator_key}/leftovers/{leftover.id}.webp')
    other = create_workshop()
    refused = await user.http_client.get(f'/f/{other.facilitator_key}/leftovers/{leftover.id}.webp')
    assert allowed.status_code == 200
    assert allowed.headers['content-type'] == 'image/webp'
    assert refused.status_code == 404


async def test_board_image_only_for_its_workshop(user: User) -> None:
    created, note = workshop_with_scanned_note()
    other = create_workshop()
    allowed = await user.http_client.get(f'/board/{created.workshop.id}/images/{note.image_id}.webp')
    refused = await user.http_client.get(f'/board/{other.workshop.id}/images/{note.image_id}.webp')
    assert allowed.status_code == 200
    assert refused.status_code == 404


async def test_transcription_saves_text(user: User) -> None:
    created, note = workshop_with_scanned_note()
    await user.open(f'/f/{created.facilitator_key}/transcribe')
    await user.should_see(f'文字起こし待ち: {WRITTEN}件')
    user.find(marker=f'transcript-{note.id}').type('港にベンチがほしい')
    user.find(marker=f'save-{note.id}').click()
    await user.should_see(f'文字起こし待ち: {WRITTEN - 1}件')
    await user.should_see('保存しました。')
    assert runtime.store().note(note.id).text == '港にベンチがほしい'


async def test_facilitator_page_links_scan_pages(user: User) -> None:
    created = create_workshop()
    await user.open(f'/f/{created.facilitator_key}')
    await user.should_see(marker='scan-link')
    await user.should_see(marker='transcribe-link')


async def test_scan_page_wrong_key_not_found(user: User) -> None:
    response = await user.http_client.get('/f/' + 'A' * 32 + '/scan')
    assert response.status_code == 404


async def test_scan_page_asks_for_pin(user: User) -> None:
    from workshop import access

    created = create_workshop()
    access.set_pin(runtime.store(), created.workshop.id, '482913')
    await user.open(f'/f/{created.facilitator_key}/scan')
    await user.should_see(marker='pin')
    await user.should_not_see(marker='scan-upload')


def scanned_workshop(pin: str | None = None) -> tuple[NewWorkshop, int, int]:
    """Return a workshop (with the PIN, if given) that has a filed card image and a leftover thumbnail."""
    from test_scan import tear_qr_code
    from workshop import access
    from workshop.scan.ingest import ingest_files

    created = create_workshop()
    if pin is not None:
        access.set_pin(runtime.store(), created.workshop.id, pin)
    image, cards = written_sheet(runtime.store(), created)
    tear_qr_code(image, index=2)
    path = runtime.settings().data_dir / 'torn.png'
    image.save(path)
    scans = ScanStore(runtime.store())
    ingest_files(scans, created.workshop.id, [path], workers=1)
    [leftover] = scans.leftovers(created.workshop.id)
    return created, runtime.store().card_note(cards[0].id).image_id, leftover.id


def staff_urls(created: NewWorkshop, image_id: int, leftover_id: int) -> list[str]:
    key = created.facilitator_key
    return [f'/f/{key}/images/{image_id}.webp', f'/f/{key}/leftovers/{leftover_id}.webp']


async def enter_pin(user: User, created: NewWorkshop, pin: str) -> None:
    await user.open(f'/f/{created.facilitator_key}/transcribe')
    user.find(marker='pin').type(pin)
    user.find(marker='pin-submit').click()
    await user.should_see(marker='remaining', retries=100)  # the PIN check hashes for a while on a busy machine


async def test_staff_images_need_pin(user: User) -> None:
    created, image_id, leftover_id = scanned_workshop(pin='482913')
    for url in staff_urls(created, image_id, leftover_id):
        response = await user.http_client.get(url)
        assert response.status_code == 403, url
        assert response.content == b'', url
        assert response.headers['cache-control'] == 'no-store', url


async def test_staff_images_without_pin_hide_ids(user: User) -> None:
    created, image_id, leftover_id = scanned_workshop(pin='482913')
    key = created.facilitator_key
    missing = await user.http_client.get(f'/f/{key}/images/{image_id + 1000}.webp')
    wrong_key = await user.http_client.get(f'/f/{"A" * 32}/images/{image_id}.webp')
    assert missing.status_code == 403
    assert wrong_key.status_code == 404


async def test_staff_images_served_after_pin(user: User) -> None:
    created, image_id, leftover_id = scanned_workshop(pin='482913')
    await enter_pin(user, created, '482913')
    for url in staff_urls(created, image_id, leftover_id):
        response = await user.http_client.get(url)
        assert response.status_code == 200, url
        assert response.headers['content-type'] == 'image/webp', url
        assert response.content[8:12] == b'WEBP', url


async def test_staff_images_need_changed_pin(user: User) -> None:
    from workshop import access

    created, image_id, leftover_id = scanned_workshop(pin='482913')
    await enter_pin(user, created, '482913')
    access.set_pin(runtime.store(), created.workshop.id, '13579135')
    for url in staff_urls(created, image_id, leftover_id):
        response = await user.http_client.get(url)
        assert response.status_code == 403, url


async def test_staff_images_of_workshop_without_pin(user: User) -> None:
    created, image_id, leftover_id = scanned_workshop()
    for url in staff_urls(created, image_id, leftover_id):
        response = await user.http_client.get(url)
        assert response.status_code == 200, url


async def test_staff_images_include_held_and_replaced(user: User) -> None:
    from PIL import Image

    from workshop.model import NoteStatus
    from workshop.scan.images import encode

    created, replaced_id, _ = scanned_workshop()
    [note] = [note for note in runtime.store().notes(created.workshop.id) if note.image_id == replaced_id]
    current = ScanStore(runtime.store()).attach_image(note.card_id, encode(Image.new('RGB', (400, 200), 'white')))
    runtime.store().set_note_status(note.id, NoteStatus.HELD)
    for image_id in [replaced_id, current.image_id]:
        staff = await user.http_client.get(f'/f/{created.facilitator_key}/images/{image_id}.webp')
        board = await user.http_client.get(f'/board/{created.workshop.id}/images/{image_id}.webp')
        assert staff.status_code == 200, image_id
        assert board.status_code == 404, image_id


async def open_torn_sheet(user: User) -> tuple[NewWorkshop, list, int]:
    """Open the scan page of a workshop whose scanned sheet left card A-003 as a leftover."""
    created, _, leftover_id = scanned_workshop()
    cards = runtime.store().cards(created.workshop.id)
    await user.open(f'/f/{created.facilitator_key}/scan')
    await user.should_see(marker=f'leftover-{leftover_id}')
    return created, cards, leftover_id


async def test_leftover_code_typed_full_width(user: User) -> None:
    created, cards, leftover_id = await open_torn_sheet(user)
    user.find(marker=f'leftover-code-{leftover_id}').type('Ａ－００３')
    user.find(marker=f'leftover-assign-{leftover_id}').click()
    await user.should_see(marker='no-leftovers')
    assert runtime.store().card_note(cards[2].id).image_id is not None


async def test_empty_leftover_code_asks(user: User) -> None:
    created, cards, leftover_id = await open_torn_sheet(user)
    user.find(marker=f'leftover-assign-{leftover_id}').click()
    await user.should_see('カードに印刷されたコード（例: A-017）を入力してください。')
    await user.should_not_see('というカードはこのワークショップにありません')
    await user.should_see(marker=f'leftover-{leftover_id}')


async def test_leftover_over_image_cancelled(user: User) -> None:
    created, cards, leftover_id = await open_torn_sheet(user)
    before = runtime.store().card_note(cards[0].id)
    user.find(marker=f'leftover-code-{leftover_id}').type('a-1')
    user.find(marker=f'leftover-assign-{leftover_id}').click()
    await user.should_see('A-001 にはすでに手書きの画像があります。置き換えますか？')
    user.find(marker='replace-cancel').click()
    await user.should_not_see(marker='replace-dialog')
    await user.should_see(marker=f'leftover-{leftover_id}')
    assert runtime.store().card_note(cards[0].id).image_id == before.image_id
    assert [item.id for item in ScanStore(runtime.store()).leftovers(created.workshop.id)] == [leftover_id]


async def test_leftover_over_image_replaced(user: User) -> None:
    created, cards, leftover_id = await open_torn_sheet(user)
    before = runtime.store().card_note(cards[0].id)
    user.find(marker=f'leftover-code-{leftover_id}').type('A-001')
    user.find(marker=f'leftover-assign-{leftover_id}').click()
    await user.should_see(marker='replace-dialog')
    await user.should_see(marker='replace-current')
    user.find(marker='replace-confirm').click()
    await user.should_see(marker='no-leftovers')
    after = runtime.store().card_note(cards[0].id)
    assert after.id == before.id
    assert after.image_id != before.image_id
    assert [image.id for image in ScanStore(runtime.store()).images(after.id)] == [before.image_id, after.image_id]


async def test_rescan_on_page_lists_leftover_once(user: User) -> None:
    from test_scan import tear_qr_code

    created = create_workshop()
    image, _ = written_sheet(runtime.store(), created)
    tear_qr_code(image, index=2)
    data = png(image)
    await user.open(f'/f/{created.facilitator_key}/scan')
    upload = user.find(marker='scan-upload').elements.pop()
    await upload.handle_uploads([SmallFileUpload(name='torn.png', content_type='image/png', _data=data)])
    await upload.handle_uploads([SmallFileUpload(name='torn-again.png', content_type='image/png', _data=data)])
    await user.should_see('torn-again.png: 1ページ、登録 4枚、白紙 5枚、読めないQR 1件', retries=100)
    [leftover] = ScanStore(runtime.store()).leftovers(created.workshop.id)
    assert len(user.find(marker=f'leftover-{leftover.id}').elements) == 1


@pytest.mark.browser
def test_uploader_size_line_only_while_uploading(browser, data_dir: Path) -> None:
    from playwright.sync_api import expect

    from chromium import running_server
    from workshop.store import Store

    store = Store(data_dir / 'fusen.db')
    created = store.create_workshop('壱岐市 対話会', sessions=[('観光', '')])
    image, _ = written_sheet(store, created)
    store.close()
    sheet = data_dir / 'sheet.png'
    image.save(sheet)
    with running_server(data_dir) as url:
        page = browser.new_page(locale='ja-JP')
        held = []  # the upload request, kept back so the page can be looked at while the upload runs

        def hold(route) -> None:
            held.append(route)

        page.route('**/upload/**', hold)
        page.goto(f'{url}/f/{created.facilitator_key}/scan')
        uploader = page.locator('.fusen-upload').first
        size_line = uploader.locator('.q-uploader__header .q-uploader__subtitle')
        expect(uploader).to_be_visible()
        expect(size_line).to_be_hidden()

        uploader.locator('input[type=file]').set_input_files(str(sheet))
        expect(size_line).to_be_visible()
        expect(size_line).to_contain_text('%')
        for _ in range(100):  # Playwright hands over the route while it waits
            if held:
                break
            page.wait_for_timeout(100)
        assert len(held) == 1
        held[0].continue_()
        expect(page.get_by_text('sheet.png: 1ページ')).to_be_visible(timeout=60_000)
        expect(size_line).to_be_hidden()
        page.close()
