import io

import zxingcpp
from PIL import Image

from conftest import PUBLIC_URL, pdf_text, render_pages
from printouts.cards import card_sheets_pdf
from printouts.poster_image import join_poster_png
from printouts.posters import join_poster_pdf
from printouts.qr import qr_png
from workshop import urls
from workshop.store import Store

DPI = 300


def decode_all(pdf: bytes, tmp_path) -> list[str]:
    """Return the text of every QR code on every page, rendered at 300 dpi."""
    texts = []
    for page in render_pages(pdf, tmp_path, DPI):
        with Image.open(page) as image:
            texts += [result.text for result in zxingcpp.read_barcodes(image)]
    return texts


def test_every_card_decodes_to_itself(store: Store, workshop, tmp_path):
    cards = store.create_cards(workshop.sessions[0].id, 7) + store.create_cards(workshop.sessions[1].id, 5)
    pdf = card_sheets_pdf(workshop.workshop, workshop.sessions, cards, PUBLIC_URL)
    texts = decode_all(pdf, tmp_path)

    found = [store.card_by_token(text.rsplit('/', 1)[1]) for text in texts]
    assert len(texts) == 12
    assert None not in found
    assert sorted(card.id for card in found) == sorted(card.id for card in cards)
    for text in texts:
        card = store.card_by_token(text.rsplit('/', 1)[1])
        assert text == urls.qr_text(urls.card_url(PUBLIC_URL, card.token))


def test_sub_path_url_keeps_case(store: Store, workshop, tmp_path):
    public_url = 'https://example.jp/fusen'
    cards = store.create_cards(workshop.sessions[0].id, 3)
    texts = decode_all(card_sheets_pdf(workshop.workshop, workshop.sessions, cards, public_url), tmp_path)

    assert len(texts) == 3
    assert all(text.startswith('https://example.jp/fusen/c/') for text in texts)
    decoded = sorted(store.card_by_token(text.rsplit('/', 1)[1]).id for text in texts)
    assert decoded == sorted(card.id for card in cards)


def test_long_public_url_still_decodes(store: Store, workshop, tmp_path):
    public_url = 'https://www.city.example.lg.jp/shimin/taiwakai/fusen-2026'
    cards = store.create_cards(workshop.sessions[0].id, 2)
    texts = decode_all(card_sheets_pdf(workshop.workshop, workshop.sessions, cards, public_url), tmp_path)
    assert sorted(texts) == sorted(urls.card_url(public_url, card.token) for card in cards)


def test_join_png_decodes(workshop):
    text = urls.qr_text(urls.join_url(PUBLIC_URL, workshop.workshop.join_token))
    with Image.open(io.BytesIO(qr_png(text))) as image:
        results = zxingcpp.read_barcodes(image)
    assert [result.text for result in results] == [text]


def test_session_poster_decodes_to_session(store: Store, workshop, tmp_path):
    session = workshop.sessions[1]
    pdf = join_poster_pdf(workshop.workshop, session, PUBLIC_URL)
    texts = decode_all(pdf, tmp_path)
    assert len(texts) == 1
    resolved = store.resolve_join_token(texts[0].rsplit('/', 1)[1])
    assert resolved is not None
    assert resolved[1] == session


def test_poster_code_is_large(workshop, tmp_path):
    pdf = join_poster_pdf(workshop.workshop, None, PUBLIC_URL)
    with Image.open(render_pages(pdf, tmp_path, DPI)[0]) as image:
        result = zxingcpp.read_barcodes(image)[0]
    width = (result.position.top_right.x - result.position.top_left.x) * 25.4 / DPI
    assert 80 <= width <= 95


def test_poster_text(workshop, tmp_path):
    text = pdf_text(join_poster_pdf(workshop.workshop, None, PUBLIC_URL), tmp_path)
    assert workshop.workshop.title in text
    assert workshop.workshop.question in text
    assert urls.join_url(PUBLIC_URL, workshop.workshop.join_token) in text.replace('\n', '')
    assert 'スマホで参加できます' in text


def test_workshop_poster_png_decodes(store: Store, workshop):
    png = join_poster_png(workshop.workshop, None, PUBLIC_URL, language='en')
    with Image.open(io.BytesIO(png)) as image:
        results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    assert store.resolve_join_token(results[0].text.rsplit('/', 1)[1]) == (workshop.workshop, None)
