"""A sample workshop in Japanese, for ``python run.py --demo`` and for trying the board."""
from .model import NewWorkshop
from .store import Store

_SESSIONS = [
    ('観光', '島を訪れる人に、どんな体験をしてほしいですか？'),
    ('子育て', '子どもを育てやすい町にするには、何が必要ですか？'),
    ('移住・定住', '若い世代が住み続けたくなる町とは？'),
]
_PAPER_NOTES = [
    (0, '港から観光地までの案内板をもっと分かりやすく'),
    (1, '雨の日でも遊べる屋内の遊び場がほしい'),
]
_ONLINE_NOTES = [
    (0, 'うに', '海女さんの漁を見学できるツアー'),
    (1, '', '病児保育を島内で受けられるようにしてほしい'),
    (2, 'たけし', '空き家バンクの情報をLINEで届けてほしい'),
]


def create_demo(store: Store) -> NewWorkshop:
    """Create the sample workshop with a few cards and notes from both streams."""
    created = store.create_workshop(
        '壱岐市 まちづくり対話会（デモ）', date='2026-12-05', venue='壱岐の島ホール 大会議室',
        question='10年後の壱岐を、どんな島にしたいですか？', sessions=_SESSIONS)
    sessions = created.sessions
    for index, text in _PAPER_NOTES:
        card = store.create_cards(sessions[index].id, 10)[0]
        store.submit_card_text(card.token, text)
    for index, nickname, text in _ONLINE_NOTES:
        participant = store.create_participant(created.workshop.id, nickname)
        store.post_note(sessions[index].id, participant.id, text)
    return created
