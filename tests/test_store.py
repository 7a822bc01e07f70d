"""The SQLite store: migrations, WAL, both input streams, idempotency and atomic writes."""
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from workshop.migrations import migrations
from workshop.model import NewWorkshop, NoteChanged, Source
from workshop.store import NotFound, Store
from workshop.text import InvalidText


def test_fresh_file_gets_schema(data_dir: Path) -> None:
    store = Store(data_dir / 'new.db')
    assert {'workshops', 'sessions', 'cards', 'participants', 'notes'} <= set(store.db.table_names())
    assert migrations.applied(store.db)[0].name == '0001_initial'
    assert migrations.pending(store.db) == []
    store.close()


def test_file_uses_wal(store: Store) -> None:
    assert store.db.execute('PRAGMA journal_mode').fetchone()[0] == 'wal'


def test_reopen_keeps_data_and_applies_nothing(data_dir: Path) -> None:
    path = data_dir / 'existing.db'
    first = Store(path)
    created = first.create_workshop('対話会', sessions=[('観光', '')])
    applied_first = migrations.applied(first.db)
    first.close()

    second = Store(path)
    assert second.workshop(created.workshop.id).title == '対話会'
    assert migrations.pending(second.db) == []
    assert migrations.applied(second.db) == applied_first
    second.close()


def test_existing_file_gets_pending_migration(data_dir: Path) -> None:
    path = data_dir / 'old.db'
    old = Database(path)
    old['unrelated'].insert({'id': 1})
    old.close()

    store = Store(path)
    assert 'notes' in store.db.table_names()
    assert store.db['unrelated'].count == 1
    store.close()


def test_create_workshop_sessions(workshop: NewWorkshop) -> None:
    assert [session.letter for session in workshop.sessions] == ['A', 'B']
    assert workshop.sessions[1].question == '子育てしやすい町とは？'
    assert len(workshop.facilitator_key) == 32


def test_facilitator_key_stored_as_hash(store: Store, workshop: NewWorkshop) -> None:
    stored = store.db.execute('SELECT facilitator_key_hash FROM workshops').fetchone()[0]
    assert workshop.facilitator_key not in stored
    assert store.workshop_by_facilitator_key(workshop.facilitator_key).id == workshop.workshop.id


def test_session_without_question_uses_main_question(store: Store) -> None:
    created = store.create_workshop('対話会', question='全体の問い', sessions=[('観光', '')])
    assert created.sessions[0].question == '全体の問い'


def test_cards_numbered_per_session(store: Store, workshop: NewWorkshop) -> None:
    first = store.create_cards(workshop.sessions[0].id, 3)
    more = store.create_cards(workshop.sessions[0].id, 2)
    other = store.create_cards(workshop.sessions[1].id, 1)
    assert [card.code for card in first + more] == ['A-001', 'A-002', 'A-003', 'A-004', 'A-005']
    assert other[0].code == 'B-001'
    assert len({card.token for card in first + more + other}) == 6


def test_card_limit_enforced(store: Store, workshop: NewWorkshop) -> None:
    with pytest.raises(ValueError, match='limit is 500'):
        store.create_cards(workshop.sessions[0].id, 501)
    assert store.cards(workshop.workshop.id) == []


def test_card_text_creates_paper_note(store: Store, workshop: NewWorkshop) -> None:
    card = store.create_cards(workshop.sessions[0].id, 1)[0]
    note = store.submit_card_text(card.token, '駅前に屋根付きの駐輪場がほしい')
    assert note.source is Source.PAPER
    assert note.card_code == 'A-001'
    assert note.session_id == workshop.sessions[0].id


def test_card_update_is_idempotent(store: Store, workshop: NewWorkshop) -> None:
    card = store.create_cards(workshop.sessions[0].id, 1)[0]
    first = store.submit_card_text(card.token, '最初の文')
    second = store.submit_card_text(card.token.lower(), '書きなおした文')
    third = store.submit_card_text(card.token, '書きなおした文')
    assert first.id == second.id == third.id
    assert [note.text for note in store.notes(workshop.workshop.id)] == ['書きなおした文']


def test_unknown_card_token_rejected(store: Store, workshop: NewWorkshop) -> None:
    for token in ['A' * 32, 'short', '', workshop.workshop.join_token]:
        with pytest.raises(NotFound):
            store.submit_card_text(token, 'テキスト')
    assert store.notes(workshop.workshop.id) == []


def test_online_note_keeps_participant(store: Store, workshop: NewWorkshop) -> None:
    participant = store.create_participant(workshop.workshop.id, 'うに')
    note = store.post_note(workshop.sessions[1].id, participant.id, '病児保育を')
    assert note.source is Source.ONLINE
    assert note.nickname == 'うに'
    assert store.notes(workshop.workshop.id, participant_id=participant.id) == [note]


def test_request_key_prevents_duplicate(store: Store, workshop: NewWorkshop) -> None:
    participant = store.create_participant(workshop.workshop.id)
    first = store.post_note(workshop.sessions[0].id, participant.id, '一度だけ', request_key='draft-1')
    again = store.post_note(workshop.sessions[0].id, participant.id, '一度だけ', request_key='draft-1')
    assert first.id == again.id
    assert len(store.notes(workshop.workshop.id)) == 1


def test_participant_of_other_workshop_rejected(store: Store, workshop: NewWorkshop) -> None:
    other = store.create_workshop('別の対話会', sessions=[('観光', '')])
    stranger = store.create_participant(other.workshop.id)
    with pytest.raises(NotFound):
        store.post_note(workshop.sessions[0].id, stranger.id, 'よその人')
    assert store.notes(workshop.workshop.id) == []


@pytest.mark.parametrize('text, message_key', [
    ('', 'error.empty'),
    ('   \n\t ', 'error.empty'),
    ('\x00\x07', 'error.empty'),
    ('あ' * 141, 'error.too_long'),
])
def test_invalid_note_rejected(store: Store, workshop: NewWorkshop, text: str, message_key: str) -> None:
    participant = store.create_participant(workshop.workshop.id)
    with pytest.raises(InvalidText) as error:
        store.post_note(workshop.sessions[0].id, participant.id, text)
    assert error.value.message_key == message_key
    assert store.notes(workshop.workshop.id) == []


def test_limit_counts_visible_characters(store: Store, workshop: NewWorkshop) -> None:
    participant = store.create_participant(workshop.workshop.id)
    family = '👨\u200d👩\u200d👧'  # five code points, one visible character
    note = store.post_note(workshop.sessions[0].id, participant.id, family * 140)
    assert len(note.text) == 5 * 140


def test_control_characters_removed(store: Store, workshop: NewWorkshop) -> None:
    participant = store.create_participant(workshop.workshop.id)
    note = store.post_note(workshop.sessions[0].id, participant.id, '駐輪\x00場\u202eが\u200bほしい\x1b')
    assert note.text == '駐輪場がほしい'


def test_event_after_commit(store: Store, workshop: NewWorkshop) -> None:
    seen: list[tuple[NoteChanged, int]] = []

    def listener(change: NoteChanged) -> None:
        # A second connection sees only committed rows, so this proves the commit came first.
        other = sqlite3.connect(store.path)
        count = other.execute('SELECT COUNT(*) FROM notes WHERE id = ?', (change.note.id,)).fetchone()[0]
        other.close()
        seen.append((change, count))

    store.note_changed.subscribe(listener)
    card = store.create_cards(workshop.sessions[0].id, 1)[0]
    store.submit_card_text(card.token, '一回目')
    store.submit_card_text(card.token, '二回目')
    assert [(change.created, count) for change, count in seen] == [(True, 1), (False, 1)]


def test_failed_write_leaves_nothing(store: Store, workshop: NewWorkshop) -> None:
    store.db.execute('''CREATE TRIGGER fail_third_card BEFORE INSERT ON cards
                        WHEN NEW.number = 3 BEGIN SELECT RAISE(ABORT, 'disk full'); END''')
    with pytest.raises(sqlite3.IntegrityError):
        store.create_cards(workshop.sessions[0].id, 5)
    assert store.cards(workshop.workshop.id) == []


def test_failed_workshop_leaves_nothing(store: Store) -> None:
    store.db.execute('''CREATE TRIGGER fail_second_session BEFORE INSERT ON sessions
                        WHEN NEW.position = 1 BEGIN SELECT RAISE(ABORT, 'disk full'); END''')
    with pytest.raises(sqlite3.IntegrityError):
        store.create_workshop('対話会', sessions=[('観光', ''), ('子育て', '')])
    assert store.workshops() == []
    assert store.db['sessions'].count == 0


def test_failing_listener_does_not_undo_note(store: Store, workshop: NewWorkshop) -> None:
    def broken(change: NoteChanged) -> None:
        raise RuntimeError('listener bug')

    store.note_changed.subscribe(broken)
    participant = store.create_participant(workshop.workshop.id)
    store.post_note(workshop.sessions[0].id, participant.id, '残るはず')
    assert [note.text for note in store.notes(workshop.workshop.id)] == ['残るはず']


def test_backup_includes_wal_commits(store: Store, workshop: NewWorkshop, tmp_path: Path) -> None:
    store.db.execute('PRAGMA wal_autocheckpoint = 0')  # keep every commit in the WAL file
    participant = store.create_participant(workshop.workshop.id)
    for number in range(20):
        store.post_note(workshop.sessions[0].id, participant.id, f'意見{number}')
    assert (store.path.parent / (store.path.name + '-wal')).stat().st_size > 0

    result = store.backup(tmp_path / 'backup')
    assert result.database == tmp_path / 'backup' / 'fusen.db'
    copy = sqlite3.connect(result.database)
    assert copy.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
    assert copy.execute('SELECT COUNT(*) FROM notes').fetchone()[0] == 20
    copy.close()


def test_backup_contains_images(store: Store, workshop: NewWorkshop, tmp_path: Path) -> None:
    from PIL import Image

    from workshop.scan.images import encode
    from workshop.scans_store import ScanStore

    scans = ScanStore(store)
    [card] = store.create_cards(workshop.sessions[0].id, 1)
    scans.attach_image(card.id, encode(Image.new('RGB', (400, 200), 'white')))
    note = scans.attach_image(card.id, encode(Image.new('RGB', (400, 200), 'grey')))  # a rescan
    picture = encode(Image.new('RGB', (400, 200), 'black'))
    leftover = scans.add_leftover(workshop.workshop.id, 'scan.pdf', 1, picture, picture, whole_page=False)
    names = [image.file for image in scans.images(note.id)] + [leftover.file, leftover.thumbnail]

    result = store.backup(tmp_path / 'backup')
    assert result.images == 4
    assert result.missing == []
    for name in names:
        assert (tmp_path / 'backup' / 'images' / name).read_bytes() == (store.path.parent / 'images' / name).read_bytes()

    restored = Store(result.database)
    try:
        [restored_note] = restored.notes(workshop.workshop.id)
        assert restored_note.image_id == note.image_id
        path = ScanStore(restored).image_path(workshop.workshop.id, restored_note.image_id)
        assert path == tmp_path / 'backup' / 'images' / names[1]
        assert path.is_file()
    finally:
        restored.close()


def test_backup_rejects_existing_folder(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / 'backup'
    folder.mkdir()
    with pytest.raises(FileExistsError):
        store.backup(folder)
    assert list(folder.iterdir()) == []


def test_older_file_gets_later_migrations(data_dir: Path) -> None:
    path = data_dir / 'older.db'
    older = Database(path)
    names = [migration.name for migration in migrations.pending(older)]
    migrations.apply(older, stop_before=names[1:] or None)
    older['workshops'].insert({'id': 'abcdefghij', 'title': '古い対話会', 'facilitator_key_hash': 'x',
                               'join_token': 'y', 'created_at': '2026-01-01T00:00:00+09:00'})
    older.close()

    store = Store(path)
    assert migrations.pending(store.db) == []
    assert [migration.name for migration in migrations.applied(store.db)] == names
    assert store.workshop('abcdefghij').title == '古い対話会'
    store.close()
