"""The ingest command: files scans from a terminal, names each bad file and goes on."""
import subprocess
import sys
from pathlib import Path

from scan_samples import TEXTS, save, written_sheet
from workshop.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_ingest_command(store: Store, workshop, data_dir: Path, tmp_path: Path) -> None:
    image, cards = written_sheet(store, workshop)
    good = save(image, tmp_path / 'sheet.png')
    bad = tmp_path / 'empty.pdf'
    bad.write_bytes(b'')
    result = subprocess.run([sys.executable, str(ROOT / 'run.py'), 'ingest', workshop.workshop.id, str(bad), str(good),
                             '--data-dir', str(data_dir), '--workers', '1'],
                            capture_output=True, text=True, env={'PATH': '/usr/bin:/bin', 'FUSEN_LANG': 'ja'}, timeout=120)
    assert result.returncode == 1
    assert 'empty.pdf: ファイルが空です（0バイト）。' in result.stderr
    assert '登録 5枚' in result.stdout
    assert len(store.notes(workshop.workshop.id)) == sum(1 for text in TEXTS if text)


def test_ingest_unknown_workshop(data_dir: Path, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(ROOT / 'run.py'), 'ingest', 'nosuchwork', str(tmp_path / 'x.pdf'),
                             '--data-dir', str(data_dir)], capture_output=True, text=True,
                            env={'PATH': '/usr/bin:/bin', 'FUSEN_LANG': 'en'}, timeout=60)
    assert result.returncode == 1
    assert 'nosuchwork' in result.stderr
