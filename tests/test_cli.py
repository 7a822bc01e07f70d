"""The organiser's commands in run.py, run as a real process."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_cli(data_dir: Path, *args: str, language: str = 'ja_JP.UTF-8') -> subprocess.CompletedProcess:
    environment = {**os.environ, 'LANG': language, 'FUSEN_LANG': ''}
    return subprocess.run([sys.executable, str(ROOT / 'run.py'), *args, '--data-dir', str(data_dir),
                           '--public-url', 'http://127.0.0.1:8080'],
                          capture_output=True, text=True, env=environment, timeout=120)


@pytest.fixture
def created(data_dir: Path) -> dict[str, str]:
    result = run_cli(data_dir, 'new', '壱岐市 対話会', '--session', '観光', '--session', '子育て',
                     '--venue', '壱岐の島ホール')
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(': ', 1) for line in result.stdout.splitlines())
    return lines


def test_new_prints_id_and_urls(created: dict[str, str]) -> None:
    assert len(created['workshop']) == 10
    assert created['facilitator'].startswith('http://127.0.0.1:8080/f/')
    assert created['join'].startswith('http://127.0.0.1:8080/j/')
    assert created['board'] == f'http://127.0.0.1:8080/board/{created["workshop"]}'


def test_cards_writes_pdf(data_dir: Path, created: dict[str, str], tmp_path: Path) -> None:
    output = tmp_path / 'cards.pdf'
    result = run_cli(data_dir, 'cards', created['workshop'], '--session', '子育て', '--sheets', '2', '-o', str(output))
    assert result.returncode == 0, result.stderr
    assert output.read_bytes().startswith(b'%PDF')
    assert '20' in result.stdout


def test_export_json_schema(data_dir: Path, created: dict[str, str]) -> None:
    result = run_cli(data_dir, 'export', created['workshop'], '--format', 'json')
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data['schema'] == 'fusen.export/1'
    assert data['workshop']['venue'] == '壱岐の島ホール'
    assert [session['name'] for session in data['sessions']] == ['観光', '子育て']
    assert data['counts'] == {'notes': 0, 'paper': 0, 'online': 0, 'participants': 0}


def test_minutes_writes_pdf(data_dir: Path, created: dict[str, str], tmp_path: Path) -> None:
    output = tmp_path / 'minutes.pdf'
    result = run_cli(data_dir, 'minutes', created['workshop'], '-o', str(output))
    assert result.returncode == 0, result.stderr
    assert output.read_bytes().startswith(b'%PDF')


@pytest.mark.parametrize('command', [
    ['cards', 'nosuchid00', '-o', 'cards.pdf'],
    ['minutes', 'nosuchid00', '-o', 'minutes.pdf'],
    ['export', 'nosuchid00'],
])
def test_missing_workshop_one_line_error(data_dir: Path, tmp_path: Path, command: list[str]) -> None:
    result = run_cli(data_dir, *command)
    assert result.returncode == 1
    assert result.stderr.strip().count('\n') == 0
    assert '対話会「nosuchid00」が見つかりません' in result.stderr


def test_missing_workshop_in_english(data_dir: Path) -> None:
    result = run_cli(data_dir, 'export', 'nosuchid00', language='en_US.UTF-8')
    assert result.returncode == 1
    assert result.stderr.strip() == "run.py: error: workshop 'nosuchid00' not found; check the id that new printed."


def test_unknown_session_creates_no_cards(data_dir: Path, created: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(data_dir, 'cards', created['workshop'], '--session', '防災', '-o', str(tmp_path / 'c.pdf'))
    assert result.returncode == 1
    assert 'テーブル「防災」はありません' in result.stderr
    export = json.loads(run_cli(data_dir, 'export', created['workshop']).stdout)
    assert export['counts']['notes'] == 0


def test_missing_output_folder_creates_no_cards(data_dir: Path, created: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(data_dir, 'cards', created['workshop'], '-o', str(tmp_path / 'nowhere' / 'c.pdf'))
    assert result.returncode == 1
    assert result.stderr.strip().count('\n') == 0
    from workshop.store import Store
    store = Store(data_dir / 'fusen.db')
    assert store.cards(created['workshop']) == []
    store.close()


def test_new_without_title_fails(data_dir: Path) -> None:
    result = run_cli(data_dir, 'new', ' ', '--session', '観光')
    assert result.returncode == 1
    assert result.stderr.strip() == 'run.py: エラー: タイトルを入力してください。'


def test_new_without_session_fails(data_dir: Path) -> None:
    result = run_cli(data_dir, 'new', '対話会')
    assert result.returncode == 1
    assert 'テーブル（テーマ）を1つ以上入れてください。' in result.stderr


def test_sheets_out_of_range_fails(data_dir: Path, created: dict[str, str]) -> None:
    result = run_cli(data_dir, 'cards', created['workshop'], '--sheets', '0', '-o', 'x.pdf')
    assert result.returncode == 2
    assert '引数 --sheets: 0 は 1 から 50 までの整数で指定してください' in result.stderr


def test_sheets_not_a_number_fails(data_dir: Path, created: dict[str, str]) -> None:
    result = run_cli(data_dir, 'cards', created['workshop'], '--sheets', 'abc', '-o', 'x.pdf', language='en_US.UTF-8')
    assert result.returncode == 2
    assert 'argument --sheets: abc is not a whole number from 1 to 50' in result.stderr


def test_options_before_command(tmp_path: Path) -> None:
    data_dir = tmp_path / 'before'
    environment = {**os.environ, 'LANG': 'ja_JP.UTF-8', 'FUSEN_LANG': ''}
    result = subprocess.run([sys.executable, str(ROOT / 'run.py'), '--data-dir', str(data_dir),
                             '--public-url', 'https://fusen.example.jp', 'new', '前置きの対話会', '--session', '観光'],
                            capture_output=True, text=True, env=environment, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (data_dir / 'fusen.db').exists()
    assert 'facilitator: https://fusen.example.jp/f/' in result.stdout
    assert 'この一度だけ表示されます' in result.stderr


@pytest.mark.parametrize(('language', 'expected'), [
    ('ja_JP.UTF-8', ['使い方: run.py minutes', 'run.py minutes: エラー: 次の引数が必要です: workshop, -o/--output']),
    ('en_US.UTF-8', ['usage: run.py minutes', 'run.py minutes: error: the following arguments are required: workshop']),
])
def test_usage_error_language(data_dir: Path, language: str, expected: list[str]) -> None:
    result = run_cli(data_dir, 'minutes', language=language)
    assert result.returncode == 2
    for line in expected:
        assert line in result.stderr


def scan_image(data_dir: Path, workshop_id: str) -> str:
    """File a white picture to a new card of the workshop, as a scan would, and return the image's file name."""
    from PIL import Image

    from workshop.scan.images import encode
    from workshop.scans_store import ScanStore
    from workshop.store import Store

    store = Store(data_dir / 'fusen.db')
    try:
        [card] = store.create_cards(store.sessions(workshop_id)[0].id, 1)
        note = ScanStore(store).attach_image(card.id, encode(Image.new('RGB', (400, 200), 'white')))
        return ScanStore(store).images(note.id)[0].file
    finally:
        store.close()


def test_backup_default_path(data_dir: Path, created: dict[str, str]) -> None:
    result = run_cli(data_dir, 'backup')
    assert result.returncode == 0, result.stderr
    folders = list((data_dir / 'backups').glob('fusen-*'))
    assert len(folders) == 1
    assert (folders[0] / 'fusen.db').is_file()
    assert (folders[0] / 'images').is_dir()
    assert 'バックアップを' in result.stdout


def test_backup_copies_images(data_dir: Path, created: dict[str, str], tmp_path: Path) -> None:
    name = scan_image(data_dir, created['workshop'])
    target = tmp_path / 'backup'
    result = run_cli(data_dir, 'backup', '-o', str(target), language='en_US.UTF-8')
    assert result.returncode == 0, result.stderr
    assert (target / 'images' / name).read_bytes() == (data_dir / 'images' / name).read_bytes()
    assert f'Saved the backup to {target}' in result.stdout
    assert '(image files: 1)' in result.stdout
    assert result.stderr == ''


def test_backup_refuses_to_overwrite(data_dir: Path, created: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / 'backup'
    target.mkdir()
    (target / 'keep.txt').write_text('keep me')
    result = run_cli(data_dir, 'backup', '-o', str(target))
    assert result.returncode == 1
    assert 'すでにあります' in result.stderr
    assert [path.name for path in target.iterdir()] == ['keep.txt']


def test_backup_reports_missing_image(data_dir: Path, created: dict[str, str], tmp_path: Path) -> None:
    name = scan_image(data_dir, created['workshop'])
    (data_dir / 'images' / name).unlink()

    result = run_cli(data_dir, 'backup', '-o', str(tmp_path / 'backup'), language='en_US.UTF-8')
    assert result.returncode == 0, result.stderr
    assert '(image files: 0)' in result.stdout
    assert 'missing from' in result.stderr
    assert ': 1. The backup lacks them.' in result.stderr


def test_new_with_pin(data_dir: Path) -> None:
    result = run_cli(data_dir, 'new', '対話会', '--session', '観光', '--pin', '24681357')
    assert result.returncode == 0, result.stderr
    from workshop import access
    from workshop.store import Store
    store = Store(data_dir / 'fusen.db')
    workshop_id = store.workshops()[0].id
    assert access.check_pin(store, workshop_id, '24681357').accepted
    store.close()


def test_new_with_short_pin_creates_nothing(data_dir: Path) -> None:
    result = run_cli(data_dir, 'new', '対話会', '--session', '観光', '--pin', '1234')
    assert result.returncode == 1
    assert result.stderr.strip() == 'run.py: エラー: PINは6〜12けたの数字にしてください。'
    from workshop.store import Store
    store = Store(data_dir / 'fusen.db')
    assert store.workshops() == []
    store.close()


def test_posters_written_per_session(data_dir: Path, created: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / 'posters' / 'new'  # created with its parent
    result = run_cli(data_dir, 'posters', created['workshop'], '-o', str(folder))
    assert result.returncode == 0, result.stderr
    names = sorted(path.name for path in folder.iterdir())
    assert names == ['poster-A.pdf', 'poster-A.png', 'poster-B.pdf', 'poster-B.png', 'poster-all.pdf', 'poster-all.png']
    assert (folder / 'poster-B.pdf').read_bytes().startswith(b'%PDF')


def test_posters_folder_is_file_fails(data_dir: Path, created: dict[str, str], tmp_path: Path) -> None:
    existing_file = tmp_path / 'posters.txt'
    existing_file.write_text('not a folder')
    result = run_cli(data_dir, 'posters', created['workshop'], '-o', str(existing_file))
    assert result.returncode == 1
    assert f'フォルダ {existing_file} を作れません。' in result.stderr
    assert result.stderr.strip().count('\n') == 0
