"""The public board image route, over real HTTP against ``python run.py`` on 127.0.0.1."""
from pathlib import Path

import httpx
from PIL import Image

from chromium import running_server
from workshop.model import Card, NewWorkshop, NoteStatus
from workshop.scan.images import encode
from workshop.scans_store import ScanStore
from workshop.store import Store


def attach(store: Store, card_id: int, shade: int) -> int:
    """Attach a plain grey picture to the card and return the new image's id."""
    note = ScanStore(store).attach_image(card_id, encode(Image.new('RGB', (400, 200), (shade, shade, shade))))
    return note.image_id


def scanned_card(store: Store, workshop: NewWorkshop) -> tuple[Card, str]:
    """Create a card with a scanned picture and return it with the URL the board shows the picture by."""
    [card] = store.create_cards(workshop.sessions[0].id, 1)
    image_id = attach(store, card.id, 200)
    return card, f'/board/{workshop.workshop.id}/images/{image_id}.webp'


def board_images(store: Store, created: NewWorkshop, other: NewWorkshop) -> dict[str, tuple[str, int | str]]:
    """Return a (workshop id, image id) pair for each case the board route must tell apart."""
    cards = store.create_cards(created.sessions[0].id, 4)
    [other_card] = store.create_cards(other.sessions[0].id, 1)
    scans = ScanStore(store)

    visible = attach(store, cards[0].id, 200)
    held = attach(store, cards[1].id, 190)
    scans.transcribe(store.card_note(cards[1].id).id, '電話は 090-1234-5678 まで')
    hidden = attach(store, cards[2].id, 180)
    store.set_note_status(store.card_note(cards[2].id).id, NoteStatus.HIDDEN)
    replaced = attach(store, cards[3].id, 170)
    current = attach(store, cards[3].id, 160)
    others = attach(store, other_card.id, 150)

    assert store.card_note(cards[1].id).status is NoteStatus.HELD
    return {
        'visible': (created.workshop.id, visible),
        'rescanned': (created.workshop.id, current),
        'other workshop on its own board': (other.workshop.id, others),
        'held': (created.workshop.id, held),
        'hidden': (created.workshop.id, hidden),
        'replaced': (created.workshop.id, replaced),
        'other workshop': (created.workshop.id, others),
        'visible on another board': (other.workshop.id, visible),
        'missing': (created.workshop.id, others + 1000),
        'not a number': (created.workshop.id, 'abc'),
        'beyond SQLite integers': (created.workshop.id, '9' * 23),
        'zero': (created.workshop.id, 0),
    }


SERVED = {'visible', 'rescanned', 'other workshop on its own board'}


def test_board_serves_only_visible_current_images(store: Store, workshop: NewWorkshop, data_dir: Path) -> None:
    other = store.create_workshop('別の対話会', sessions=[('交通', '')])
    cases = board_images(store, workshop, other)

    with running_server(data_dir) as url, httpx.Client(base_url=url, trust_env=False) as client:
        responses = {name: client.get(f'/board/{board}/images/{image}.webp') for name, (board, image) in cases.items()}

    missing = responses['missing']
    for name, response in responses.items():
        if name in SERVED:
            assert response.status_code == 200, name
            assert response.headers['content-type'] == 'image/webp', name
            assert response.content[8:12] == b'WEBP', name
            assert response.headers['cache-control'] == 'private, no-cache', name
        else:
            assert response.status_code == 404, name
            assert response.content == b'', name
            assert response.headers['cache-control'] == 'no-store', name
            assert sorted(response.headers.keys()) == sorted(missing.headers.keys()), name


def test_held_image_stops_at_once(store: Store, workshop: NewWorkshop, data_dir: Path) -> None:
    card, image_url = scanned_card(store, workshop)

    with running_server(data_dir) as url, httpx.Client(base_url=url, trust_env=False) as client:
        before = client.get(image_url)
        store.set_note_status(store.card_note(card.id).id, NoteStatus.HELD)
        held = client.get(image_url)
        store.set_note_status(store.card_note(card.id).id, NoteStatus.VISIBLE)
        shown_again = client.get(image_url)

    assert before.status_code == 200
    assert held.status_code == 404
    assert shown_again.status_code == 200


def test_revalidation_returns_304_only_while_shown(store: Store, workshop: NewWorkshop, data_dir: Path) -> None:
    card, image_url = scanned_card(store, workshop)

    with running_server(data_dir) as url, httpx.Client(base_url=url, trust_env=False) as client:
        first = client.get(image_url)
        tag = first.headers['etag']
        again = client.get(image_url, headers={'If-None-Match': tag})
        other_tag = client.get(image_url, headers={'If-None-Match': '"another-file"'})
        listed = [client.get(image_url, headers={'If-None-Match': header}).status_code
                  for header in (f'W/{tag}', f'"another-file", {tag}', '*')]
        store.set_note_status(store.card_note(card.id).id, NoteStatus.HELD)
        held = client.get(image_url, headers={'If-None-Match': tag})

    assert first.status_code == 200
    assert again.status_code == 304
    assert again.content == b''
    assert again.headers['cache-control'] == 'private, no-cache'
    assert other_tag.status_code == 200
    assert other_tag.content == first.content
    assert listed == [304, 304, 304]  # a weak tag, a list and "*" match, as RFC 9110 defines
    # A held note's image must not even be confirmed to a browser that still has it.
    assert held.status_code == 404
