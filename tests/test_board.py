"""The projector board: both streams with their source marks, live updates, filtering, 404 and language."""
import asyncio
from collections.abc import Callable

import pytest
from nicegui import run
from nicegui.testing import User
from PIL import Image
from playwright.sync_api import Browser, expect

from chromium import running_server
from sessions import board, runtime
from workshop.model import Card, NewWorkshop, NoteStatus
from workshop.scan.images import encode
from workshop.scans_store import ScanStore
from workshop.store import Store
from workshop.urls import card_url

# should_see waits 0.1 s between attempts, so 10 attempts check that a note shows within about a second.
WITHIN_A_SECOND = 10
# Scanned images wait for the board's next batch, so they get the batch's interval on top.
WITHIN_A_BATCH = WITHIN_A_SECOND + round(board.IMAGE_BATCH_SECONDS * 10)


def make_workshop(store: Store, title: str = '壱岐市 まちづくり対話会') -> NewWorkshop:
    return store.create_workshop(title, question='10年後の壱岐をどんな島に？',
                                 sessions=[('観光', '島を訪れる人に何を？'), ('子育て', '子育てしやすい町とは？')])


def paper_note(store: Store, session_id: int, text: str) -> str:
    """Send a text for a new card of the session and return the card's token."""
    card = store.create_cards(session_id, 1)[0]
    store.submit_card_text(card.token, text)
    return card.token


def online_note(store: Store, created: NewWorkshop, session_index: int, text: str, nickname: str = '') -> None:
    participant = store.create_participant(created.workshop.id, nickname)
    store.post_note(created.sessions[session_index].id, participant.id, text)


def scan_card(store: Store, card_id: int, shade: int) -> int:
    """File a plain grey picture as the card's handwriting, as a scan would, and return the note's image id."""
    note = ScanStore(store).attach_image(card_id, encode(Image.new('RGB', (400, 200), (shade, shade, shade))))
    assert note.image_id is not None
    return note.image_id


def note_texts(user: User) -> list[str]:
    return [card.props['text'] for card in user.find(marker='note').elements]


def badge_texts(user: User, source: str) -> list[str]:
    """Return the badges of the board's cards from one source, ``paper`` or ``online``."""
    return [card.props['badge'] for card in user.find(marker='note').elements if card.props['source'] == source]


def image_sources(user: User) -> list[str]:
    return [card.props['image']['src'] for card in user.find(marker='note-image').elements]


async def test_board_shows_both_streams(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    paper_note(store, created.sessions[0].id, '港の案内板を分かりやすく')
    online_note(store, created, 1, '屋内の遊び場がほしい', nickname='うに')
    online_note(store, created, 1, '病児保育を島内で')

    await user.open(f'/board/{created.workshop.id}')

    await user.should_see('壱岐市 まちづくり対話会')
    await user.should_see('10年後の壱岐をどんな島に？')
    assert len(user.find(marker='note').elements) == 3
    assert sorted(note_texts(user)) == sorted(['港の案内板を分かりやすく', '屋内の遊び場がほしい', '病児保育を島内で'])
    assert badge_texts(user, 'paper') == ['紙 A-001']
    assert sorted(badge_texts(user, 'online')) == ['オンライン', 'オンライン・うに']
    with user.scope(marker='column-A'):
        assert note_texts(user) == ['港の案内板を分かりやすく']
    with user.scope(marker='column-B'):
        assert sorted(note_texts(user)) == ['屋内の遊び場がほしい', '病児保育を島内で']
    assert user.find(marker='count-A').elements.pop().text == '1件'
    assert user.find(marker='count-B').elements.pop().text == '2件'


async def test_board_shows_session_questions(user: User) -> None:
    created = make_workshop(runtime.store())

    await user.open(f'/board/{created.workshop.id}')

    await user.should_see('島を訪れる人に何を？')
    await user.should_see('子育てしやすい町とは？')


async def test_empty_column_shows_hint(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    paper_note(store, created.sessions[0].id, '港の案内板')

    await user.open(f'/board/{created.workshop.id}')

    await user.should_see(marker='empty-B', content='まだ意見はありません')
    await user.should_not_see(marker='empty-A')
    assert user.find(marker='count-B').elements.pop().text == '0件'


async def test_board_shows_join_url(user: User) -> None:
    created = make_workshop(runtime.store())
    expected = f'{runtime.settings().public_url}/j/{created.workshop.join_token}'

    await user.open(f'/board/{created.workshop.id}')

    await user.should_see(marker='join-url', content=expected)


async def test_online_note_appears_live(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    await user.open(f'/board/{created.workshop.id}')
    participant = await run.io_bound(store.create_participant, created.workshop.id, 'たけし')

    await run.io_bound(store.post_note, created.sessions[1].id, participant.id, '空き家バンクをLINEで')

    await user.should_see(marker='note', content='空き家バンクをLINEで', retries=WITHIN_A_SECOND)
    await user.should_see(marker='note', content='オンライン・たけし')
    assert badge_texts(user, 'online') == ['オンライン・たけし']
    await user.should_not_see(marker='empty-B')
    assert user.find(marker='count-B').elements.pop().text == '1件'
    assert user.find(marker='count-A').elements.pop().text == '0件'


async def test_live_note_is_highlighted(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    paper_note(store, created.sessions[0].id, '前からある意見')
    await user.open(f'/board/{created.workshop.id}')

    await run.io_bound(paper_note, store, created.sessions[0].id, '今届いた意見')

    await user.should_see(marker='note', content='今届いた意見', retries=WITHIN_A_SECOND)
    highlighted = [card for card in user.find(marker='note').elements if 'fusen-glow-a' in card.classes]
    assert len(highlighted) == 1
    assert highlighted[0].props['text'] == '今届いた意見'


async def test_join_page_note_appears_live(create_user: Callable[[], User]) -> None:
    store = runtime.store()
    created = make_workshop(store)
    board = create_user()
    resident = create_user()
    await board.open(f'/board/{created.workshop.id}')

    await resident.open(f'/j/{created.sessions[0].join_token}')
    resident.find(marker='note-input').type('港に観光案内所を')
    resident.find(marker='post-button').click()

    await board.should_see(marker='note', content='港に観光案内所を', retries=WITHIN_A_SECOND)
    await board.should_see(marker='note', content='オンライン')
    with board.scope(marker='column-A'):
        assert note_texts(board) == ['港に観光案内所を']


async def test_resent_card_updates_text_in_place(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    token = paper_note(store, created.sessions[0].id, '最初の読み取り')
    await user.open(f'/board/{created.workshop.id}')
    card_before = user.find(marker='note').elements.pop()

    await run.io_bound(store.submit_card_text, token, '書き直した意見')

    await user.should_see(marker='note', content='書き直した意見', retries=WITHIN_A_SECOND)
    assert user.find(marker='note').elements == {card_before}
    assert user.find(marker='count-A').elements.pop().text == '1件'


async def test_resent_card_live_not_duplicated(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    card = store.create_cards(created.sessions[0].id, 1)[0]
    await user.open(f'/board/{created.workshop.id}')

    await run.io_bound(store.submit_card_text, card.token, '一回目')
    await user.should_see(marker='note', content='一回目', retries=WITHIN_A_SECOND)
    await run.io_bound(store.submit_card_text, card.token, '二回目')

    await user.should_see(marker='note', content='二回目', retries=WITHIN_A_SECOND)
    assert note_texts(user) == ['二回目']


async def test_other_workshop_note_not_shown(user: User) -> None:
    store = runtime.store()
    viewed = make_workshop(store)
    other = make_workshop(store, title='別の対話会')
    await user.open(f'/board/{viewed.workshop.id}')

    await run.io_bound(online_note, store, other, 0, '別の会の意見')
    await run.io_bound(online_note, store, viewed, 0, 'この会の意見')

    await user.should_see(marker='note', content='この会の意見', retries=WITHIN_A_SECOND)
    assert note_texts(user) == ['この会の意見']


async def test_session_filter_by_letter(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    paper_note(store, created.sessions[0].id, '観光の意見')
    paper_note(store, created.sessions[1].id, '子育ての意見')

    await user.open(f'/board/{created.workshop.id}?session=B')

    assert note_texts(user) == ['子育ての意見']
    await user.should_see(marker='column-B')
    await user.should_not_see(marker='column-A')


async def test_session_filter_by_id_live(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    await user.open(f'/board/{created.workshop.id}?session={created.sessions[0].id}')

    await run.io_bound(online_note, store, created, 1, '子育ての意見')
    await run.io_bound(online_note, store, created, 0, '観光の意見')

    await user.should_see(marker='note', content='観光の意見', retries=WITHIN_A_SECOND)
    assert note_texts(user) == ['観光の意見']


async def test_session_join_url_on_filtered_board(user: User) -> None:
    created = make_workshop(runtime.store())
    expected = f'{runtime.settings().public_url}/j/{created.sessions[1].join_token}'

    await user.open(f'/board/{created.workshop.id}?session=b')

    await user.should_see(marker='join-url', content=expected)


async def test_unknown_workshop_is_404(user: User) -> None:
    response = await user.http_client.get('/board/abcdefghij')

    assert response.status_code == 404
    assert 'ページが見つかりません' in response.text


async def test_malformed_workshop_id_is_404(user: User) -> None:
    response = await user.http_client.get('/board/NOT-AN-ID')

    assert response.status_code == 404
    assert 'ページが見つかりません' in response.text


async def test_unknown_session_is_404(user: User) -> None:
    created = make_workshop(runtime.store())

    response = await user.http_client.get(f'/board/{created.workshop.id}?session=Z')

    assert response.status_code == 404


async def test_session_of_other_workshop_is_404(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    other = make_workshop(store, title='別の対話会')

    response = await user.http_client.get(f'/board/{created.workshop.id}?session={other.sessions[0].id}')

    assert response.status_code == 404


async def test_script_in_note_shows_as_text(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    online_note(store, created, 0, '<script>alert(1)</script>', nickname='<b>太字</b>')

    await user.open(f'/board/{created.workshop.id}')
    response = await user.http_client.get(f'/board/{created.workshop.id}')

    assert note_texts(user) == ['<script>alert(1)</script>']
    assert badge_texts(user, 'online') == ['オンライン・<b>太字</b>']
    assert '<script>alert(1)' not in response.text
    assert '<b>太字' not in response.text


async def test_board_in_english(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    paper_note(store, created.sessions[0].id, '港の案内板')
    online_note(store, created, 0, '海女さんのツアー', nickname='うに')

    await user.open(f'/board/{created.workshop.id}?lang=en')

    assert badge_texts(user, 'paper') == ['Paper A-001']
    assert badge_texts(user, 'online') == ['Online · うに']
    assert user.find(marker='count-A').elements.pop().text == 'Notes: 2'
    await user.should_see(marker='empty-B', content='No notes yet')


async def test_board_renders_300_notes(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    participant = store.create_participant(created.workshop.id)
    for number in range(300):
        store.post_note(created.sessions[number % 2].id, participant.id, f'意見その{number}')

    await user.open(f'/board/{created.workshop.id}')

    assert len(user.find(marker='note').elements) == 300
    assert user.find(marker='count-A').elements.pop().text == '150件'


async def test_handwriting_image_shown(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    card = store.create_cards(created.sessions[0].id, 1)[0]
    image_id = scan_card(store, card.id, 200)

    await user.open(f'/board/{created.workshop.id}')

    assert image_sources(user) == [f'/board/{created.workshop.id}/images/{image_id}.webp']
    assert badge_texts(user, 'paper') == ['紙 A-001']
    assert note_texts(user) == ['']


async def test_rescan_replaces_image_in_place(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    card = store.create_cards(created.sessions[0].id, 1)[0]
    scan_card(store, card.id, 200)
    await user.open(f'/board/{created.workshop.id}')

    second_id = await run.io_bound(scan_card, store, card.id, 120)

    expected = f'/board/{created.workshop.id}/images/{second_id}.webp'
    for _ in range(WITHIN_A_BATCH):
        if image_sources(user) == [expected]:
            break
        await asyncio.sleep(0.1)
    assert image_sources(user) == [expected]
    assert len(user.find(marker='note').elements) == 1


def scanned_workshop(store: Store) -> tuple[NewWorkshop, int]:
    """Create a workshop with one scanned card and return it with the card's note id."""
    created = make_workshop(store)
    card = store.create_cards(created.sessions[0].id, 1)[0]
    scan_card(store, card.id, 200)
    return created, store.card_note(card.id).id


async def test_transcription_fills_image_note(user: User) -> None:
    store = runtime.store()
    created, note_id = scanned_workshop(store)
    await user.open(f'/board/{created.workshop.id}')

    await run.io_bound(ScanStore(store).transcribe, note_id, '手書きを文字にした意見')

    await user.should_see(marker='note', content='手書きを文字にした意見', retries=WITHIN_A_SECOND)
    assert len(user.find(marker='note').elements) == 1
    assert len(user.find(marker='note-image').elements) == 1


async def scan_with_board_open(user: User, shades: list[int]) -> tuple[Store, NewWorkshop, list[Card]]:
    """Open a new workshop's board, then scan one new card per shade while the board is open."""
    store = runtime.store()
    created = make_workshop(store)
    cards = store.create_cards(created.sessions[0].id, len(shades))
    await user.open(f'/board/{created.workshop.id}')
    for shade, card in zip(shades, cards):
        await run.io_bound(scan_card, store, card.id, shade)
    return store, created, cards


async def test_scanned_images_wait_for_batch(user: User) -> None:
    store, created, _ = await scan_with_board_open(user, [200, 150, 100])
    await run.io_bound(online_note, store, created, 0, '打ち込んだ意見')

    # The typed note is on the board before the scanned cards, which then come together.
    await user.should_see(marker='note', content='打ち込んだ意見', retries=WITHIN_A_SECOND)
    await user.should_not_see(marker='note-image')
    await user.should_see(marker='note-image', retries=WITHIN_A_BATCH)
    assert len(user.find(marker='note-image').elements) == 3
    assert sorted(badge_texts(user, 'paper')) == ['紙 A-001', '紙 A-002', '紙 A-003']


async def test_typed_text_brings_waiting_image(user: User) -> None:
    store = runtime.store()
    created = make_workshop(store)
    card = store.create_cards(created.sessions[0].id, 1)[0]
    await user.open(f'/board/{created.workshop.id}')

    image_id = await run.io_bound(scan_card, store, card.id, 200)
    await run.io_bound(ScanStore(store).transcribe, store.card_note(card.id).id, 'すぐに打ち込んだ意見')

    # The transcription is shown at once, with the image that was still waiting for its batch.
    await user.should_see(marker='note', content='すぐに打ち込んだ意見', retries=WITHIN_A_SECOND)
    assert image_sources(user) == [f'/board/{created.workshop.id}/images/{image_id}.webp']
    await asyncio.sleep(board.IMAGE_BATCH_SECONDS + 0.2)  # the batch must not bring the note back a second time
    assert len(user.find(marker='note').elements) == 1


async def test_note_hidden_while_image_waits(user: User) -> None:
    store, _, cards = await scan_with_board_open(user, [200, 100])
    await run.io_bound(store.set_note_status, store.card_note(cards[0].id).id, NoteStatus.HIDDEN)

    # Only the card that was not hidden arrives with the batch.
    await user.should_see(marker='note-image', retries=WITHIN_A_BATCH)
    await asyncio.sleep(0.3)
    assert badge_texts(user, 'paper') == ['紙 A-002']
    assert len(user.find(marker='note-image').elements) == 1


async def test_released_scan_shown_at_once(user: User) -> None:
    store = runtime.store()
    created, note_id = scanned_workshop(store)
    store.set_note_status(note_id, NoteStatus.HELD)
    await user.open(f'/board/{created.workshop.id}')
    await user.should_not_see(marker='note-image')

    await run.io_bound(store.set_note_status, note_id, NoteStatus.VISIBLE)

    # A facilitator's decision is not a scan, so it does not wait for the next batch of images.
    await user.should_see(marker='note-image', retries=WITHIN_A_SECOND)


async def test_image_url_keeps_proxy_sub_path(user: User) -> None:
    store = runtime.store()
    created = store.create_workshop('対話会', sessions=[('観光', '')])
    card = store.create_cards(created.sessions[0].id, 1)[0]
    image_id = scan_card(store, card.id, 200)
    user.http_client.headers['X-Forwarded-Prefix'] = '/fusen'
    await user.open(f'/board/{created.workshop.id}')
    await user.should_see(marker='note-image')
    assert image_sources(user) == [f'/fusen/board/{created.workshop.id}/images/{image_id}.webp']


@pytest.mark.browser
def test_card_rerenders_in_browser(browser: Browser, store: Store, data_dir) -> None:
    # The browser reuses a card's rendered children until its version, class or style changes, so a
    # card that stays stale shows only in a real browser.
    created = make_workshop(store)
    card, *others = store.create_cards(created.sessions[0].id, 25)
    scan_card(store, card.id, 200)
    # More notes than one group of cards contains, so the resent card sits in a full, older group.
    for index, other in enumerate(others):
        store.submit_card_text(other.token, f'ほかの意見 {index}')
    with running_server(data_dir) as url:
        board = browser.new_page(locale='ja-JP', viewport={'width': 1920, 'height': 1080})
        board.goto(f'{url}/board/{created.workshop.id}')
        image = board.locator('.fusen-note img')
        expect(image).to_have_attribute('width', '400')
        expect(image).to_have_attribute('height', '200')
        expect(image).to_have_attribute('decoding', 'async')

        phone = browser.new_page(locale='ja-JP', viewport={'width': 390, 'height': 844})
        phone.goto(card_url(url, card.token))
        for text in ('最初に書いた文', '書き直した文'):
            phone.locator('textarea').fill(text)
            phone.get_by_role('button', name='投稿する').click()
            expect(board.locator('.fusen-note', has_text=text)).to_be_visible(timeout=5000)
        expect(board.get_by_text('最初に書いた文')).to_have_count(0)
        expect(board.locator('.fusen-note')).to_have_count(25)
        expect(board.locator('.fusen-note img')).to_have_count(1)
        expect(board.locator('.fusen-note', has_text='書き直した文').locator('img')).to_have_count(1)
