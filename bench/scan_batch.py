"""Prepare a data folder with one workshop and a scanner-like PDF of its written card sheets.

The cards are printed with printouts.cards.card_sheets_pdf, rendered with pypdfium2 and written on
with bench/scan_corpus.py's ``write_cards``. Each page goes into the PDF as a JPEG at the scan's
resolution, as a document scanner stores it.
"""
import io
import random
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from printouts.cards import card_sheets_pdf
from workshop import layout
from workshop.config import Limits
from workshop.store import Store
from workshop.urls import board_url, facilitator_url, join_url

from .scan_corpus import FONT_CANDIDATES, TEXTS, WRITTEN_SHARE, write_cards

# QR codes carry this base URL. Filing reads only the token of a card URL, so any server may ingest the sheets.
PRINTED_URL = 'http://127.0.0.1:8080'
JPEG_QUALITY = 85


@dataclass(frozen=True)
class BatchWorkshop:
    """The prepared workshop's ids and keys, and the path of its scan batch."""

    workshop_id: str
    join_token: str
    facilitator_key: str
    pdf: Path

    def board_url(self, base_url: str) -> str:
        return board_url(base_url, self.workshop_id)

    def join_url(self, base_url: str) -> str:
        return join_url(base_url, self.join_token)

    def scan_url(self, base_url: str) -> str:
        return facilitator_url(base_url, self.facilitator_key) + '/scan'


def prepare_batch(data_dir: Path, pages: int, dpi: int = 300, seed: int = 2026) -> BatchWorkshop:
    """Create a workshop with one session and ``pages`` sheets of its cards in a new data folder, and their PDF."""
    data_dir.mkdir(parents=True)
    store = Store(data_dir / 'fusen.db', Limits())
    try:
        created = store.create_workshop('取り込み中の遅延測定', sessions=[('駅前の未来', '駅前に何がほしいですか？')])
        session = created.sessions[0]
        cards = store.create_cards(session.id, pages * layout.CARDS_PER_SHEET)
    finally:
        store.close()
    sheets = pypdfium2.PdfDocument(card_sheets_pdf(created.workshop, created.sessions, cards, PRINTED_URL))
    font = next(path for path in FONT_CANDIDATES if path.exists())
    rng = random.Random(seed)
    pdf_path = data_dir.parent / f'batch-{pages}p-{dpi}dpi.pdf'
    document = canvas.Canvas(str(pdf_path), pagesize=A4)
    try:
        for index in range(pages):
            image = sheets[index].render(scale=dpi / 72).to_pil().convert('RGB')
            texts = [rng.choice(TEXTS) if rng.random() < WRITTEN_SHARE else None for _ in range(layout.CARDS_PER_SHEET)]
            write_cards(image, dpi, texts, font, rng)
            document.drawImage(ImageReader(_jpeg(image, dpi)), 0, 0, width=A4[0], height=A4[1])
            document.showPage()
    finally:
        sheets.close()
    document.save()
    return BatchWorkshop(created.workshop.id, session.join_token, created.facilitator_key, pdf_path)


def _jpeg(image: Image.Image, dpi: int) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, format='JPEG', quality=JPEG_QUALITY, dpi=(dpi, dpi))
    buffer.seek(0)
    return buffer
