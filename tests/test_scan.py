"""The scan pipeline end to end: rendered card sheets in, handwriting filed to the right notes out."""
from pathlib import Path

import pytest
import qrcode
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from scan_samples import TEXTS, phone_photo, png_bomb, save, written_sheet
from workshop.scan.filing import FileReport, file_card_photo
from workshop.scan.analysis import analyse_card_photo
from workshop.scan.images import path_of
from workshop.scan.ingest import ingest_files
from workshop.scan.loading import ScanLimits, open_scan
from workshop.scans_store import ScanStore
from workshop.store import NotFound, Store

WRITTEN = [index for index, text in enumerate(TEXTS) if text]


@pytest.fixture
def scans(store: Store) -> ScanStore:
    return ScanStore(store)


def ingest(scans: ScanStore, workshop, *paths: Path, **options) -> list[FileReport]:
    return ingest_files(scans, workshop.workshop.id, list(paths), workers=1, **options)


def test_sheet_files_written_cards(scans, store, workshop, tmp_path):
    image, cards = written_sheet(store, workshop)
    [report] = ingest(scans, workshop, save(image, tmp_path / 'sheet.png'))
    assert report.filed == [cards[index].code for index in WRITTEN]
    assert report.blank == len(cards) - len(WRITTEN)
    assert report.errors == []
    notes = store.notes(workshop.workshop.id)
    assert sorted(note.card_id for note in notes) == [cards[index].id for index in WRITTEN]
    assert all(note.image_id is not None for note in notes)
    assert all(note.needs_transcription for note in notes)


def test_rotated_sheet_files_same_cards(scans, store, workshop, tmp_path):
    image, cards = written_sheet(store, workshop)
    [report] = ingest(scans, workshop, save(image.rotate(180), tmp_path / 'upside-down.png'))
    assert sorted(report.filed) == sorted(cards[index].code for index in WRITTEN)
    assert report.blank == len(cards) - len(WRITTEN)


def test_phone_photo_files_cards(scans, store, workshop, tmp_path):
    image, cards = written_sheet(store, workshop, dpi=200)
    photo = save(phone_photo(image), tmp_path / 'photo.jpg', quality=85)
    [report] = ingest(scans, workshop, photo)
    assert sorted(report.filed) == sorted(cards[index].code for index in WRITTEN)
    assert report.leftovers == 0


def test_stored_image_is_upright_writing(scans, store, workshop, tmp_path):
    image, cards = written_sheet(store, workshop, texts=['港'] + [None] * 9)
    ingest(scans, workshop, save(image.rotate(90, expand=True), tmp_path / 'sideways.png'))
    note = store.card_note(cards[0].id)
    with Image.open(scans.image_path(workshop.workshop.id, note.image_id)) as stored:
        assert stored.format == 'WEBP'
        assert stored.width > stored.height  # the writing area is 56 × 34 mm, so upright means landscape


def test_rescan_keeps_one_note_and_old_image(scans, store, workshop, tmp_path):
    image, cards = written_sheet(store, workshop)
    path = save(image, tmp_path / 'sheet.png')
    ingest(scans, workshop, path)
    first = store.card_note(cards[0].id)
    ingest(scans, workshop, path)
    second = store.card_note(cards[0].id)
    history = scans.images(second.id)
    assert second.id == first.id
    assert len(store.notes(workshop.workshop.id)) == len(WRITTEN)
    assert [image.id for image in history] == [first.image_id, second.image_id]
    assert history[0].replaced_at != ''
    assert path_of(scans.data_dir, history[0].file).exists()


def test_typed_text_kept_when_image_arrives(scans, store, workshop, tmp_path):
    image, cards = written_sheet(store, workshop)
    store.submit_card_text(cards[0].token, '港にベンチがほしい（入力済み）')
    ingest(scans, workshop, save(image, tmp_path / 'sheet.png'))
    note = store.card_note(cards[0].id)
    assert note.text == '港にベンチがほしい（入力済み）'
    assert note.image_id is not None
    assert not note.needs_transcription


def test_foreign_codes_reported_not_filed(scans, store, workshop, tmp_path):
    other = store.create_workshop('別の対話会', sessions=[('防災', '')])
    image, _ = written_sheet(store, other)
    stranger = qrcode.make('https://example.com/not-fusen', box_size=12).get_image().convert('RGB')
    image.paste(stranger, (40, image.height - stranger.height - 40))
    [report] = ingest(scans, workshop, save(image, tmp_path / 'mixed.png'))
    assert report.other_workshop == len(WRITTEN) + (10 - len(WRITTEN))
    assert report.not_fusen == 1
    assert report.filed == []
    assert store.notes(workshop.workshop.id) == []
    assert store.notes(other.workshop.id) == []


def test_torn_code_becomes_leftover(scans, store, workshop, tmp_path):
    image, cards = written_sheet(store, workshop)
    tear_qr_code(image, index=2)
    [report] = ingest(scans, workshop, save(image, tmp_path / 'torn.png'))
    [leftover] = scans.leftovers(workshop.workshop.id)
    assert report.leftovers == 1
    assert cards[2].code not in report.filed
    assert leftover.source_name == 'torn.png'
    assert leftover.page == 1
    assert scans.thumbnail_path(workshop.workshop.id, leftover.id).exists()

    note = scans.assign_leftover(workshop.workshop.id, leftover.id, cards[2].code.lower())
    assert note.card_id == cards[2].id
    assert note.image_id is not None
    assert scans.leftovers(workshop.workshop.id) == []


def test_leftover_with_unknown_code(scans, store, workshop, tmp_path):
    image, _ = written_sheet(store, workshop)
    tear_qr_code(image, index=2)
    ingest(scans, workshop, save(image, tmp_path / 'torn.png'))
    [leftover] = scans.leftovers(workshop.workshop.id)
    with pytest.raises(NotFound):
        scans.assign_leftover(workshop.workshop.id, leftover.id, 'Z-999')
    scans.discard_leftover(workshop.workshop.id, leftover.id)
    assert scans.leftovers(workshop.workshop.id) == []


def test_page_without_codes_is_leftover(scans, store, workshop, tmp_path):
    image, _ = written_sheet(store, workshop)
    for index in range(10):
        tear_qr_code(image, index)
    [report] = ingest(scans, workshop, save(image, tmp_path / 'no-codes.png'))
    assert report.leftovers == 1
    assert scans.leftovers(workshop.workshop.id)[0].whole_page


def test_blank_page_skipped(scans, workshop, tmp_path):
    [report] = ingest(scans, workshop, save(Image.new('RGB', (2480, 3508), 'white'), tmp_path / 'back.png'))
    assert report.blank_pages == 1
    assert report.leftovers == 0


def test_multi_page_pdf(scans, store, workshop, tmp_path):
    first, cards = written_sheet(store, workshop)
    second, more = written_sheet(store, workshop, session=1)
    path = tmp_path / 'scanner.pdf'
    first.save(path, format='PDF', save_all=True, append_images=[second], resolution=300)
    [report] = ingest(scans, workshop, path)
    assert report.pages == 2
    assert len(report.filed) == 2 * len(WRITTEN)


def test_heic_photo(scans, store, workshop, tmp_path):
    pillow_heif = pytest.importorskip('pillow_heif')
    image, cards = written_sheet(store, workshop)
    path = tmp_path / 'IMG_0001.HEIC'
    pillow_heif.from_pillow(image).save(path, quality=90)
    [report] = ingest(scans, workshop, path)
    assert len(report.filed) == len(WRITTEN)


def test_transcription_queue(scans, store, workshop, tmp_path):
    image, cards = written_sheet(store, workshop)
    ingest(scans, workshop, save(image, tmp_path / 'sheet.png'))
    queue = scans.transcription_queue(workshop.workshop.id)
    assert len(queue) == len(WRITTEN)
    scans.transcribe(queue[0].id, '港にベンチがほしい')
    assert store.note(queue[0].id).text == '港にベンチがほしい'
    assert len(scans.transcription_queue(workshop.workshop.id)) == len(WRITTEN) - 1


def test_image_route_check_by_workshop(scans, store, workshop, tmp_path):
    image, cards = written_sheet(store, workshop)
    ingest(scans, workshop, save(image, tmp_path / 'sheet.png'))
    note = store.card_note(cards[0].id)
    other = store.create_workshop('別の対話会', sessions=[('防災', '')])
    assert scans.image_path(workshop.workshop.id, note.image_id) is not None
    assert scans.image_path(other.workshop.id, note.image_id) is None


# Photos from a card's own page

def test_card_photo_without_code_strips_exif(scans, store, workshop, tmp_path):
    card = store.create_cards(workshop.sessions[0].id, 1)[0]
    photo = Image.new('RGB', (1200, 800), 'white')
    photo.paste((20, 20, 120), (200, 300, 900, 380))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was held upright, so the pixels must turn 90°
    exif.get_ifd(0x8825)[2] = (33.0, 47.0, 0.0)  # GPS latitude
    path = save(photo, tmp_path / 'IMG_0002.jpg', exif=exif)
    analysis, whole = analyse_card_photo(open_scan(path))
    report = FileReport(name=path.name)
    file_card_photo(scans, card, analysis, whole, report)
    note = store.card_note(card.id)
    stored_path = scans.image_path(workshop.workshop.id, note.image_id)
    with Image.open(stored_path) as stored:
        assert stored.height > stored.width
        assert len(stored.getexif()) == 0
    assert b'Exif' not in stored_path.read_bytes()
    assert report.filed == [card.code]


# Bad input: each is rejected with its file's name, nothing of it is stored, and the batch goes on.

@pytest.fixture
def good_sheet(store, workshop, tmp_path) -> Path:
    image, _ = written_sheet(store, workshop)
    return save(image, tmp_path / 'good.png')


def bad_file_case(scans, store, workshop, good_sheet, bad: Path, expected_key: str, **options) -> None:
    reports = ingest(scans, workshop, bad, good_sheet, **options)
    assert [error.message_key for error in reports[0].errors] == [expected_key]
    assert reports[0].errors[0].file_name == bad.name
    assert reports[0].filed == []
    assert len(reports[1].filed) == len(WRITTEN)
    assert scans.leftovers(workshop.workshop.id) == []
    stored = list((scans.data_dir / 'images').iterdir())
    assert len(stored) == len(WRITTEN)


def test_corrupt_pdf_rejected(scans, store, workshop, good_sheet, tmp_path):
    bad = tmp_path / 'broken.pdf'
    bad.write_bytes(b'%PDF-1.7\n1 0 obj << /Type /Catalog >>\nthis is not a PDF body\n')
    bad_file_case(scans, store, workshop, good_sheet, bad, 'scan.error.corrupt')


def test_empty_file_rejected(scans, store, workshop, good_sheet, tmp_path):
    bad = tmp_path / 'empty.jpg'
    bad.write_bytes(b'')
    bad_file_case(scans, store, workshop, good_sheet, bad, 'scan.error.empty')


def test_decompression_bomb_rejected(scans, store, workshop, good_sheet, tmp_path):
    bad = png_bomb(tmp_path / 'bomb.png')
    bad_file_case(scans, store, workshop, good_sheet, bad, 'scan.error.too_many_pixels')


def test_text_named_jpg_rejected(scans, store, workshop, good_sheet, tmp_path):
    bad = tmp_path / 'notes.jpg'
    bad.write_text('これは写真ではありません', encoding='utf-8')
    bad_file_case(scans, store, workshop, good_sheet, bad, 'scan.error.unknown_kind')


def test_oversized_file_rejected(scans, store, workshop, good_sheet, tmp_path):
    bad = save(Image.new('RGB', (2000, 2000), 'white'), tmp_path / 'large.png')
    limit = good_sheet.stat().st_size + 1
    bad.write_bytes(bad.read_bytes() + b'\0' * limit)
    bad_file_case(scans, store, workshop, good_sheet, bad, 'scan.error.too_large', limits=ScanLimits(max_bytes=limit))


def test_pdf_with_500_pages_rejected(scans, store, workshop, good_sheet, tmp_path):
    bad = tmp_path / 'stack.pdf'
    canvas = Canvas(str(bad))
    for _ in range(500):
        canvas.showPage()
    canvas.save()
    bad_file_case(scans, store, workshop, good_sheet, bad, 'scan.error.too_many_pages')


def tear_qr_code(image: Image.Image, index: int) -> None:
    """Paint over most of a card's QR code, as a tear or a coffee stain would leave it unreadable."""
    from workshop import layout

    px = 300 / 25.4
    x0, y0 = layout.card_origin(index)
    box = layout.QR_BOX.moved(x0, y0)
    image.paste((250, 250, 250), (round((box.x + 5) * px), round((box.y + 5) * px),
                                  round((box.right - 9) * px), round((box.bottom - 5) * px)))
