"""Reading scanned files: check what a file is by its first bytes, enforce the limits, load its pages.

PDFs are rendered with pypdfium2 (PDFium's wheels install with pip alone, Windows included), HEIC
photos open through pillow-heif, and JPEG and PNG through Pillow. A file's name never decides how
it is read, because a renamed text file or a bomb must be rejected by what it contains.
"""
import logging
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ScanError

log = logging.getLogger(__name__)

PDF, JPEG, PNG, HEIC = 'pdf', 'jpeg', 'png', 'heic'
_HEIC_BRANDS = {b'heic', b'heix', b'hevc', b'hevx', b'heim', b'heis', b'mif1', b'msf1'}
_PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe; worker processes each have their own copy


@dataclass(frozen=True)
class ScanLimits:
    """Limits of one scanned file: its size, its pages and the pixels of one page."""

    max_bytes: int = 200 * 1024 * 1024
    max_pages: int = 200
    # 600 dpi A4 is 35 million pixels and a 48-megapixel phone photo 48 million; 64 million leaves room
    # while refusing decompression bombs, which Pillow would otherwise only warn about below 179 million.
    max_pixels: int = 64_000_000
    pdf_dpi: int = 300


@dataclass(frozen=True)
class ScanFile:
    """A file that passed the checks: its path, the name to show, its kind and its page count."""

    path: Path
    name: str
    kind: str
    pages: int


def open_scan(path: Path, name: str | None = None, limits: ScanLimits = ScanLimits()) -> ScanFile:
    """Check a file's kind, size and page count without decoding its pixels.

    :raises ScanError: if the file is empty, too large, of an unknown kind, corrupt or has too many pages
    """
    name = name or path.name
    try:
        size = path.stat().st_size
        with path.open('rb') as file:
            head = file.read(32)
    except OSError as error:
        log.warning('cannot read scan file %s: %s', name, error)
        raise ScanError('scan.error.unreadable', name) from error
    if size == 0:
        raise ScanError('scan.error.empty', name)
    if size > limits.max_bytes:
        raise ScanError('scan.error.too_large', name, limit=limits.max_bytes // (1024 * 1024))
    kind = sniff(head)
    if kind is None:
        raise ScanError('scan.error.unknown_kind', name)
    pages = _pdf_page_count(path, name) if kind == PDF else _check_photo(path, name, limits)
    if pages > limits.max_pages:
        raise ScanError('scan.error.too_many_pages', name, pages=pages, limit=limits.max_pages)
    if pages == 0:
        raise ScanError('scan.error.no_pages', name)
    return ScanFile(path=path, name=name, kind=kind, pages=pages)


def sniff(head: bytes) -> str | None:
    """Return the kind of file that starts with these bytes, or None if Fusen does not read that kind."""
    if head.startswith(b'%PDF-'):
        return PDF
    if head.startswith(b'\xff\xd8\xff'):
        return JPEG
    if head.startswith(b'\x89PNG\r\n\x1a\n'):
        return PNG
    if head[4:8] == b'ftyp' and head[8:12] in _HEIC_BRANDS:
        return HEIC
    return None


def load_page(scan: ScanFile, index: int, limits: ScanLimits = ScanLimits()) -> Image.Image:
    """Return one page as an upright RGB image: a PDF page rendered, or a photo turned by its EXIF orientation.

    :raises ScanError: if the page cannot be decoded or has more pixels than the limit
    """
    if scan.kind == PDF:
        return _render_pdf_page(scan, index, limits)
    image = _open_photo(scan.path, scan.name, limits)
    try:
        image.load()
        upright = ImageOps.exif_transpose(image)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        log.warning('cannot decode photo %s: %s', scan.name, error)
        raise ScanError('scan.error.corrupt', scan.name) from error
    return upright.convert('RGB')


def _check_photo(path: Path, name: str, limits: ScanLimits) -> int:
    with _open_photo(path, name, limits):
        return 1


def _open_photo(path: Path, name: str, limits: ScanLimits) -> Image.Image:
    """Open a photo lazily, reading only its header, and check its pixel count before anything decodes it."""
    _register_heif()
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; a warning must reject the file too.
            warnings.simplefilter('error', Image.DecompressionBombWarning)
            image = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ScanError('scan.error.too_many_pixels', name, limit=limits.max_pixels // 1_000_000) from error
    except (UnidentifiedImageError, OSError, ValueError) as error:
        log.warning('cannot open photo %s: %s', name, error)
        raise ScanError('scan.error.corrupt', name) from error
    width, height = image.size
    if width * height > limits.max_pixels:
        image.close()
        raise ScanError('scan.error.too_many_pixels', name, limit=limits.max_pixels // 1_000_000)
    return image


def _pdf_page_count(path: Path, name: str) -> int:
    with _PDFIUM_LOCK:
        try:
            document = pypdfium2.PdfDocument(path)
        except pypdfium2.PdfiumError as error:
            log.warning('cannot open PDF %s: %s', name, error)
            raise ScanError('scan.error.corrupt', name) from error
        try:
            return len(document)
        finally:
            document.close()


def _render_pdf_page(scan: ScanFile, index: int, limits: ScanLimits) -> Image.Image:
    with _PDFIUM_LOCK:
        try:
            document = pypdfium2.PdfDocument(scan.path)
        except pypdfium2.PdfiumError as error:
            raise ScanError('scan.error.corrupt', scan.name) from error
        try:
            page = document[index]
            width, height = page.get_size()  # points, 1/72 inch
            scale = limits.pdf_dpi / 72
            if width * height * scale * scale > limits.max_pixels:
                scale = (limits.max_pixels / (width * height)) ** 0.5
            bitmap = page.render(scale=scale)
            return bitmap.to_pil().convert('RGB')
        except pypdfium2.PdfiumError as error:
            log.warning('cannot render page %d of PDF %s: %s', index + 1, scan.name, error)
            raise ScanError('scan.error.bad_page', scan.name, page=index + 1) from error
        finally:
            document.close()


_heif_registered = False


def _register_heif() -> None:
    """Teach Pillow to open HEIC photos, once per process."""
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True
