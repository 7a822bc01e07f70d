"""The facilitator page: secret link, live counts, card sheets, minutes and exports."""
import json

from nicegui.testing import User

from sessions import runtime
from workshop.model import NewWorkshop


def create_workshop() -> NewWorkshop:
    return runtime.store().create_workshop('壱岐市 対話会', venue='壱岐の島ホール', question='10年後の壱岐は？',
                                           sessions=[('観光', ''), ('子育て', '')])


async def test_secret_link_opens_page(user: User) -> None:
    created = create_workshop()
    await user.open(f'/f/{created.facilitator_key}')
    await user.should_see(marker='workshop-title')
    await user.should_see('10年後の壱岐は？')
    await user.should_see(marker='join-A')


async def test_lower_case_key_opens_page(user: User) -> None:
    created = create_workshop()
    await user.open(f'/f/{created.facilitator_key.lower()}')
    await user.should_see(marker='workshop-title')


async def test_wrong_key_is_not_found(user: User) -> None:
    created = create_workshop()
    for key in ['A' * 32, 'not-a-key', created.workshop.join_token, created.workshop.id]:
        response = await user.http_client.get(f'/f/{key}')
        assert response.status_code == 404, key
        assert 'ページが見つかりません' in response.text, key


async def test_counts_follow_new_notes(user: User) -> None:
    created = create_workshop()
    store = runtime.store()
    await user.open(f'/f/{created.facilitator_key}')
    await user.should_see('意見 0件（紙 0件 ／ オンライン 0件）')

    participant = store.create_participant(created.workshop.id)
    store.post_note(created.sessions[0].id, participant.id, '港にベンチを')
    card = store.create_cards(created.sessions[1].id, 1)[0]
    store.submit_card_text(card.token, '屋内の遊び場')
    store.submit_card_text(card.token, '屋内の遊び場がほしい')
    await user.should_see('意見 2件（紙 1件 ／ オンライン 1件）')


async def test_card_sheets_download(user: User) -> None:
    created = create_workshop()
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='make-cards').click()
    response = await user.download.next(timeout=10)
    assert response.content.startswith(b'%PDF')
    assert len(runtime.store().cards(created.workshop.id)) == 20


async def test_card_sheets_for_one_session(user: User) -> None:
    created = create_workshop()
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='card-session').elements.pop().set_value(created.sessions[1].id)
    user.find(marker='card-sheets').elements.pop().set_value(2)
    user.find(marker='make-cards').click()
    await user.download.next(timeout=10)
    codes = [card.code for card in runtime.store().cards(created.workshop.id)]
    assert len(codes) == 20
    assert codes[0] == 'B-001'


async def test_minutes_download(user: User) -> None:
    created = create_workshop()
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='minutes').click()
    response = await user.download.next(timeout=10)
    assert response.content.startswith(b'%PDF')


async def test_json_export_download(user: User) -> None:
    created = create_workshop()
    participant = runtime.store().create_participant(created.workshop.id, 'うに')
    runtime.store().post_note(created.sessions[0].id, participant.id, '<script>alert(1)</script>')
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='export-json').click()
    response = await user.download.next()
    data = json.loads(response.content)
    assert data['workshop']['id'] == created.workshop.id
    assert data['notes'][0]['text'] == '<script>alert(1)</script>'


async def test_csv_export_download(user: User) -> None:
    created = create_workshop()
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='export-csv').click()
    response = await user.download.next()
    assert response.content.startswith('\ufeffnote_id,session'.encode('utf-8'))


async def test_join_poster_downloads(user: User) -> None:
    created = create_workshop()
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='poster-pdf-join-A').click()
    pdf = await user.download.next(timeout=10)
    assert pdf.content.startswith(b'%PDF')
    user.find(marker='poster-png-join-all').click()
    png = await user.download.next(timeout=10)
    assert png.content.startswith(b'\x89PNG')
