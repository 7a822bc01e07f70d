"""Fixtures shared by all tests: a fresh data folder and SQLite file per test."""
import shutil
import subprocess
from pathlib import Path

import pytest

from prerequisites import missing
from workshop.config import Limits
from workshop.store import Store

PUBLIC_URL = 'http://127.0.0.1:8080'


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at a new data folder, so every test (and run.py under the user fixture) starts empty."""
    folder = tmp_path / 'data'
    folder.mkdir()
    monkeypatch.setenv('FUSEN_DATA_DIR', str(folder))
    monkeypatch.setenv('FUSEN_PUBLIC_URL', PUBLIC_URL)
    # Tests post many notes quickly; the rate-limit tests turn the limits back on.
    monkeypatch.setenv('FUSEN_NOTES_PER_MINUTE', '0')
    monkeypatch.setenv('FUSEN_REQUESTS_PER_MINUTE', '0')
    return folder


@pytest.fixture
def store(data_dir: Path):
    """A store on a real SQLite file in WAL mode, closed after the test."""
    opened = Store(data_dir / 'fusen.db', Limits(notes_per_minute=0))
    yield opened
    opened.close()


@pytest.fixture
def workshop(store: Store):
    """A workshop with two sessions, 観光 and 子育て."""
    return store.create_workshop('壱岐市 まちづくり対話会', date='2026-12-05', venue='壱岐の島ホール',
                                 question='10年後の壱岐をどんな島に？',
                                 sessions=[('観光', '島を訪れる人に何を？'), ('子育て', '子育てしやすい町とは？')])


@pytest.fixture
def browser():
    """Headless Chromium for one test; skipped without Chromium, except under CI=true where it fails."""
    from playwright.sync_api import sync_playwright

    from chromium import CHROMIUM_ARGS, require_chromium

    executable = require_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def require_tool(name: str) -> str:
    """Return the path of a command-line tool; skip the test without it, but fail under CI."""
    path = shutil.which(name)
    if path is None:
        message = f'{name} is not installed (Debian: apt-get install poppler-utils chromium)'
        missing(message)
    return path


# Helpers for tests that check PDFs by what poppler's tools and a QR decoder make of them.

def pdf_info(pdf: bytes, tmp_path: Path) -> dict[str, str]:
    """Return the fields pdfinfo prints (Title, Pages, …) by name."""
    fields = {}
    for line in _poppler('pdfinfo', pdf, tmp_path).splitlines():
        name, _, value = line.partition(':')
        fields[name] = value.strip()
    return fields


def pdf_page_count(pdf: bytes, tmp_path: Path) -> int:
    """Return the page count that pdfinfo reads from the PDF."""
    return int(pdf_info(pdf, tmp_path)['Pages'])


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """Return the text pdftotext extracts, in reading order."""
    return _poppler('pdftotext', pdf, tmp_path, '-')


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[dict[str, str]]:
    """Return pdffonts' table as one dict per font: name, type, emb and sub."""
    rows = []
    for line in _poppler('pdffonts', pdf, tmp_path).splitlines()[2:]:
        # The type column may contain spaces ("Type 1"), so read the fixed columns from the right.
        fields = line.split()
        rows.append({'name': fields[0], 'type': ' '.join(fields[1:-6]), 'emb': fields[-5], 'sub': fields[-4]})
    return rows


def render_pages(pdf: bytes, tmp_path: Path, dpi: int, first: int = 1, last: int | None = None) -> list[Path]:
    """Render pages with pdftoppm to PNG files and return their paths in page order."""
    command = [require_tool('pdftoppm'), '-r', str(dpi), '-png', '-f', str(first)]
    if last is not None:
        command += ['-l', str(last)]
    source = tmp_path / 'rendered.pdf'
    source.write_bytes(pdf)
    prefix = tmp_path / 'page'
    subprocess.run([*command, str(source), str(prefix)], check=True, capture_output=True)
    return sorted(tmp_path.glob('page-*.png'))


def _poppler(tool: str, pdf: bytes, tmp_path: Path, *extra: str) -> str:
    source = tmp_path / f'{tool}.pdf'
    source.write_bytes(pdf)
    result = subprocess.run([require_tool(tool), str(source), *extra], check=True, capture_output=True)
    return result.stdout.decode('utf-8')
