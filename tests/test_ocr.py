"""OCR suggestions for the transcription queue, read by the real tesseract program from real filed cards."""
import logging
import random
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User
from PIL import Image

from bench.scan_corpus import render_sheet, write_cards
from prerequisites import missing
from sessions import runtime
from workshop.model import NewWorkshop
from workshop.scan import ocr
from workshop.scan.ingest import ingest_files
from workshop.scans_store import ScanStore
from workshop.store import Store

IPAEX = Path(__file__).resolve().parent.parent / 'printouts' / 'fonts' / 'ipaexg.ttf'
# tesseract 5.3 reads the first two right with a confidence above 90 and 賛成 as 催成 with a confidence of 12.
TEXTS = ['公園にトイレを', None, '海の見える図書館', None, '賛成', None, None, None, None, None]
READABLE = TEXTS[:3]


@pytest.fixture(autouse=True)
def fresh_engine():
    """Forget which tesseract was found and what it read, because tests change PATH."""
    ocr.engine.cache_clear()
    ocr.suggestion.cache_clear()
    yield
    ocr.engine.cache_clear()
    ocr.suggestion.cache_clear()


@pytest.fixture
def tesseract() -> str:
    """The tesseract program with its Japanese model; skipped without it, except under CI=true where it fails."""
    program = ocr.engine()
    if program is None:
        message = 'tesseract with its Japanese model is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-jpn)'
        missing(message)
    return program


@pytest.fixture
def no_tesseract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty folder as PATH, so tesseract is missing as on a machine without the package."""
    folder = tmp_path / 'bin'
    folder.mkdir()
    monkeypatch.setenv('PATH', str(folder))


def printed_cards(store: Store, created: NewWorkshop, folder: Path) -> list[int]:
    """File a 300 dpi sheet with TEXTS printed in IPAex Gothic and return the note ids of its written cards."""
    cards = store.create_cards(created.sessions[0].id, 10)
    image = render_sheet(created, cards, 300)
    write_cards(image, 300, TEXTS, IPAEX, random.Random(7))
    path = folder / 'printed.png'
    image.save(path)
    ingest_files(ScanStore(store), created.workshop.id, [path], workers=1)
    return [store.card_note(card.id).id for card, text in zip(cards, TEXTS) if text]


def image_path(store: Store, created: NewWorkshop, note_id: int) -> Path:
    return ScanStore(store).image_path(created.workshop.id, store.note(note_id).image_id)


def test_printed_card_suggests_its_text(tesseract, store, workshop, data_dir):
    note_ids = printed_cards(store, workshop, data_dir)
    for note_id, expected in zip(note_ids, [text for text in READABLE if text]):
        suggestion = ocr.suggestion(image_path(store, workshop, note_id))
        assert suggestion is not None, expected
        assert expected in ''.join(suggestion.split())


def test_misread_card_gets_no_wrong_suggestion(tesseract, store, workshop, data_dir):
    note_id = printed_cards(store, workshop, data_dir)[2]
    suggestion = ocr.suggestion(image_path(store, workshop, note_id))
    assert suggestion is None or suggestion == '賛成'


def test_reading_has_confidence(tesseract, store, workshop, data_dir):
    note_id = printed_cards(store, workshop, data_dir)[0]
    with Image.open(image_path(store, workshop, note_id)) as image:
        reading = ocr.read(tesseract, ocr.prepare(image))
    assert reading.text == '公園にトイレを'
    assert reading.confidence >= ocr.MIN_CONFIDENCE


def test_frame_not_read_as_text(tesseract, store, workshop, data_dir):
    # Without the crop, tesseract reads the printed corner marks as letters such as 「 and し.
    note_id = printed_cards(store, workshop, data_dir)[0]
    with Image.open(image_path(store, workshop, note_id)) as image:
        framed = ocr.read(tesseract, ocr.prepare(image, ocr.Settings(crop=False)))
        cropped = ocr.read(tesseract, ocr.prepare(image))
    assert framed.text != '公園にトイレを'
    assert cropped.text == '公園にトイレを'


def test_blank_image_gets_no_suggestion(tesseract, tmp_path):
    path = tmp_path / 'blank.webp'
    Image.new('RGB', (800, 485), 'white').save(path)
    assert ocr.suggestion(path) is None


def test_engine_missing_without_tesseract(no_tesseract, caplog):
    caplog.set_level(logging.INFO, logger='workshop.scan.ocr')
    ocr.log_availability()
    assert ocr.engine() is None
    assert ocr.suggestion(Path('/nonexistent.webp')) is None
    assert 'OCR suggestions are off' in caplog.text


async def test_page_prefills_suggestion(tesseract, user: User) -> None:
    created = create_workshop()
    note_ids = printed_cards(runtime.store(), created, runtime.settings().data_dir)
    await user.open(f'/f/{created.facilitator_key}/transcribe')
    for note_id in note_ids[:2]:
        await user.should_see(marker=f'suggested-{note_id}', retries=200)
    box = textarea(user, note_ids[0])
    assert box.value == '公園にトイレを'
    assert runtime.store().note(note_ids[0]).text == ''  # a suggestion is never saved on its own

    box.set_value('公園にトイレを増やして')
    user.find(marker=f'save-{note_ids[0]}').click()
    await user.should_see('文字起こし待ち: 2件')
    assert runtime.store().note(note_ids[0]).text == '公園にトイレを増やして'


@pytest.fixture
def info_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture INFO records from the start, so the log lines of the app's start-up are kept too."""
    caplog.set_level(logging.INFO)
    return caplog


async def test_page_works_without_tesseract(no_tesseract, info_logs, user: User) -> None:
    created = create_workshop()
    note_ids = printed_cards(runtime.store(), created, runtime.settings().data_dir)
    await user.open(f'/f/{created.facilitator_key}/transcribe')
    await user.should_see('文字起こし待ち: 3件')
    await user.should_not_see(marker=f'suggested-{note_ids[0]}')
    assert textarea(user, note_ids[0]).value == ''
    started = [record.getMessage() for record in info_logs.get_records('setup')]
    assert sum('OCR suggestions are off' in message for message in started) == 1  # when the pages were registered

    user.find(marker=f'transcript-{note_ids[0]}').type('公園にトイレを')
    user.find(marker=f'save-{note_ids[0]}').click()
    await user.should_see('文字起こし待ち: 2件')
    assert runtime.store().note(note_ids[0]).text == '公園にトイレを'


def create_workshop() -> NewWorkshop:
    return runtime.store().create_workshop('壱岐市 対話会', sessions=[('観光', ''), ('子育て', '')])


def textarea(user: User, note_id: int) -> ui.textarea:
    [box] = user.find(marker=f'transcript-{note_id}').elements
    assert isinstance(box, ui.textarea)
    return box
