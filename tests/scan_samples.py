"""Small scan samples for tests, made from real card sheets with the corpus generator's functions."""
import io
import random
import struct
import sys
import zlib
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the bench package sits beside tests/

from bench.scan_corpus import FONT_CANDIDATES, _phone_photo, photograph_cut_cards, render_sheet, write_cards  # noqa: E402
from workshop.model import Card, NewWorkshop  # noqa: E402
from workshop.store import Store  # noqa: E402

TEXTS = ['港にベンチがほしい', None, '雨の日に遊べる場所', None, '祭りを続けたい', '子ども食堂', None, None, '賛成', None]
DPI = 300


def written_sheet(store: Store, created: NewWorkshop, texts: list[str | None] = TEXTS,
                  dpi: int = DPI, session: int = 0) -> tuple[Image.Image, list[Card]]:
    """Return a rendered sheet of new cards with the texts written on them (None leaves a card blank)."""
    cards = store.create_cards(created.sessions[session].id, 10)
    image = render_sheet(created, cards, dpi)
    font = next(path for path in FONT_CANDIDATES if path.exists())
    write_cards(image, dpi, texts, font, random.Random(7))
    return image, cards


def phone_photo(image: Image.Image) -> Image.Image:
    """Return the sheet as photographed at a slant from about 40 cm."""
    return _phone_photo(image.resize((image.width * 2 // 3, image.height * 2 // 3)), random.Random(3))


def table_photo(image: Image.Image, damage: dict[int, str] | None = None) -> tuple[Image.Image, list[list[float]]]:
    """Return the sheet's first six cards cut out and photographed on a wooden table, and each card's centre."""
    return photograph_cut_cards(image, DPI, random.Random(5), damage)


def save(image: Image.Image, path: Path, **options) -> Path:
    image.save(path, **options)
    return path


def png_bomb(path: Path, size: int = 20_000) -> Path:
    """Write a tiny PNG whose header claims size × size pixels, the shape of a decompression bomb."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))

    header = struct.pack('>IIBBBBB', size, size, 1, 0, 0, 0, 0)
    rows = zlib.compress(b'\x00' * (size // 8 + 1) * 16)
    path.write_bytes(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', header) + chunk(b'IDAT', rows) + chunk(b'IEND', b''))
    return path


def jpeg_bytes(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format='JPEG', **options)
    return buffer.getvalue()
