"""The set-up page creates a workshop and shows its facilitator link once."""
from nicegui import ui
from nicegui.testing import User

from sessions import runtime


async def fill_workshop(user: User, title: str, sessions: list[tuple[str, str]]) -> None:
    await user.open('/')
    user.find(marker='title').type(title)
    user.find(marker='venue').type('壱岐の島ホール')
    for _ in range(len(sessions) - 2):
        user.find(marker='add-session').click()
    for number, (name, question) in enumerate(sessions, start=1):
        user.find(marker=f'session-name-{number}').type(name)
        user.find(marker=f'session-question-{number}').type(question)


async def test_create_workshop_with_sessions(user: User) -> None:
    await fill_workshop(user, '壱岐市 対話会', [('観光', '島の魅力は？'), ('子育て', ''), ('移住', '')])
    user.find(marker='create').click()
    await user.should_see(marker='created')

    workshops = runtime.store().workshops()
    assert [workshop.title for workshop in workshops] == ['壱岐市 対話会']
    sessions = runtime.store().sessions(workshops[0].id)
    assert [session.name for session in sessions] == ['観光', '子育て', '移住']
    assert sessions[0].question == '島の魅力は？'


async def test_facilitator_link_opens_workshop(user: User) -> None:
    await fill_workshop(user, '公開の対話会', [('観光', ''), ('子育て', '')])
    user.find(marker='create').click()
    await user.should_see(marker='facilitator-link')

    link = user.find(kind=ui.link, marker='facilitator-link').elements.pop()
    workshop = runtime.store().workshop_by_facilitator_key(link.props['href'].rsplit('/', 1)[-1])
    assert workshop is not None
    assert workshop.title == '公開の対話会'


async def test_missing_title_rejected(user: User) -> None:
    await fill_workshop(user, '   ', [('観光', ''), ('子育て', '')])
    user.find(marker='create').click()
    await user.should_see('タイトルを入力してください。')
    assert runtime.store().workshops() == []


async def test_duplicate_session_names_rejected(user: User) -> None:
    await fill_workshop(user, '対話会', [('観光', ''), ('観光', '')])
    user.find(marker='create').click()
    await user.should_see('同じ名前のテーブルが2つあります。名前を変えてください。')
    assert runtime.store().workshops() == []


async def test_script_in_title_kept_as_text(user: User) -> None:
    title = '<script>alert(1)</script>対話会'
    await fill_workshop(user, title, [('<b>観光</b>', ''), ('子育て', '')])
    user.find(marker='create').click()
    await user.should_see(marker='created')
    assert runtime.store().workshops()[0].title == title
    assert runtime.store().sessions(runtime.store().workshops()[0].id)[0].name == '<b>観光</b>'


async def test_english_setup_page(user: User) -> None:
    await user.open('/?lang=en')
    await user.should_see('Create a new workshop')
    await user.should_see(marker='create')
    assert user.find(marker='create').elements.pop().text == 'Create'


async def test_setup_boxes_stop_at_limits(user: User) -> None:
    await user.open('/')
    limits = runtime.store().limits
    expected = {'title': limits.title, 'venue': limits.venue, 'question': limits.question,
                'session-name-1': limits.session_name, 'session-question-1': limits.question}
    for marker, limit in expected.items():
        box = user.find(marker=marker).elements.pop()
        assert box.props['maxlength'] == str(limit), marker
        assert box.props['counter'] is True, marker
