"""The ingest command: files scans from a terminal, names each bad file and goes on."""
import subprocess
import sys
from pathlib import Path

from conftest import require_tool
from scan_samples import TEXTS, save, written_sheet
from workshop.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_ingest_command(store: Store, workshop, data_dir: Path, tmp_path: Path) -> None:
    image, cards = written_sheet(store, workshop)
    good = save(image, tmp_path / 'sheet.png')
    bad = tmp_path / 'empty.pdf'
    bad.write_bytes(b'')
    missing = tmp_path / 'missing.pdf'
    result = subprocess.run([sys.executable, str(ROOT / 'run.py'), 'ingest', workshop.workshop.id, str(bad), str(missing),
                             str(good), '--data-dir', str(data_dir), '--workers', '1'],
                            capture_output=True, text=True, env={'PATH': '/usr/bin:/bin', 'FUSEN_LANG': 'ja'}, timeout=120)
    assert result.returncode == 1
    assert 'empty.pdf: ファイルが空です（0バイト）。' in result.stderr
    assert f'{missing}: ファイルが見つかりません。' in result.stderr
    assert 'WARNING' not in result.stderr  # the command's own messages only, no log lines
    assert 'エラー 2件' in result.stdout
    assert '登録 5枚' in result.stdout
    assert len(store.notes(workshop.workshop.id)) == sum(1 for text in TEXTS if text)


def test_minutes_command_prints_handwriting(store: Store, workshop, data_dir: Path, tmp_path: Path) -> None:
    image, _ = written_sheet(store, workshop)
    sheet = save(image, tmp_path / 'sheet.png')
    command = [sys.executable, str(ROOT / 'run.py')]
    environment = {'PATH': '/usr/bin:/bin', 'FUSEN_LANG': 'ja'}
    subprocess.run([*command, 'ingest', workshop.workshop.id, str(sheet), '--data-dir', str(data_dir), '--workers', '1'],
                   check=True, capture_output=True, env=environment, timeout=120)
    minutes = tmp_path / 'minutes.pdf'
    subprocess.run([*command, 'minutes', workshop.workshop.id, '-o', str(minutes), '--data-dir', str(data_dir)],
                   check=True, capture_output=True, env=environment, timeout=120)

    listing = subprocess.run([require_tool('pdfimages'), '-list', str(minutes)], check=True,
                             capture_output=True, text=True).stdout.splitlines()[2:]
    written = sum(1 for text in TEXTS if text)
    assert len(listing) == written
    assert all(line.split()[2] == 'image' for line in listing)


def test_ingest_unknown_workshop(data_dir: Path, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / 'run.py'), 'ingest', 'nosuchwork', str(tmp_path / 'x.pdf'),
                             '--data-dir', str(data_dir)], capture_output=True, text=True,
                            env={'PATH': '/usr/bin:/bin', 'FUSEN_LANG': 'en'}, timeout=60)
    assert result.returncode == 1
    assert 'nosuchwork' in result.stderr
