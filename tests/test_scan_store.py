"""Leftovers in the scan store: typed card codes, replacing a card's image, and the same file scanned twice."""
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from scan_samples import save, written_sheet
from test_scan import tear_qr_code
from workshop.scan import images
from workshop.scan.ingest import ingest_files
from workshop.scans_store import CardHasContent, ScanStore, normalize_card_code
from workshop.store import NotFound, Store


@pytest.fixture
def scans(store: Store) -> ScanStore:
    return ScanStore(store)


def picture(label: str) -> images.EncodedImage:
    """Return a small encoded picture with a label drawn on it, so different labels give different bytes."""
    image = Image.new('RGB', (240, 160), 'white')
    ImageDraw.Draw(image).text((20, 60), label, fill='black')
    return images.encode(image)


def leftover_for(scans: ScanStore, workshop, label: str = 'leftover'):
    return scans.add_leftover(workshop.workshop.id, 'sheet.pdf', 1, picture(label), picture(label + ' small'), False)


@pytest.mark.parametrize(('typed', 'expected'), [
    ('A-003', 'A-003'),
    ('Ａ－００５', 'A-005'),
    ('ａ－３', 'A-003'),
    ('A003', 'A-003'),
    ('A-3', 'A-003'),
    ('a-3', 'A-003'),
    ('A 3', 'A-003'),
    ('Ａ−３', 'A-003'),  # U+2212 minus sign
    ('A－003', 'A-003'),
    ('A ー 3', 'A-003'),  # U+30FC, the long vowel mark a Japanese IME gives for "-"
    ('Aｰ3', 'A-003'),  # U+FF70, the half-width long vowel mark
    ('A‐3', 'A-003'),  # U+2010 hyphen
    ('A–3', 'A-003'),  # U+2013 en dash
    ('A―3', 'A-003'),  # U+2015 horizontal bar
    ('A\u30003', 'A-003'),  # ideographic space
    (' a - 0003 ', 'A-003'),
    ('ｂ－２', 'B-002'),
    ('A-1000', 'A-1000'),
])
def test_typed_code_normalized(typed, expected):
    assert normalize_card_code(typed) == expected


@pytest.mark.parametrize('typed', ['', '   ', '-', 'A', '3', 'A--3', 'A-3B', '3-A', 'あ-3', 'A-' + '9' * 5000])
def test_typed_code_rejected(typed):
    assert normalize_card_code(typed) is None


@pytest.mark.parametrize(('typed', 'number'), [
    ('Ａ－００５', 5), ('ａ－３', 3), ('A003', 3), ('A-3', 3), ('a-3', 3), ('A 3', 3), ('Ａ−３', 3), ('A－003', 3),
    ('A ー 3', 3),
])
def test_card_found_by_typed_code(scans, store, workshop, typed, number):
    cards = store.create_cards(workshop.sessions[0].id, 10)
    found = scans.card_by_code(workshop.workshop.id, typed)
    assert found is not None
    assert found.id == cards[number - 1].id


def test_card_of_other_workshop_not_found(scans, store, workshop):
    other = store.create_workshop('別の会', sessions=[('観光', '')])
    store.create_cards(other.sessions[0].id, 3)
    assert scans.card_by_code(workshop.workshop.id, 'A-1') is None


def test_empty_card_assigned_at_once(scans, store, workshop):
    [card] = store.create_cards(workshop.sessions[0].id, 1)
    leftover = leftover_for(scans, workshop)
    note = scans.assign_leftover(workshop.workshop.id, leftover.id, 'a1')
    assert note.card_id == card.id
    assert note.image_id is not None
    assert scans.leftovers(workshop.workshop.id) == []


def test_card_with_image_needs_replace(scans, store, workshop):
    [card] = store.create_cards(workshop.sessions[0].id, 1)
    first = scans.attach_image(card.id, picture('on the board'))
    leftover = leftover_for(scans, workshop)

    with pytest.raises(CardHasContent) as raised:
        scans.assign_leftover(workshop.workshop.id, leftover.id, 'A-001')
    assert raised.value.card.id == card.id
    assert raised.value.note.image_id == first.image_id
    assert store.card_note(card.id).image_id == first.image_id
    assert [item.id for item in scans.leftovers(workshop.workshop.id)] == [leftover.id]

    replaced = scans.assign_leftover(workshop.workshop.id, leftover.id, 'A-001', replace=True)
    assert replaced.id == first.id
    assert replaced.image_id != first.image_id
    kept = scans.images(first.id)
    assert [image.id for image in kept] == [first.image_id, replaced.image_id]
    assert kept[0].replaced_at != ''
    assert scans.leftovers(workshop.workshop.id) == []


def test_card_with_text_needs_replace(scans, store, workshop):
    [card] = store.create_cards(workshop.sessions[0].id, 1)
    note = scans.attach_image(card.id, picture('on the board'))
    scans.transcribe(note.id, '港にベンチがほしい')
    leftover = leftover_for(scans, workshop)
    with pytest.raises(CardHasContent) as raised:
        scans.assign_leftover(workshop.workshop.id, leftover.id, 'A-001')
    assert raised.value.note.text == '港にベンチがほしい'

    replaced = scans.assign_leftover(workshop.workshop.id, leftover.id, 'A-001', replace=True)
    assert replaced.text == '港にベンチがほしい'


def test_unknown_code_leaves_leftover_open(scans, store, workshop):
    store.create_cards(workshop.sessions[0].id, 1)
    leftover = leftover_for(scans, workshop)
    for typed in ['', 'A-002', 'Z-001']:
        with pytest.raises(NotFound):
            scans.assign_leftover(workshop.workshop.id, leftover.id, typed)
    assert [item.id for item in scans.leftovers(workshop.workshop.id)] == [leftover.id]


def test_same_leftover_added_once(scans, workshop, data_dir):
    first = leftover_for(scans, workshop)
    again = leftover_for(scans, workshop)
    other = leftover_for(scans, workshop, 'another card')
    assert again.id == first.id
    assert other.id != first.id
    assert len(list((data_dir / 'images').iterdir())) == 4  # the repeat's two files were removed


def test_discarded_leftover_comes_back(scans, workshop):
    first = leftover_for(scans, workshop)
    scans.discard_leftover(workshop.workshop.id, first.id)
    again = leftover_for(scans, workshop)
    assert again.id != first.id
    assert [item.id for item in scans.leftovers(workshop.workshop.id)] == [again.id]


def test_rescan_lists_leftover_once(scans, store, workshop, tmp_path: Path):
    image, cards = written_sheet(store, workshop)
    tear_qr_code(image, index=2)
    tear_qr_code(image, index=5)
    first = save(image, tmp_path / 'torn.png')
    second = save(image, tmp_path / 'torn-again.png')
    ingest_files(scans, workshop.workshop.id, [first], workers=1)
    listed = scans.leftovers(workshop.workshop.id)
    ingest_files(scans, workshop.workshop.id, [first, second], workers=1)
    assert len(listed) == 2
    assert scans.leftovers(workshop.workshop.id) == listed


def test_rescan_of_pdf_lists_leftover_once(scans, store, workshop, tmp_path: Path):
    image, _ = written_sheet(store, workshop)
    tear_qr_code(image, index=2)
    pdf = save(image.convert('RGB'), tmp_path / 'torn.pdf', resolution=300)
    ingest_files(scans, workshop.workshop.id, [pdf], workers=1)
    ingest_files(scans, workshop.workshop.id, [pdf], workers=1)
    assert len(scans.leftovers(workshop.workshop.id)) == 1


def test_note_carries_image_size(store: Store, scans: ScanStore, workshop) -> None:
    card = store.create_cards(workshop.sessions[0].id, 1)[0]
    first = scans.attach_image(card.id, picture('first'))
    assert first.image_size == (240, 160)

    wide = Image.new('RGB', (400, 100), 'white')
    ImageDraw.Draw(wide).text((20, 40), 'second', fill='black')
    second = scans.attach_image(card.id, images.encode(wide), origin='rescan')
    assert second.image_size == (400, 100)
    assert store.note(first.id).image_size == (400, 100)
    assert [note.image_size for note in store.notes(workshop.workshop.id)] == [(400, 100)]


def test_page_filed_in_one_transaction(store: Store, scans: ScanStore, workshop, monkeypatch) -> None:
    cards = store.create_cards(workshop.sessions[0].id, 3)
    transactions = []
    real_transaction = store.transaction

    def counted():
        transactions.append(1)
        return real_transaction()

    monkeypatch.setattr(store, 'transaction', counted)
    notes = scans.attach_images([(card.id, picture(card.code)) for card in cards])
    assert len(transactions) == 1
    assert [note.card_id for note in notes] == [card.id for card in cards]
    assert all(note.image_id is not None for note in notes)


def test_unknown_card_files_nothing(store: Store, scans: ScanStore, workshop, data_dir: Path) -> None:
    cards = store.create_cards(workshop.sessions[0].id, 2)
    files_before = sorted(path for path in data_dir.rglob('*') if path.is_file() and 'fusen.db' not in path.name)
    with pytest.raises(NotFound):
        scans.attach_images([(cards[0].id, picture('first')), (999_999, picture('nobody')),
                             (cards[1].id, picture('second'))])
    assert store.notes(workshop.workshop.id) == []
    files_after = sorted(path for path in data_dir.rglob('*') if path.is_file() and 'fusen.db' not in path.name)
    assert files_after == files_before


def test_files_synced_before_commit(store: Store, scans: ScanStore, workshop, data_dir: Path, monkeypatch) -> None:
    # A power cut must not leave a committed row that points to a file still in the page cache, so
    # every file and the folder's entries reach the disk before the transaction starts.
    if not Path('/proc/self/fd').exists():
        pytest.skip('naming a synced descriptor needs /proc (Linux)')
    cards = store.create_cards(workshop.sessions[0].id, 2)
    synced: list[str] = []
    real_fsync = images.os.fsync
    real_transaction = store.transaction

    def recorded_fsync(descriptor: int) -> None:
        synced.append(Path(images.os.readlink(f'/proc/self/fd/{descriptor}')).name)
        real_fsync(descriptor)

    def transaction():
        synced.append('commit')
        return real_transaction()

    monkeypatch.setattr(images.os, 'fsync', recorded_fsync)
    monkeypatch.setattr(store, 'transaction', transaction)
    notes = scans.attach_images([(card.id, picture(card.code)) for card in cards])

    files = [path.name for path in (data_dir / images.IMAGES_FOLDER).iterdir()]
    assert len(files) == 2
    assert synced[-1] == 'commit'
    assert sorted(synced[:2]) == sorted(files)
    assert synced[2] == images.IMAGES_FOLDER
    assert len(notes) == 2
