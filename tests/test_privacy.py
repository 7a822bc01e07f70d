"""Notes that look like phone numbers, e-mail addresses or street addresses are held for review."""
from collections.abc import Callable

import pytest
from nicegui.testing import User

from sessions import runtime
from workshop.model import NewWorkshop, NoteStatus
from workshop.privacy import personal_data_kinds
from workshop.store import Store


@pytest.mark.parametrize('text, kinds', [
    ('連絡は090-1234-5678まで', ['phone']),
    ('０９０－１２３４－５６７８に電話を', ['phone']),
    ('09012345678', ['phone']),
    ('市役所 0920-47-1111', ['phone']),
    ('+81 90 1234 5678', ['phone']),
    ('taro.iki@example.jp に送って', ['email']),
    ('ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ', ['email']),
    ('〒811-5192 のあたり', ['address']),
    ('壱岐市郷ノ浦町本村触562番地に住んでいます', ['address']),
    ('長崎県壱岐市芦辺町箱崎中山触2-3', ['address']),
    ('東京都千代田区永田町1丁目7番1号', ['address']),
])
def test_personal_data_found(text: str, kinds: list[str]) -> None:
    assert personal_data_kinds(text) == kinds


@pytest.mark.parametrize('text', [
    '駅前に屋根付きの駐輪場がほしい',
    '10年後の壱岐を考える',
    '2026年に100人規模のイベントを',
    'バスを1時間に2本に増やしてほしい',
    '壱岐市の観光をもっと盛り上げたい',
    '子ども3人を育てています',
    '8時から17時まで開けてほしい',
])
def test_ordinary_notes_pass(text: str) -> None:
    assert personal_data_kinds(text) == []


def test_personal_note_held(store: Store, workshop: NewWorkshop) -> None:
    participant = store.create_participant(workshop.workshop.id)
    note = store.post_note(workshop.sessions[0].id, participant.id, '詳しくは090-1234-5678へ')
    assert note.status is NoteStatus.HELD
    assert store.notes(workshop.workshop.id, status=NoteStatus.VISIBLE) == []


def test_card_update_with_phone_held(store: Store, workshop: NewWorkshop) -> None:
    card = store.create_cards(workshop.sessions[0].id, 1)[0]
    assert store.submit_card_text(card.token, 'ベンチがほしい').status is NoteStatus.VISIBLE
    assert store.submit_card_text(card.token, 'ベンチがほしい 0920-11-2233').status is NoteStatus.HELD
    assert store.submit_card_text(card.token, 'ベンチがほしい').status is NoteStatus.VISIBLE


def test_hidden_note_stays_hidden(store: Store, workshop: NewWorkshop) -> None:
    card = store.create_cards(workshop.sessions[0].id, 1)[0]
    note = store.submit_card_text(card.token, 'taro@example.jp')
    store.set_note_status(note.id, NoteStatus.HIDDEN, '個人情報のおそれ')
    assert store.submit_card_text(card.token, '書きなおし').status is NoteStatus.HIDDEN
    reason = store.query('SELECT status_reason FROM notes WHERE id = ?', (note.id,))[0][0]
    assert reason == '個人情報のおそれ'


async def test_held_note_reaches_board_after_review(user: User, create_user: Callable[[], User]) -> None:
    store = runtime.store()
    created = store.create_workshop('対話会', sessions=[('観光', '')])
    board = create_user()
    await board.open(f'/board/{created.workshop.id}')
    await user.open(f'/f/{created.facilitator_key}')
    await user.should_see(marker='review-empty')

    participant = store.create_participant(created.workshop.id)
    store.post_note(created.sessions[0].id, participant.id, '電話は090-1234-5678です')
    await user.should_see(marker='held-note')
    await board.should_not_see(marker='note')

    user.find(marker='show-note').click()
    await board.should_see(marker='note')
    await user.should_not_see(marker='held-note')


async def test_hidden_note_leaves_board(user: User, create_user: Callable[[], User]) -> None:
    store = runtime.store()
    created = store.create_workshop('対話会', sessions=[('観光', '')])
    card = store.create_cards(created.sessions[0].id, 1)[0]
    store.submit_card_text(card.token, '港にベンチを')
    board = create_user()
    await board.open(f'/board/{created.workshop.id}')
    await board.should_see(marker='note')

    store.submit_card_text(card.token, '港にベンチを 〒811-5192')
    await board.should_not_see(marker='note')
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='hide-note').click()
    await user.should_not_see(marker='held-note')
    assert store.note(store.card_note(card.id).id).status is NoteStatus.HIDDEN
