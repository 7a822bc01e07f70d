"""Fixtures shared by all tests: a fresh data folder and SQLite file per test."""
import os
import shutil
from pathlib import Path

import pytest

from workshop.store import Store

PUBLIC_URL = 'http://127.0.0.1:8080'


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at a new data folder, so every test (and run.py under the user fixture) starts empty."""
    folder = tmp_path / 'data'
    folder.mkdir()
    monkeypatch.setenv('FUSEN_DATA_DIR', str(folder))
    monkeypatch.setenv('FUSEN_PUBLIC_URL', PUBLIC_URL)
    return folder


@pytest.fixture
def store(data_dir: Path):
    """A store on a real SQLite file in WAL mode, closed after the test."""
    opened = Store(data_dir / 'fusen.db')
    yield opened
    opened.close()


@pytest.fixture
def workshop(store: Store):
    """A workshop with two sessions, 観光 and 子育て."""
    return store.create_workshop('壱岐市 まちづくり対話会', date='2026-12-05', venue='壱岐の島ホール',
                                 question='10年後の壱岐をどんな島に？',
                                 sessions=[('観光', '島を訪れる人に何を？'), ('子育て', '子育てしやすい町とは？')])


def require_tool(name: str) -> str:
    """Return the path of a command-line tool; skip the test without it, but fail under CI."""
    path = shutil.which(name)
    if path is None:
        message = f'{name} is not installed (Debian: apt-get install poppler-utils chromium)'
        if os.environ.get('CI') == 'true':
            pytest.fail(message)
        pytest.skip(message)
    return path
