import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import pdf_fonts, pdf_info, pdf_page_count, pdf_text, render_pages
from printouts.fonts import printable
from printouts.minutes import minutes_pdf
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
