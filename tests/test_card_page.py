"""The card page: a paper card's QR code opens it, and its text becomes the card's one note."""
import pytest
from nicegui import ui
from nicegui.testing import User

from sessions import runtime
from workshop.model import Card, Source
from workshop.tokens import new_token


def make_card() -> Card:
    """Create a workshop with two sessions in the running app's store and return the first card of 観光."""
    store = runtime.store()
    created = store.create_workshop('対話会', question='10年後の町は？',
                                    sessions=[('観光', '島を訪れる人に何を？'), ('子育て', '子育てしやすい町とは？')])
    return store.create_cards(created.sessions[0].id, 3)[0]


async def post(user: User, note_text: str) -> None:
    """Type a text into the page's empty text box and press 投稿する."""
    user.find(marker='note-input').clear().type(note_text)
    user.find(marker='post-button').click()


async def test_card_page_shows_session_and_code(user: User) -> None:
    card = make_card()
    await user.open(f'/c/{card.token}')
    await user.should_see(marker='session-name', content='観光')
    await user.should_see(marker='question', content='島を訪れる人に何を？')
    await user.should_see(marker='card-code', content='A-001')
    await user.should_see('カードに書いた内容を入力してください。')
    await user.should_see(kind=ui.button, content='投稿する')


async def test_card_page_posts_paper_note(user: User) -> None:
    card = make_card()
    await user.open(f'/c/{card.token}')
    await post(user, '港の案内板を大きく')
    await user.should_see(marker='sent', content='送信しました')

    notes = runtime.store().notes(runtime.store().session(card.session_id).workshop_id)
    assert len(notes) == 1
    assert notes[0].text == '港の案内板を大きく'
    assert notes[0].source == Source.PAPER
    assert notes[0].card_code == 'A-001'
    assert notes[0].session_id == card.session_id


async def test_card_page_sending_again_updates(user: User) -> None:
    card = make_card()
    await user.open(f'/c/{card.token}')
    await post(user, '最初の文')
    await user.should_see(marker='sent')
    await post(user, '直した文')
    await user.should_see(marker='sent')

    workshop_id = runtime.store().session(card.session_id).workshop_id
    notes = runtime.store().notes(workshop_id)
    assert len(notes) == 1
    assert notes[0].text == '直した文'


async def test_card_page_edit_hides_confirmation(user: User) -> None:
    card = make_card()
    await user.open(f'/c/{card.token}')
    await post(user, '最初の文')
    await user.should_see(marker='sent')
    user.find(marker='note-input').type('と追記')
    await user.should_not_see(marker='sent')


async def test_card_page_prefills_earlier_text(user: User) -> None:
    card = make_card()
    runtime.store().submit_card_text(card.token, '前に送った文')
    await user.open(f'/c/{card.token}')
    await user.should_see(marker='will-update', content='前の内容を書きかえます')
    note_input = user.find(marker='note-input').elements.pop()
    assert note_input.value == '前に送った文'


async def test_card_page_new_card_has_no_update_hint(user: User) -> None:
    card = make_card()
    await user.open(f'/c/{card.token}')
    await user.should_see(marker='note-input')
    await user.should_not_see(marker='will-update')


async def test_card_page_upper_case_route(user: User) -> None:
    card = make_card()
    await user.open(f'/C/{card.token.upper()}')
    await post(user, 'QRコードから')
    await user.should_see(marker='sent')
    assert runtime.store().card_note(card.id).text == 'QRコードから'


async def test_card_page_lower_case_token(user: User) -> None:
    card = make_card()
    await user.open(f'/c/{card.token.lower()}')
    await user.should_see(marker='card-code', content='A-001')


@pytest.mark.parametrize('kind', ['unknown', 'malformed', 'too short', 'join token', 'session join token'])
async def test_card_page_bad_token_is_404(user: User, kind: str) -> None:
    card = make_card()
    store = runtime.store()
    session = store.session(card.session_id)
    token = {
        'unknown': new_token(),
        'malformed': 'not-a-token-<script>',
        'too short': card.token[:-1],
        'join token': store.workshop(session.workshop_id).join_token,
        'session join token': session.join_token,
    }[kind]
    response = await user.http_client.get(f'/c/{token}')
    assert response.status_code == 404
    assert 'ページが見つかりません' in response.text
    assert 'カードに書いた' not in response.text
    assert store.notes(session.workshop_id) == []


async def test_card_page_404_in_english(user: User) -> None:
    response = await user.http_client.get(f'/c/{new_token()}', headers={'Accept-Language': 'en-US,en;q=0.9'})
    assert response.status_code == 404
    assert 'Page not found' in response.text


@pytest.mark.parametrize('note_text', ['', '   ', ' \n\n\t '])
async def test_card_page_rejects_empty_text(user: User, note_text: str) -> None:
    card = make_card()
    await user.open(f'/c/{card.token}')
    await post(user, note_text)
    await user.should_see('意見を入力してください。')
    await user.should_not_see(marker='sent')
    assert runtime.store().card_note(card.id) is None


async def test_card_page_rejects_too_long_text(user: User) -> None:
    card = make_card()
    limit = runtime.store().limits.note
    await user.open(f'/c/{card.token}')
    await post(user, 'あ' * (limit + 1))
    await user.should_see(f'{limit}文字まで')
    assert any(f'いま{limit + 1}文字' in message for message in user.notify.messages)
    assert runtime.store().card_note(card.id) is None
    note_input = user.find(marker='note-input').elements.pop()
    assert note_input.value == 'あ' * (limit + 1)  # the text stays, so the person can shorten it


async def test_card_page_accepts_text_at_limit(user: User) -> None:
    card = make_card()
    limit = runtime.store().limits.note
    await user.open(f'/c/{card.token}')
    await post(user, 'あ' * limit)
    await user.should_see(marker='sent')
    assert runtime.store().card_note(card.id).text == 'あ' * limit


async def test_card_page_counter_shows_limit(user: User) -> None:
    card = make_card()
    await user.open(f'/c/{card.token}')
    note_input = user.find(marker='note-input').elements.pop()
    limit = runtime.store().limits.note
    assert note_input.props['maxlength'] == str(limit)
    assert note_input.props['counter'] is True
    assert note_input.props['hint'] == f'{limit}文字まで'


@pytest.mark.parametrize('markup', ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>'])
async def test_card_page_stores_markup_as_text(user: User, markup: str) -> None:
    card = make_card()
    await user.open(f'/c/{card.token}')
    await post(user, markup)
    await user.should_see(marker='sent')
    assert runtime.store().card_note(card.id).text == markup

    await user.open(f'/c/{card.token}')
    note_input = user.find(marker='note-input').elements.pop()
    assert note_input.value == markup
    await user.should_not_see(kind=ui.html)


async def test_card_page_removes_control_characters(user: User) -> None:
    card = make_card()
    await user.open(f'/c/{card.token}')
    await post(user, 'a\x00b\x07c\u202ed\u200be')
    await user.should_see(marker='sent')
    assert runtime.store().card_note(card.id).text == 'abcde'


async def test_card_page_double_click_stores_once(user: User) -> None:
    card = make_card()
    await user.open(f'/c/{card.token}')
    user.find(marker='note-input').type('一度だけ')
    button = user.find(marker='post-button')
    button.click()
    button.click()
    await user.should_see(marker='sent')
    workshop_id = runtime.store().session(card.session_id).workshop_id
    assert len(runtime.store().notes(workshop_id)) == 1


async def test_card_page_english(user: User) -> None:
    card = make_card()
    await user.open(f'/c/{card.token}?lang=en')
    await user.should_see(kind=ui.button, content='Post')
    await user.should_see('Please type what is written on the card.')
    await user.should_see(marker='card-code', content='Card A-001')
    await post(user, 'In English')
    await user.should_see(marker='sent', content='Sent. It will appear on the board.')


async def test_card_page_error_stays_under_box(user: User) -> None:
    card = make_card()
    await user.open(f'/c/{card.token}')
    await post(user, ' ')
    await user.should_see('意見を入力してください。')
    note_input = user.find(marker='note-input').elements.pop()
    assert note_input.error == '意見を入力してください。'
    user.find(marker='note-input').type('直しました')
    assert note_input.error is None


async def test_photo_only_card_has_no_update_hint(user: User) -> None:
    from PIL import Image

    from workshop.scan.images import encode
    from workshop.scans_store import ScanStore

    store = runtime.store()
    created = store.create_workshop('対話会', sessions=[('観光', '')])
    card = store.create_cards(created.sessions[0].id, 1)[0]
    ScanStore(store).attach_image(card.id, encode(Image.new('RGB', (400, 200), (200, 200, 200))))
    await user.open(f'/c/{card.token}')
    await user.should_see(marker='post-button')
    await user.should_not_see(marker='will-update')
