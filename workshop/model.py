"""The domain: workshops, their sessions, printed cards, participants and notes."""
from dataclasses import dataclass
from enum import StrEnum


class NoteStatus(StrEnum):
    """Whether the board shows a note: held notes wait for a facilitator because they may carry personal data."""

    VISIBLE = 'visible'
    HELD = 'held'
    HIDDEN = 'hidden'


class Source(StrEnum):
    """The input stream of a note: a printed card or the join link."""

    PAPER = 'paper'
    ONLINE = 'online'


@dataclass(frozen=True)
class Workshop:
    """One 対話会: its title, date, venue and main question."""

    id: str
    title: str
    date: str
    venue: str
    question: str
    join_token: str
    created_at: str


@dataclass(frozen=True)
class Session:
    """A table or theme of a workshop, with its own question and join link."""

    id: int
    workshop_id: str
    position: int
    letter: str
    name: str
    question: str
    join_token: str


@dataclass(frozen=True)
class Card:
    """A printed card, bound to one session by its token."""

    id: int
    session_id: int
    number: int
    code: str
    token: str


@dataclass(frozen=True)
class Participant:
    """A remote resident, anonymous unless a nickname is given."""

    id: str
    workshop_id: str
    nickname: str


@dataclass(frozen=True)
class Note:
    """One idea on the board, from paper or online, with the names a board shows beside it."""

    id: int
    workshop_id: str
    session_id: int
    source: Source
    text: str
    created_at: str
    updated_at: str
    card_id: int | None = None
    card_code: str | None = None
    participant_id: str | None = None
    nickname: str = ''
    image_id: int | None = None  # the current handwriting image of a scanned or photographed card
    status: NoteStatus = NoteStatus.VISIBLE
    image_size: tuple[int, int] | None = None  # width and height in px of the current image

    @property
    def needs_transcription(self) -> bool:
        """Tell whether the note is a handwriting image without typed text."""
        return self.image_id is not None and not self.text


@dataclass(frozen=True)
class NewWorkshop:
    """A workshop just created, with the facilitator key that is shown only this once."""

    workshop: Workshop
    sessions: list[Session]
    facilitator_key: str


@dataclass(frozen=True)
class NoteChanged:
    """The event the store emits after a note's commit; ``created`` is False for an update."""

    note: Note
    created: bool
    scanned: bool = False  # the commit filed a scanned or photographed image, as a scan batch does dozens of times a second
