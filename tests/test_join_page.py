"""The join page: a remote resident picks a session, optionally names themself, and posts notes."""
import asyncio
from collections.abc import Callable

import pytest
from nicegui import ui
from nicegui.testing import User

from sessions import runtime
from workshop.model import NewWorkshop, Source
from workshop.tokens import new_token


def make_workshop(title: str = '対話会') -> NewWorkshop:
    """Create a workshop with the sessions 観光 and 子育て in the running app's store."""
    return runtime.store().create_workshop(
        title, question='10年後の町は？',
        sessions=[('観光', '島を訪れる人に何を？'), ('子育て', '子育てしやすい町とは？')])


async def post(user: User, note_text: str) -> None:
    """Type a text into the page's empty note box and press 投稿する."""
    user.find(marker='note-input').clear().type(note_text)
    user.find(marker='post-button').click()


def my_note_texts(user: User) -> list[str]:
    """Return the texts under "your notes", top to bottom, or none before the page has built the list."""
    try:
        note_list = user.find(marker='my-notes').elements.pop()
    except AssertionError:  # nothing marked my-notes yet
        return []
    return [child.text for child in note_list.default_slot.children]


async def wait_for_notes(user: User, count: int) -> None:
    """Wait until "your notes" lists the given number of notes, which happens only after the store returned."""
    for _ in range(30):
        if len(my_note_texts(user)) >= count:
            return
        await asyncio.sleep(0.1)  # let the send's worker thread and handler finish
    raise AssertionError(f'expected {count} notes under "your notes", found {my_note_texts(user)}')


async def test_join_workshop_token_shows_chooser(user: User) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.workshop.join_token}')
    await user.should_see('参加するテーマを選んでください')
    choices = user.find(marker='session-choice').elements
    assert len(choices) == 2
    await user.should_see(kind=ui.label, content='子育てしやすい町とは？')
    await user.should_not_see(marker='note-input')


async def test_join_choose_session_then_post(user: User) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.workshop.join_token}')
    user.find(marker='session-B').click()
    await user.should_see(marker='session-name', content='子育て')
    await user.should_see(marker='question', content='子育てしやすい町とは？')
    await post(user, '病児保育を島の中で')
    await wait_for_notes(user, 1)
    await user.should_see('送信しました')

    notes = runtime.store().notes(created.workshop.id)
    assert len(notes) == 1
    assert notes[0].text == '病児保育を島の中で'
    assert notes[0].session_id == created.sessions[1].id
    assert notes[0].source == Source.ONLINE
    assert notes[0].participant_id is not None


async def test_join_success_clears_box_and_lists_note(user: User) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.sessions[0].join_token}')
    await post(user, '港に案内所を')
    await wait_for_notes(user, 1)
    assert user.find(marker='note-input').elements.pop().value == ''
    assert my_note_texts(user) == ['港に案内所を']


async def test_join_session_token_skips_chooser(user: User) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.sessions[1].join_token}')
    await user.should_not_see(marker='session-choice')
    await user.should_not_see(marker='change-session')
    await user.should_see(marker='session-name', content='子育て')
    await post(user, '屋内の遊び場')
    await wait_for_notes(user, 1)
    assert runtime.store().notes(created.workshop.id)[0].session_id == created.sessions[1].id


async def test_join_change_session_link(user: User) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.workshop.join_token}?session={created.sessions[0].id}')
    await user.should_see(marker='session-name', content='観光')
    user.find(marker='change-session').click()
    await user.should_see(marker='session-choice')


async def test_join_one_session_needs_no_choice(user: User) -> None:
    created = runtime.store().create_workshop('小さな会', sessions=[('全体', '町の未来は？')])
    await user.open(f'/j/{created.workshop.join_token}')
    await user.should_not_see(marker='session-choice')
    await user.should_see(marker='question', content='町の未来は？')


async def test_join_other_workshops_session_shows_chooser(user: User) -> None:
    created = make_workshop()
    other = make_workshop('別の会')
    await user.open(f'/j/{created.workshop.join_token}?session={other.sessions[0].id}')
    await user.should_see(marker='session-choice')
    await user.should_not_see(marker='note-input')


async def test_join_language_switch_keeps_session(user: User) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.workshop.join_token}?session={created.sessions[1].id}')
    user.find(marker='language-switch').click()
    await user.should_see(kind=ui.button, content='Post')
    await user.should_see(marker='session-name', content='子育て')


async def test_join_upper_case_route(user: User) -> None:
    created = make_workshop()
    await user.open(f'/J/{created.sessions[0].join_token.upper()}')
    await post(user, '大文字のQRから')
    await wait_for_notes(user, 1)
    assert runtime.store().notes(created.workshop.id)[0].text == '大文字のQRから'


@pytest.mark.parametrize('kind', ['unknown', 'malformed', 'card token', 'workshop id'])
async def test_join_bad_token_is_404(user: User, kind: str) -> None:
    created = make_workshop()
    store = runtime.store()
    token = {
        'unknown': new_token(),
        'malformed': '%3Cscript%3E',
        'card token': store.create_cards(created.sessions[0].id, 1)[0].token,
        'workshop id': created.workshop.id,
    }[kind]
    response = await user.http_client.get(f'/j/{token}')
    assert response.status_code == 404
    assert 'ページが見つかりません' in response.text
    assert 'ニックネーム' not in response.text
    assert store.notes(created.workshop.id) == []


async def test_join_reload_keeps_participant(user: User) -> None:
    created = make_workshop()
    path = f'/j/{created.sessions[0].join_token}'
    await user.open(path)
    await post(user, '一つ目')
    await wait_for_notes(user, 1)

    await user.open(path)
    assert my_note_texts(user) == ['一つ目']
    await post(user, '二つ目')
    await wait_for_notes(user, 2)

    notes = runtime.store().notes(created.workshop.id)
    assert len(notes) == 2
    assert notes[0].participant_id == notes[1].participant_id


async def test_join_other_browser_is_other_participant(user: User, create_user: Callable[[], User]) -> None:
    created = make_workshop()
    path = f'/j/{created.sessions[0].join_token}'
    await user.open(path)
    await post(user, '一人目')
    await wait_for_notes(user, 1)

    second = create_user()
    await second.open(path)
    assert my_note_texts(second) == []
    await post(second, '二人目')
    await wait_for_notes(second, 1)

    notes = runtime.store().notes(created.workshop.id)
    assert notes[0].participant_id != notes[1].participant_id


async def test_join_lists_newest_first(user: User) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.sessions[0].join_token}')
    await post(user, '古い意見')
    await wait_for_notes(user, 1)
    await post(user, '新しい意見')
    await wait_for_notes(user, 2)
    assert my_note_texts(user) == ['新しい意見', '古い意見']


async def test_join_lists_only_this_sessions_notes(user: User) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.sessions[0].join_token}')
    await post(user, '観光の意見')
    await wait_for_notes(user, 1)
    await user.open(f'/j/{created.sessions[1].join_token}')
    assert my_note_texts(user) == []


async def test_join_anonymous_by_default(user: User) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.sessions[0].join_token}')
    await post(user, '名前なし')
    await wait_for_notes(user, 1)
    note = runtime.store().notes(created.workshop.id)[0]
    assert note.nickname == ''


async def test_join_stores_nickname(user: User) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.sessions[0].join_token}')
    user.find(marker='nickname-input').type('うに')
    await post(user, '海女さんの漁を見たい')
    await wait_for_notes(user, 1)
    participant_id = runtime.store().notes(created.workshop.id)[0].participant_id
    assert runtime.store().participant(participant_id).nickname == 'うに'


async def test_join_renames_participant(user: User) -> None:
    created = make_workshop()
    path = f'/j/{created.sessions[0].join_token}'
    await user.open(path)
    user.find(marker='nickname-input').type('うに')
    await post(user, '一つ目')
    await wait_for_notes(user, 1)

    await user.open(path)
    assert user.find(marker='nickname-input').elements.pop().value == 'うに'
    user.find(marker='nickname-input').clear().type('たけし')
    await post(user, '二つ目')
    await wait_for_notes(user, 2)
    participant_id = runtime.store().notes(created.workshop.id)[0].participant_id
    assert runtime.store().participant(participant_id).nickname == 'たけし'


async def test_join_rejects_long_nickname(user: User) -> None:
    created = make_workshop()
    limit = runtime.store().limits.nickname
    await user.open(f'/j/{created.sessions[0].join_token}')
    user.find(marker='nickname-input').type('な' * (limit + 1))
    await post(user, '意見はある')
    await user.should_see(f'ニックネームは{limit}文字まで')
    assert runtime.store().notes(created.workshop.id) == []
    nickname_input = user.find(marker='nickname-input').elements.pop()
    assert nickname_input.error.startswith(f'ニックネームは{limit}文字まで')
    assert user.find(marker='note-input').elements.pop().value == '意見はある'


@pytest.mark.parametrize('note_text', ['', '  ', '\n\u3000\n'])
async def test_join_rejects_empty_note(user: User, note_text: str) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.sessions[0].join_token}')
    await post(user, note_text)
    await user.should_see('意見を入力してください。')
    assert runtime.store().notes(created.workshop.id) == []
    assert runtime.store().participant_count(created.workshop.id) == 0


async def test_join_rejects_too_long_note(user: User) -> None:
    created = make_workshop()
    limit = runtime.store().limits.note
    await user.open(f'/j/{created.sessions[0].join_token}')
    await post(user, 'い' * (limit + 1))
    await user.should_see(f'意見は{limit}文字まで')
    assert runtime.store().notes(created.workshop.id) == []


@pytest.mark.parametrize('markup', ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>'])
async def test_join_shows_markup_as_text(user: User, markup: str) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.sessions[0].join_token}')
    user.find(marker='nickname-input').type(markup[:20])
    await post(user, markup)
    await wait_for_notes(user, 1)

    note = runtime.store().notes(created.workshop.id)[0]
    assert note.text == markup
    assert note.nickname == markup[:20]
    labels = user.find(kind=ui.label, marker='my-note').elements
    assert [label.text for label in labels] == [markup]
    await user.should_not_see(kind=ui.html)
    await user.should_not_see(kind=ui.markdown)


async def test_join_removes_control_characters(user: User) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.sessions[0].join_token}')
    user.find(marker='nickname-input').type('う\x00に\u202e')
    await post(user, 'a\x00b\x07c\u202ed\u200be')
    await wait_for_notes(user, 1)
    note = runtime.store().notes(created.workshop.id)[0]
    assert note.text == 'abcde'
    assert note.nickname == 'うに'
    assert my_note_texts(user) == ['abcde']


async def test_join_double_click_posts_once(user: User) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.sessions[0].join_token}')
    user.find(marker='note-input').type('一度だけ')
    button = user.find(marker='post-button')
    button.click()
    button.click()
    await wait_for_notes(user, 1)
    await user.should_see('送信しました')
    assert len(runtime.store().notes(created.workshop.id)) == 1
    assert runtime.store().db['participants'].count == 1


async def test_join_english(user: User) -> None:
    created = make_workshop()
    await user.open(f'/j/{created.workshop.join_token}?lang=en')
    await user.should_see('Please choose a theme')
    user.find(marker='session-A').click()
    await user.should_see(kind=ui.button, content='Post')
    await user.should_see(kind=ui.input, content='Nickname (optional)')
    await post(user, 'In English')
    await wait_for_notes(user, 1)
    await user.should_see('Sent')
    await user.should_see('Your notes')
