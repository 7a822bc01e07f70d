"""Script-injection payloads in every field that shows user text never run in a real browser."""
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from chromium import running_server
from workshop import text
from workshop.config import Limits
from workshop.store import Store
from xss_payloads import EVIDENCE_SCRIPT, PAYLOADS, fitting

pytestmark = pytest.mark.browser


def seed(data_dir: Path) -> dict[str, str]:
    """Store every payload in workshop titles, session names and questions, nicknames and notes."""
    limits = Limits()
    store = Store(data_dir / 'fusen.db', Limits(notes_per_minute=0))
    titles = fitting(limits.title)
    # Two payloads can clean to the same session name (a control character removed), so keep one of each.
    names = list(dict.fromkeys(text.clean(name) for name in fitting(limits.session_name)))
    created = store.create_workshop(
        titles[0], venue=fitting(limits.venue)[1], question=PAYLOADS[2],
        sessions=[(name, question) for name, question in zip(names, fitting(limits.question))])
    for title in titles[1:]:
        store.create_workshop(title, sessions=[('観光', '')])
    sessions = created.sessions
    card = store.create_cards(sessions[0].id, 1)[0]
    store.submit_card_text(card.token, PAYLOADS[0])
    nicknames = fitting(limits.nickname)
    for number, payload in enumerate(fitting(limits.note)):
        participant = store.create_participant(created.workshop.id, nicknames[number % len(nicknames)])
        store.post_note(sessions[number % len(sessions)].id, participant.id, payload)
    pages = {
        'board': f'/board/{created.workshop.id}',
        'facilitator': f'/f/{created.facilitator_key}',
        'card': f'/c/{card.token}',
        'join': f'/j/{created.workshop.join_token}',
        'join-session': f'/j/{sessions[1].join_token}',
    }
    store.close()
    return pages


def test_payloads_never_run(browser: Browser, data_dir: Path) -> None:
    assert len(PAYLOADS) >= 50
    pages = seed(data_dir)
    dialogs: list[str] = []
    with running_server(data_dir) as url:
        context = browser.new_context(locale='ja-JP', viewport={'width': 1920, 'height': 1080})
        page = context.new_page()
        page.on('dialog', lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for name, path in pages.items():
            page.goto(url + path)
            page.wait_for_timeout(500)
            assert_clean(page, name)
        post_payloads_as_participant(page, url + pages['join-session'])
        assert_clean(page, 'join after posting')
        context.close()
    assert dialogs == []


def post_payloads_as_participant(page: Page, join_url: str) -> None:
    """Type payloads into the join page's nickname and note boxes, as an attacker at home would."""
    page.goto(join_url)
    page.get_by_label('ニックネーム').fill(fitting(Limits().nickname)[0])
    for payload in PAYLOADS[:5]:
        page.locator('textarea').fill(payload)
        page.get_by_role('button', name='投稿する').click()
        page.wait_for_timeout(200)
    page.reload()
    page.wait_for_timeout(500)


def assert_clean(page: Page, name: str) -> None:
    evidence = page.evaluate(EVIDENCE_SCRIPT)
    assert evidence['flag'] is False, name
    assert evidence['marked'] == 0, name
