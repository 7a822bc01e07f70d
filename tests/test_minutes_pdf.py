import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from reportlab.lib.units import mm

from conftest import pdf_fonts, pdf_info, pdf_page_count, pdf_text, render_pages, require_tool
from printouts.fonts import printable
from printouts.minutes import minutes_pdf
from workshop.model import NoteStatus
from workshop.store import Store

GENERATED_AT = datetime(2026, 12, 5, 16, 30, tzinfo=ZoneInfo('Asia/Tokyo'))
OUT = Path(__file__).parent.parent / 'out'


@pytest.fixture
def filled(store: Store, workshop):
    """The workshop with two paper notes and three online notes, all in 観光; 子育て has none."""
    tourism = workshop.sessions[0]
    cards = store.create_cards(tourism.id, 2)
    store.submit_card_text(cards[0].token, '駅前に屋根付きの駐輪場がほしい')
    store.submit_card_text(cards[1].token, '𠮟られても 髙橋さんと﨑山さんは元気')
    taro = store.create_participant(workshop.workshop.id, 'たろう')
    anonymous = store.create_participant(workshop.workshop.id)
    store.post_note(tourism.id, taro.id, '<script>alert(1)</script> & <b>太字</b>')
    store.post_note(tourism.id, anonymous.id, '港の案内板を多言語にしてほしい。英語・中国語・韓国語。' * 2)
    store.post_note(tourism.id, anonymous.id, '星空がきれい😊')
    return workshop


def minutes_of(store: Store, created, language: str = 'ja') -> bytes:
    workshop_id = created.workshop.id
    return minutes_pdf(created.workshop, created.sessions, store.notes(workshop_id),
                       store.participant_count(workshop_id), language=language, generated_at=GENERATED_AT)


def test_font_is_embedded_subset(store, filled, tmp_path):
    fonts = [font for font in pdf_fonts(minutes_of(store, filled), tmp_path) if font['name'].endswith('+IPAexGothic')]
    assert fonts, 'IPAexGothic is not in the PDF'
    assert all(font['type'] == 'TrueType' for font in fonts)
    assert all(font['emb'] == 'yes' for font in fonts)
    assert all(font['sub'] == 'yes' for font in fonts)


def test_header_fields(store, filled, tmp_path):
    text = pdf_text(minutes_of(store, filled), tmp_path)
    assert '壱岐市 まちづくり対話会 記録' in text
    assert '2026年12月5日（土）' in text
    assert '壱岐の島ホール' in text
    assert '10年後の壱岐をどんな島に？' in text
    for label in ('タイトル', '日付', '会場', '問い', '意見の数', '参加者数（オンライン）'):
        assert label in text, label


def test_counts(store, filled, tmp_path):
    text = pdf_text(minutes_of(store, filled), tmp_path)
    assert '5件（紙 2件 ／ オンライン 3件）' in text
    assert '2人' in text


def test_title_metadata(store, filled, tmp_path):
    assert pdf_info(minutes_of(store, filled), tmp_path)['Title'] == '壱岐市 まちづくり対話会 記録'


def test_note_texts_and_sources(store, filled, tmp_path):
    text = pdf_text(minutes_of(store, filled), tmp_path)
    assert '駅前に屋根付きの駐輪場がほしい' in text
    assert '𠮟' in text
    assert '髙橋' in text
    assert '﨑山' in text
    assert re.search(r'紙\s+A-001', text)
    assert re.search(r'オンライン\s+たろう', text)
    assert re.search(r'オンライン\s+匿名', text)
    assert re.search(r'\b\d\d:\d\d\b', text)


def test_markup_printed_literally(store, filled, tmp_path):
    text = pdf_text(minutes_of(store, filled), tmp_path)
    assert '<script>alert(1)</script> & <b>太字</b>' in text


def test_emoji_becomes_geta_with_note(store, filled, tmp_path):
    text = pdf_text(minutes_of(store, filled), tmp_path)
    assert '星空がきれい〓' in text
    assert '〓 は印刷できない文字' in text


def test_empty_session_says_so(store, filled, tmp_path):
    text = pdf_text(minutes_of(store, filled), tmp_path)
    assert '子育て（0件）' in text
    assert 'このテーブルに意見はありませんでした。' in text


def test_generated_time_in_footer(store, filled, tmp_path):
    assert '作成日時 2026年12月5日 16:30' in pdf_text(minutes_of(store, filled), tmp_path)


def test_english_minutes(store, filled, tmp_path):
    text = pdf_text(minutes_of(store, filled, language='en'), tmp_path)
    assert 'Saturday 5 December 2026' in text
    assert '5 (paper 2 / online 3)' in text
    assert 'No notes were written at this table.' in text
    assert '駅前に屋根付きの駐輪場がほしい' in text


def test_many_notes_span_pages(store, workshop, tmp_path):
    session = workshop.sessions[1]
    participant = store.create_participant(workshop.workshop.id, 'はなこ')
    for number in range(320):
        store.post_note(session.id, participant.id, f'意見{number:03d} 公園にベンチと日陰がほしい。' * (1 + number % 3))
    pdf = minutes_of(store, workshop)
    pages = pdf_page_count(pdf, tmp_path)
    text = pdf_text(pdf, tmp_path)

    assert pages > 5
    # pdftotext may drop the narrow spaces around the slash.
    assert re.search(rf'\b1 ?/ ?{pages}\b', text)
    assert re.search(rf'\b{pages} ?/ ?{pages}\b', text)
    assert '意見000' in text
    assert '意見319' in text
    # The header row repeats on every page the table runs onto.
    assert text.count('時刻') >= pages - 1


def test_note_of_missing_session_is_rejected(store, filled):
    notes = store.notes(filled.workshop.id)
    with pytest.raises(ValueError, match='without those sessions'):
        minutes_pdf(filled.workshop, filled.sessions[1:], notes, 0)


def test_printable_replaces_missing_glyphs():
    assert printable('家族👨‍👩‍👧です') == '家族〓です'
    assert printable('𠮟 髙 﨑 ①') == '𠮟 髙 﨑 ①'
    assert printable('一行目\n二行目') == '一行目\n二行目'


def test_preview_png_written(store, filled, tmp_path):
    """Write page 1 at 100 dpi to out/ for a person to look at."""
    page = render_pages(minutes_of(store, filled), tmp_path, 100, last=1)[0]
    OUT.mkdir(exist_ok=True)
    shutil.copy(page, OUT / 'minutes-page-1.png')
    assert (OUT / 'minutes-page-1.png').stat().st_size > 10_000


def test_held_and_hidden_notes_counted_not_printed(store: Store, workshop, tmp_path: Path) -> None:
    from workshop.model import NoteStatus

    participant = store.create_participant(workshop.workshop.id)
    store.post_note(workshop.sessions[0].id, participant.id, '見える意見')
    store.post_note(workshop.sessions[0].id, participant.id, '電話090-1234-5678')
    hidden = store.post_note(workshop.sessions[0].id, participant.id, '隠す意見')
    store.set_note_status(hidden.id, NoteStatus.HIDDEN, '荒らし')
    pdf = minutes_pdf(workshop.workshop, workshop.sessions, store.notes(workshop.workshop.id), 1)
    text = pdf_text(pdf, tmp_path)
    assert '見える意見' in text
    assert '090-1234-5678' not in text
    assert '隠す意見' not in text
    assert '2件（個人情報のおそれなどで' in text


def test_untyped_handwriting_note_says_so(store: Store, workshop, tmp_path: Path) -> None:
    from PIL import Image

    from workshop.scan.images import encode
    from workshop.scans_store import ScanStore

    card = store.create_cards(workshop.sessions[0].id, 1)[0]
    ScanStore(store).attach_image(card.id, encode(Image.new('RGB', (400, 200), (200, 200, 200))))
    pdf = minutes_pdf(workshop.workshop, workshop.sessions, store.notes(workshop.workshop.id), 0)
    text = pdf_text(pdf, tmp_path).replace('\n', '')
    assert '手書きのカード。文字はまだ入力されていません' in text


RED = (220, 20, 20)
GREEN = (20, 170, 40)
RENDER_DPI = 100
POINTS_PER_PIXEL = 72 / RENDER_DPI


def scanned_card(store: Store, session, colour: tuple[int, int, int], size: tuple[int, int] = (640, 380)):
    """Return the note of a new card whose handwriting image is a white card with a thick stroke of the colour."""
    from PIL import Image, ImageDraw

    from workshop.scan.images import encode
    from workshop.scans_store import ScanStore

    card = store.create_cards(session.id, 1)[0]
    image = Image.new('RGB', size, (255, 255, 255))
    width, height = size
    ImageDraw.Draw(image).rectangle((width // 6, height // 3, width * 5 // 6, height * 2 // 3), fill=colour)
    return ScanStore(store).attach_image(card.id, encode(image))


def image_files_of(store: Store, workshop_id: str) -> dict[int, Path]:
    from workshop.scans_store import ScanStore

    scans = ScanStore(store)
    return {note.image_id: scans.image_path(workshop_id, note.image_id)
            for note in store.notes(workshop_id) if note.image_id is not None}


def minutes_with_images(store: Store, created) -> bytes:
    workshop_id = created.workshop.id
    return minutes_pdf(created.workshop, created.sessions, store.notes(workshop_id), 0,
                       generated_at=GENERATED_AT, image_files=image_files_of(store, workshop_id))


def listed_images(pdf: bytes, tmp_path: Path) -> list[dict[str, str]]:
    """Return the rows of ``pdfimages -list``: page, width, height, enc and the other columns by name."""
    source = tmp_path / 'images.pdf'
    source.write_bytes(pdf)
    lines = subprocess.run([require_tool('pdfimages'), '-list', str(source)], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    names = lines[0].split()
    return [dict(zip(names, line.split())) for line in lines[2:]]


def word_box(pdf: bytes, tmp_path: Path, word: str) -> tuple[float, float, float, float]:
    """Return the box (x0, y0, x1, y1, in points from the top left of its page) where pdftotext finds the word."""
    source = tmp_path / 'words.pdf'
    source.write_bytes(pdf)
    html = subprocess.run([require_tool('pdftotext'), '-bbox', str(source), '-'], check=True,
                          capture_output=True, text=True).stdout
    found = re.search(rf'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">{re.escape(word)}</word>',
                      html)
    assert found, f'{word!r} is not in the PDF text'
    x0, y0, x1, y1 = (float(value) for value in found.groups())
    return x0, y0, x1, y1


def colour_box(page: Path, colour: tuple[int, int, int]) -> tuple[float, float, float, float] | None:
    """Return the box (in points) of the pixels close to the colour on a rendered page, or None if there are none."""
    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(page).convert('RGB')).astype(int)
    close = (np.abs(pixels - np.array(colour)).max(axis=2) < 60)
    rows, columns = np.nonzero(close)
    if len(rows) == 0:
        return None
    return (columns.min() * POINTS_PER_PIXEL, rows.min() * POINTS_PER_PIXEL,
            (columns.max() + 1) * POINTS_PER_PIXEL, (rows.max() + 1) * POINTS_PER_PIXEL)


def test_handwriting_image_printed_in_row(store: Store, workshop, tmp_path: Path) -> None:
    from printouts.minutes import MARGIN, NOTE_COLUMNS

    scanned_card(store, workshop.sessions[0], RED)
    pdf = minutes_with_images(store, workshop)
    page = render_pages(pdf, tmp_path, RENDER_DPI, last=1)[0]
    handwriting = colour_box(page, RED)
    _, code_top, _, _ = word_box(pdf, tmp_path, 'A-001')
    text_column = (MARGIN + NOTE_COLUMNS[0] + NOTE_COLUMNS[1], MARGIN + sum(NOTE_COLUMNS[:3]))

    assert handwriting is not None, 'the handwriting is not on page 1'
    assert text_column[0] < handwriting[0] < handwriting[2] < text_column[1]
    # The stroke sits in the middle third of the image, which starts at the top of the row like the card code.
    assert code_top < handwriting[1] < code_top + 30 * mm
    assert '手書きのカード' not in pdf_text(pdf, tmp_path)
    images = listed_images(pdf, tmp_path)
    assert len(images) == 1
    assert images[0]['enc'] == 'jpeg'


def test_typed_text_printed_beside_image(store: Store, workshop, tmp_path: Path) -> None:
    from workshop.scans_store import ScanStore

    note = scanned_card(store, workshop.sessions[0], RED)
    ScanStore(store).transcribe(note.id, '港にベンチがほしい')
    pdf = minutes_with_images(store, workshop)
    page = render_pages(pdf, tmp_path, RENDER_DPI, last=1)[0]
    handwriting = colour_box(page, RED)
    text_left, text_top, _, _ = word_box(pdf, tmp_path, '港にベンチがほしい')

    assert handwriting is not None
    assert text_left > handwriting[2]
    assert text_top < handwriting[3]


def test_tall_image_kept_within_height(store: Store, workshop, tmp_path: Path) -> None:
    from printouts.minutes import HANDWRITING_BOX

    scanned_card(store, workshop.sessions[0], RED, size=(400, 1600))
    page = render_pages(minutes_with_images(store, workshop), tmp_path, RENDER_DPI, last=1)[0]
    handwriting = colour_box(page, RED)

    assert handwriting is not None
    # The stroke covers the middle third of the image's height.
    assert handwriting[3] - handwriting[1] <= HANDWRITING_BOX[1] / 3 + 2


@pytest.mark.parametrize('status', [NoteStatus.HELD, NoteStatus.HIDDEN])
def test_withheld_note_image_not_in_pdf(store: Store, workshop, tmp_path: Path, status: NoteStatus) -> None:
    scanned_card(store, workshop.sessions[0], RED)
    withheld = scanned_card(store, workshop.sessions[0], GREEN)
    store.set_note_status(withheld.id, status)
    pdf = minutes_with_images(store, workshop)
    pages = render_pages(pdf, tmp_path, RENDER_DPI)

    assert len(listed_images(pdf, tmp_path)) == 1
    assert all(colour_box(page, GREEN) is None for page in pages)
    assert colour_box(pages[0], RED) is not None
    assert 'A-002' not in pdf_text(pdf, tmp_path)


def test_unreadable_image_prints_notice(store: Store, workshop, tmp_path: Path) -> None:
    note = scanned_card(store, workshop.sessions[0], RED)
    files = image_files_of(store, workshop.workshop.id)
    files[note.image_id].write_bytes(b'not an image')
    pdf = minutes_pdf(workshop.workshop, workshop.sessions, store.notes(workshop.workshop.id), 0, image_files=files)

    assert listed_images(pdf, tmp_path) == []
    assert '手書きのカード。文字はまだ入力されていません' in pdf_text(pdf, tmp_path).replace('\n', '')


def test_preview_with_images_written(store: Store, workshop, tmp_path: Path) -> None:
    """Write page 1 of minutes with scanned cards at 100 dpi to out/ for a person to look at."""
    from scan_samples import written_sheet
    from workshop.scan.analysis import analyse_image
    from workshop.scan.filing import FileReport, file_page
    from workshop.scans_store import ScanStore

    scans = ScanStore(store)
    sheet, cards = written_sheet(store, workshop, dpi=200)
    file_page(scans, workshop.workshop.id, analyse_image(sheet), FileReport(name='sheet.png'))
    scans.transcribe(store.card_note(cards[0].id).id, '港にベンチがほしい')
    participant = store.create_participant(workshop.workshop.id, 'たろう')
    store.post_note(workshop.sessions[0].id, participant.id, '駅前に屋根付きの駐輪場がほしい')
    page = render_pages(minutes_with_images(store, workshop), tmp_path, RENDER_DPI, last=1)[0]
    OUT.mkdir(exist_ok=True)
    shutil.copy(page, OUT / 'minutes-images-page-1.png')
    assert (OUT / 'minutes-images-page-1.png').stat().st_size > 10_000
