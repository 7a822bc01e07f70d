import shutil
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from conftest import PUBLIC_URL, pdf_fonts, pdf_info, pdf_page_count, pdf_text, render_pages
from printouts.cards import card_sheets_pdf
from workshop import layout
from workshop.i18n import translate
from workshop.store import Store

DPI = 300
MM_PER_PIXEL = 25.4 / DPI
OUT = Path(__file__).parent.parent / 'out'


@pytest.fixture
def sheet(store: Store, workshop):
    """One full sheet of ten cards of the first session (観光), and the PDF of it."""
    session = workshop.sessions[0]
    cards = store.create_cards(session.id, 10)
    return cards, card_sheets_pdf(workshop.workshop, workshop.sessions, cards, PUBLIC_URL)


def test_sheet_is_one_a4_page(sheet, tmp_path):
    _, pdf = sheet
    assert pdf_page_count(pdf, tmp_path) == 1


def test_font_is_embedded_subset(sheet, tmp_path):
    _, pdf = sheet
    fonts = [font for font in pdf_fonts(pdf, tmp_path) if font['name'].endswith('+IPAexGothic')]
    assert fonts, 'IPAexGothic is not in the PDF'
    assert all(font['type'] == 'TrueType' for font in fonts)
    assert all(font['emb'] == 'yes' for font in fonts)
    assert all(font['sub'] == 'yes' for font in fonts)


def test_text_reads_back(sheet, workshop, tmp_path):
    cards, pdf = sheet
    text = pdf_text(pdf, tmp_path)
    assert workshop.sessions[0].name in text
    assert workshop.sessions[0].question in text
    assert cards[0].code in text
    assert cards[9].code in text
    assert translate('ja', 'print.cards.hint') in text.replace('\n', '')  # the hint wraps onto two lines


def test_title_metadata_is_japanese(sheet, workshop, tmp_path):
    _, pdf = sheet
    assert pdf_info(pdf, tmp_path)['Title'] == f'{workshop.workshop.title} 意見カード'


def test_english_hint_only_in_english(store, workshop, tmp_path):
    cards = store.create_cards(workshop.sessions[0].id, 2)
    english_hint = translate('en', 'print.cards.hint')
    japanese = card_sheets_pdf(workshop.workshop, workshop.sessions, cards, PUBLIC_URL, language='ja')
    english = card_sheets_pdf(workshop.workshop, workshop.sessions, cards, PUBLIC_URL, language='en')
    assert english_hint not in pdf_text(japanese, tmp_path).replace('\n', ' ')
    assert english_hint in pdf_text(english, tmp_path).replace('\n', ' ')
    assert translate('ja', 'print.cards.hint') in pdf_text(english, tmp_path).replace('\n', '')


def test_qr_codes_sit_on_stock_positions(sheet, tmp_path):
    cards, pdf = sheet
    index_of = {card.token: index for index, card in enumerate(cards)}
    image = Image.open(render_pages(pdf, tmp_path, DPI, last=1)[0])
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 10

    for result in results:
        index = index_of[result.text.rsplit('/', 1)[1]]
        corner = result.position.top_left
        width = (result.position.top_right.x - corner.x) * MM_PER_PIXEL
        card_x, card_y = layout.card_origin(index)
        # The code is centred in QR_BOX, with its quiet zone on every side.
        quiet_zone = (layout.QR_BOX.width - width) / 2
        expected_x = card_x + layout.QR_BOX.x + quiet_zone
        expected_y = card_y + layout.QR_BOX.y + quiet_zone
        assert abs(corner.x * MM_PER_PIXEL - expected_x) < 0.5, f'card {index}: x off'
        assert abs(corner.y * MM_PER_PIXEL - expected_y) < 0.5, f'card {index}: y off'
        assert width >= 20, f'card {index}: code is only {width:.1f} mm wide'


def test_qr_code_format(sheet, tmp_path):
    _, pdf = sheet
    result = zxingcpp.read_barcodes(Image.open(render_pages(pdf, tmp_path, DPI, last=1)[0]))[0]
    width = (result.position.top_right.x - result.position.top_left.x) * MM_PER_PIXEL
    version = int(result.extra['Version'])
    module = width / (17 + 4 * version)
    quiet_zone = (layout.QR_BOX.width - width) / 2
    assert result.ec_level == 'M'
    assert version >= layout.QR_MIN_VERSION
    assert abs(quiet_zone - layout.QR_QUIET_MODULES * module) < 0.2
    assert result.text.startswith(PUBLIC_URL.upper() + '/C/')


def test_eleven_cards_make_two_pages(store, workshop, tmp_path):
    cards = store.create_cards(workshop.sessions[1].id, 11)
    pdf = card_sheets_pdf(workshop.workshop, workshop.sessions, cards, PUBLIC_URL)
    assert pdf_page_count(pdf, tmp_path) == 2


def test_long_question_is_shortened(store, tmp_path):
    question = '子どもを育てやすい島にするために何が必要ですか。' * 8
    created = store.create_workshop('長い問い', sessions=[('子育て', question)])
    cards = store.create_cards(created.sessions[0].id, 1)
    text = pdf_text(card_sheets_pdf(created.workshop, created.sessions, cards, PUBLIC_URL), tmp_path)
    assert '…' in text
    assert '子どもを育てやすい' in text


def test_no_cards_is_rejected(workshop):
    with pytest.raises(ValueError, match='no cards'):
        card_sheets_pdf(workshop.workshop, workshop.sessions, [], PUBLIC_URL)


def test_card_of_unknown_session_is_rejected(store, workshop):
    cards = store.create_cards(workshop.sessions[1].id, 1)
    with pytest.raises(ValueError, match='B-001'):
        card_sheets_pdf(workshop.workshop, workshop.sessions[:1], cards, PUBLIC_URL)


def test_preview_png_written(sheet, tmp_path):
    """Write page 1 at 100 dpi to out/ for a person to look at."""
    _, pdf = sheet
    page = render_pages(pdf, tmp_path, 100, last=1)[0]
    OUT.mkdir(exist_ok=True)
    shutil.copy(page, OUT / 'cards-page-1.png')
    with Image.open(OUT / 'cards-page-1.png') as image:
        assert image.size == (827, 1170)  # A4 at 100 dpi
