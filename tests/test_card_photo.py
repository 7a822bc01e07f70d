"""The card page's photo upload: a phone photo of the card files onto that card's note and nothing else."""
import io
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from PIL import Image

from scan_samples import DPI, jpeg_bytes, png_bomb, written_sheet
from sessions import card_photo, runtime
from sessions.board import IMAGE_BATCH_SECONDS
from workshop import layout
from workshop.model import Card, NewWorkshop
from workshop.scan.loading import ScanLimits
from workshop.scans_store import ScanStore

RECEIVED = '写真を受け取りました。ボードに表示されます。'
WRITTEN_INDEX, OTHER_INDEX, BLANK_INDEX = 0, 2, 1  # places on the sample sheet: written, written, blank
SLOW = 200  # should_see attempts, 0.1 s apart: the photo is decoded and filed in a worker thread


def sheet_cards() -> tuple[NewWorkshop, Image.Image, list[Card]]:
    """Create a workshop and return it with a rendered, written-on sheet of its first session's cards."""
    store = runtime.store()
    created = store.create_workshop('壱岐市 対話会', sessions=[('観光', '島を訪れる人に何を？'), ('子育て', '')])
    image, cards = written_sheet(store, created)
    return created, image, cards


def photo_of_card(sheet: Image.Image, index: int, margin: float = 8.0) -> Image.Image:
    """Return one card cut from a rendered sheet with some table around it, as a phone would frame it."""
    x, y = layout.card_origin(index)
    pixels_per_mm = DPI / 25.4
    box = [round(value * pixels_per_mm) for value in
           (x - margin, y - margin, x + layout.CARD_WIDTH + margin, y + layout.CARD_HEIGHT + margin)]
    left, top = max(0, box[0]), max(0, box[1])
    card = sheet.crop((left, top, box[2], box[3]))
    table = Image.new('RGB', (box[2] - box[0], box[3] - box[1]), (120, 96, 70))
    table.paste(card, (left - box[0], top - box[1]))
    return table


def jpeg_with_gps(image: Image.Image) -> bytes:
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (33.0, 47.0, 0.0)  # GPS latitude, as a phone writes it
    exif[0x010F] = 'PhoneMaker'
    return jpeg_bytes(image, quality=90, exif=exif)


async def send_photo(user: User, data: bytes, name: str = 'IMG_0001.jpg', content_type: str = 'image/jpeg') -> None:
    upload = user.find(marker='photo-upload').elements.pop()
    assert isinstance(upload, ui.upload)
    await upload.handle_uploads([SmallFileUpload(name=name, content_type=content_type, _data=data)])


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format='PNG', compress_level=1)
    return buffer.getvalue()


def stored_images() -> list[Path]:
    folder = runtime.settings().data_dir / 'images'
    return sorted(folder.iterdir()) if folder.exists() else []


def leftover_uploads() -> list[Path]:
    folder = runtime.settings().data_dir / 'uploads'
    return list(folder.rglob('*')) if folder.exists() else []


async def test_card_page_offers_photo(user: User) -> None:
    _, _, cards = sheet_cards()
    await user.open(f'/c/{cards[0].token}')
    await user.should_see(marker='photo-hint', content='カードを写真にとって送ることもできます。')
    await user.should_see(marker='photo-button', content='写真をとる')
    upload = user.find(marker='photo-upload').elements.pop()
    assert upload.props['accept'] == 'image/*'
    assert upload.props['capture'] == 'environment'
    assert upload.props['auto-upload'] is True
    assert upload.props['max-file-size'] == ScanLimits().max_bytes


async def test_photo_files_onto_card_and_board(create_user: Callable[[], User]) -> None:
    created, sheet, cards = sheet_cards()
    board = create_user()
    phone = create_user()
    await board.open(f'/board/{created.workshop.id}')
    await phone.open(f'/c/{cards[WRITTEN_INDEX].token}')

    await send_photo(phone, jpeg_with_gps(photo_of_card(sheet, WRITTEN_INDEX)))

    await phone.should_see(marker='photo-status', content=RECEIVED, retries=SLOW)
    note = runtime.store().card_note(cards[WRITTEN_INDEX].id)
    assert note is not None
    assert note.image_id is not None
    [image] = ScanStore(runtime.store()).images(note.id)
    assert image.origin == 'photo'
    # The photo is filed once the phone reports it, and the board adds it with its next batch of images.
    await board.should_see(marker='note-image', retries=20 + round(IMAGE_BATCH_SECONDS * 10))
    [shown] = board.find(marker='note-image').elements
    assert shown.props['image']['src'] == f'/board/{created.workshop.id}/images/{note.image_id}.webp'
    assert leftover_uploads() == []


async def test_stored_photo_has_no_exif(user: User) -> None:
    created, sheet, cards = sheet_cards()
    await user.open(f'/c/{cards[WRITTEN_INDEX].token}')
    await send_photo(user, jpeg_with_gps(photo_of_card(sheet, WRITTEN_INDEX)))
    await user.should_see(marker='photo-status', content=RECEIVED, retries=SLOW)

    [stored] = stored_images()
    data = stored.read_bytes()
    assert b'Exif' not in data
    assert b'PhoneMaker' not in data
    with Image.open(stored) as picture:
        assert len(picture.getexif()) == 0
        assert picture.getexif().get_ifd(0x8825) == {}


async def test_photo_of_other_card_not_filed(user: User) -> None:
    created, sheet, cards = sheet_cards()
    await user.open(f'/c/{cards[WRITTEN_INDEX].token}')

    await send_photo(user, jpeg_bytes(photo_of_card(sheet, OTHER_INDEX)))

    await user.should_see(marker='photo-status', content='別のカードが写っています。このカード（A-001）の写真をとってください。',
                          retries=SLOW)
    assert runtime.store().card_note(cards[OTHER_INDEX].id) is None
    assert runtime.store().card_note(cards[WRITTEN_INDEX].id) is None
    assert stored_images() == []


async def test_photo_of_sheet_files_only_this_card(user: User) -> None:
    created, sheet, cards = sheet_cards()
    await user.open(f'/c/{cards[OTHER_INDEX].token}')

    await send_photo(user, jpeg_bytes(sheet.resize((sheet.width // 2, sheet.height // 2)), quality=92))

    await user.should_see(marker='photo-status', content=RECEIVED, retries=SLOW)
    notes = runtime.store().notes(created.workshop.id)
    assert [note.card_code for note in notes] == [cards[OTHER_INDEX].code]
    assert len(stored_images()) == 1


async def test_typed_text_kept_with_photo(user: User) -> None:
    created, sheet, cards = sheet_cards()
    card = cards[WRITTEN_INDEX]
    await user.open(f'/c/{card.token}')
    user.find(marker='note-input').clear().type('港にベンチがほしい')
    user.find(marker='post-button').click()
    await user.should_see(marker='sent')

    await send_photo(user, jpeg_bytes(photo_of_card(sheet, WRITTEN_INDEX)))

    await user.should_see(marker='photo-status', content=RECEIVED, retries=SLOW)
    notes = runtime.store().notes(created.workshop.id)
    assert len(notes) == 1
    assert notes[0].text == '港にベンチがほしい'
    assert notes[0].image_id is not None


async def test_photo_of_blank_card_not_filed(user: User) -> None:
    _, sheet, cards = sheet_cards()
    await user.open(f'/c/{cards[BLANK_INDEX].token}')

    await send_photo(user, jpeg_bytes(photo_of_card(sheet, BLANK_INDEX)))

    await user.should_see(marker='photo-status', content='書かれた文字が見つかりませんでした。書いた面の写真をとってください。',
                          retries=SLOW)
    assert runtime.store().card_note(cards[BLANK_INDEX].id) is None
    assert stored_images() == []


@pytest.mark.parametrize('name, data, expected', [
    ('memo.jpg', '写真ではない'.encode(), '写真として読めませんでした。カメラでとった写真を送ってください。'),
    ('scan.jpg', b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', '写真として読めませんでした。カメラでとった写真を送ってください。'),
    ('empty.jpg', b'', '写真として読めませんでした。カメラでとった写真を送ってください。'),
    ('cut.jpg', b'\xff\xd8\xff\xe0' + b'\x00' * 64, '写真として読めませんでした。カメラでとった写真を送ってください。'),
])
async def test_bad_file_rejected_nothing_stored(user: User, name: str, data: bytes, expected: str) -> None:
    _, _, cards = sheet_cards()
    await user.open(f'/c/{cards[0].token}')

    await send_photo(user, data, name=name)

    await user.should_see(marker='photo-status', content=expected, retries=SLOW)
    assert runtime.store().card_note(cards[0].id) is None
    assert stored_images() == []
    assert leftover_uploads() == []


async def test_decompression_bomb_rejected(user: User, tmp_path: Path) -> None:
    _, _, cards = sheet_cards()
    await user.open(f'/c/{cards[0].token}')

    await send_photo(user, png_bomb(tmp_path / 'bomb.png').read_bytes(), name='bomb.png', content_type='image/png')

    await user.should_see(marker='photo-status', content='写真の画素数が多すぎます（上限 64 メガピクセル）。', retries=SLOW)
    assert runtime.store().card_note(cards[0].id) is None
    assert stored_images() == []


async def test_too_large_photo_rejected(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, cards = sheet_cards()
    # The browser refuses files over the limit before sending them; this checks the server's own check.
    monkeypatch.setattr(card_photo, 'LIMITS', ScanLimits(max_bytes=1024 * 1024))
    await user.open(f'/c/{cards[WRITTEN_INDEX].token}')

    noise = Image.frombytes('RGB', (1000, 1000), random.Random(5).randbytes(3_000_000))
    await send_photo(user, png(noise), name='noise.png', content_type='image/png')

    await user.should_see(marker='photo-status', content='写真が大きすぎます（上限 1 MB）。', retries=SLOW)
    assert runtime.store().card_note(cards[WRITTEN_INDEX].id) is None
    assert stored_images() == []


async def test_photo_page_in_english(user: User) -> None:
    _, _, cards = sheet_cards()
    await user.open(f'/c/{cards[0].token}?lang=en')
    await user.should_see(marker='photo-hint', content='You can also send a photo of the card.')
    await user.should_see(marker='photo-button', content='Take a photo')
