"""The SQLite store: every read and write of workshops, cards, participants and notes.

Connection strategy: one connection per store, opened with ``check_same_thread=False`` and used under
one lock, so page handlers on the event loop and worker threads never interleave statements. Each
write is one transaction. The store emits its event only after the commit returns, so a page that
shows "sent" can rely on the note being on disk.
"""
import logging
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from . import text, tokens
from .config import Limits
from .events import Hub
from .migrations import migrations
from .model import Card, NewWorkshop, Note, NoteChanged, NoteStatus, Participant, Session, Source, Workshop
from .privacy import personal_data_kinds
from .ratelimit import RateLimiter
from .scan.images import IMAGES_FOLDER, path_of

log = logging.getLogger(__name__)

_NOTE_QUERY = '''
    SELECT notes.*, cards.code AS card_code, COALESCE(participants.nickname, '') AS nickname,
           images.id AS image_id, images.width AS image_width, images.height AS image_height
    FROM notes
    LEFT JOIN cards ON cards.id = notes.card_id
    LEFT JOIN participants ON participants.id = notes.participant_id
    LEFT JOIN images ON images.note_id = notes.id AND images.replaced_at IS NULL
'''


# Every stored picture a workshop still refers to: card images (current and replaced) and leftovers.
_IMAGE_FILES_QUERY = '''
    SELECT file FROM images
    UNION SELECT file FROM leftovers
    UNION SELECT thumbnail FROM leftovers
'''


@dataclass(frozen=True)
class BackupResult:
    """The outcome of ``Store.backup``: the new folder, the database copy in it and the image files copied."""

    folder: Path
    database: Path
    images: int
    missing: list[str]  # names the database refers to that were not in the images folder


class NotFound(LookupError):
    """A workshop, session, card or participant that does not exist."""


class Store:
    """Fusen's data in one SQLite file, in WAL mode, with the schema migrated on open."""

    def __init__(self, path: Path, limits: Limits = Limits()) -> None:
        self.path = path
        self.limits = limits
        self.note_changed: Hub[NoteChanged] = Hub()
        self.note_limiter = RateLimiter(limits.notes_per_minute)
        self._lock = threading.RLock()
        connection = sqlite3.connect(str(path), check_same_thread=False, timeout=10)
        self.db = Database(connection)
        self.db.enable_wal()
        # FULL syncs the WAL on every commit, so an acknowledged note survives a power cut as well as a kill.
        self.db.execute('PRAGMA synchronous = FULL')
        self.db.execute('PRAGMA foreign_keys = ON')
        self.db.conn.row_factory = sqlite3.Row
        pending = [migration.name for migration in migrations.pending(self.db)]
        migrations.apply(self.db)
        if pending:
            log.info('applied migrations %s to %s', ', '.join(pending), path)

    def close(self) -> None:
        with self._lock:
            self.db.close()

    def backup(self, folder: Path) -> BackupResult:
        """Write a consistent copy of the database and the image files it refers to into a new folder.

        The database is copied with SQLite's online backup API, because copying fusen.db alone would miss
        commits that are still only in the WAL file. The images are copied afterwards, so every image the
        copy refers to was already on disk: a file is written before the transaction that records it.
        A failed backup removes the folder again.

        :raises FileExistsError: if the folder exists
        """
        folder.mkdir()
        try:
            database = folder / self.path.name
            copy = sqlite3.connect(str(database))
            try:
                with self._lock:
                    self.db.conn.backup(copy)
                names = sorted({row[0] for row in copy.execute(_IMAGE_FILES_QUERY)})
            finally:
                copy.close()
            result = BackupResult(folder, database, *_copy_images(self.path.parent, folder, names))
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        log.info('backed up %s and %d image files to %s', self.path, result.images, folder)
        if result.missing:
            log.warning('backup %s lacks %d image files that the database refers to: missing from %s',
                        folder, len(result.missing), self.path.parent / IMAGES_FOLDER)
        return result

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """Hold the store's lock and run the block as one transaction, for this module and its siblings."""
        with self._lock, self.db.atomic():
            yield self.db

    def query(self, sql: str, params: tuple | list = ()) -> list[sqlite3.Row]:
        """Run one read statement under the store's lock and return all its rows."""
        with self._lock:
            return self.db.execute(sql, params).fetchall()

    # Workshops and sessions

    def create_workshop(self, title: str, *, date: str = '', venue: str = '', question: str = '',
                        sessions: list[tuple[str, str]]) -> NewWorkshop:
        """Create a workshop and its sessions (name, question) in one transaction.

        :raises InvalidText: if a text is empty or too long, or no session is given
        """
        limits = self.limits
        values = {
            'title': text.checked(title, 'title', limits.title),
            'date': text.checked(date, 'date', 20, required=False),
            'venue': text.checked(venue, 'venue', limits.venue, required=False),
            'question': text.checked(question, 'question', limits.question, required=False, multiline=True),
        }
        cleaned_sessions = [
            (text.checked(name, 'session_name', limits.session_name),
             text.checked(session_question, 'question', limits.question, required=False, multiline=True))
            for name, session_question in sessions
        ]
        if not cleaned_sessions:
            raise text.InvalidText('error.no_sessions', 'sessions')
        names = [name for name, _ in cleaned_sessions]
        if len(set(names)) != len(names):
            raise text.InvalidText('error.duplicate_session', 'session_name')

        facilitator_key = tokens.new_token()
        now = _now()
        row = {'id': tokens.new_workshop_id(), **values, 'facilitator_key_hash': tokens.hash_secret(facilitator_key),
               'join_token': tokens.new_token(), 'created_at': now}
        with self.transaction() as db:
            db['workshops'].insert(row)
            for position, (name, session_question) in enumerate(cleaned_sessions):
                db['sessions'].insert({
                    'workshop_id': row['id'], 'position': position, 'letter': tokens.session_letter(position),
                    'name': name, 'question': session_question or values['question'],
                    'join_token': tokens.new_token(), 'created_at': now,
                })
        workshop = self.workshop(row['id'])
        log.info('created workshop %s with %d sessions', workshop.id, len(cleaned_sessions))
        return NewWorkshop(workshop=workshop, sessions=self.sessions(workshop.id), facilitator_key=facilitator_key)

    def workshop(self, workshop_id: str) -> Workshop:
        """:raises NotFound: if there is no workshop with this id"""
        rows = self.query('SELECT * FROM workshops WHERE id = ?', (workshop_id,))
        if not rows:
            raise NotFound(f'workshop {workshop_id!r} not found')
        return _workshop(rows[0])

    def find_workshop(self, workshop_id: str) -> Workshop | None:
        try:
            return self.workshop(workshop_id)
        except NotFound:
            return None

    def workshops(self) -> list[Workshop]:
        """Return all workshops, newest first."""
        return [_workshop(row) for row in self.query('SELECT * FROM workshops ORDER BY created_at DESC, id')]

    def workshop_by_facilitator_key(self, key: str) -> Workshop | None:
        """Return the workshop this facilitator key opens, or None for an unknown or malformed key."""
        canonical = tokens.normalize_token(key)
        if canonical is None:
            return None
        rows = self.query('SELECT * FROM workshops WHERE facilitator_key_hash = ?', (tokens.hash_secret(canonical),))
        return _workshop(rows[0]) if rows else None

    def resolve_join_token(self, token: str) -> tuple[Workshop, Session | None] | None:
        """Return the workshop a join token opens, with its session if the token is a session's own."""
        canonical = tokens.normalize_token(token)
        if canonical is None:
            return None
        rows = self.query('SELECT * FROM workshops WHERE join_token = ?', (canonical,))
        if rows:
            return _workshop(rows[0]), None
        rows = self.query('SELECT * FROM sessions WHERE join_token = ?', (canonical,))
        if rows:
            session = _session(rows[0])
            return self.workshop(session.workshop_id), session
        return None

    def sessions(self, workshop_id: str) -> list[Session]:
        return [_session(row) for row in
                self.query('SELECT * FROM sessions WHERE workshop_id = ? ORDER BY position', (workshop_id,))]

    def session(self, session_id: int) -> Session:
        """:raises NotFound: if there is no session with this id"""
        rows = self.query('SELECT * FROM sessions WHERE id = ?', (session_id,))
        if not rows:
            raise NotFound(f'session {session_id!r} not found')
        return _session(rows[0])

    def session_by_name(self, workshop_id: str, name: str) -> Session:
        """:raises NotFound: if the workshop has no session with this name"""
        for session in self.sessions(workshop_id):
            if session.name == name.strip():
                return session
        raise NotFound(f'workshop {workshop_id!r} has no session named {name!r}')

    # Cards

    def create_cards(self, session_id: int, count: int) -> list[Card]:
        """Create ``count`` more cards for a session, numbered after its existing ones.

        :raises ValueError: if the count is not positive or would pass the per-session limit
        """
        session = self.session(session_id)
        with self.transaction() as db:
            last = db.execute('SELECT COALESCE(MAX(number), 0) FROM cards WHERE session_id = ?',
                              (session_id,)).fetchone()[0]
            if count < 1 or last + count > self.limits.cards_per_session:
                raise ValueError(f'cannot create {count} cards for session {session_id}: it has {last}, '
                                 f'and the limit is {self.limits.cards_per_session}')
            now = _now()
            db['cards'].insert_all([{
                'session_id': session_id, 'number': number, 'code': tokens.card_code(session.letter, number),
                'token': tokens.new_token(), 'created_at': now,
            } for number in range(last + 1, last + count + 1)])
        log.info('created %d cards for session %d', count, session_id)
        return self.cards(session.workshop_id, session_id)[-count:]

    def cards(self, workshop_id: str, session_id: int | None = None) -> list[Card]:
        """Return the cards of a workshop, or of one of its sessions, by session and number."""
        sql = '''SELECT cards.* FROM cards JOIN sessions ON sessions.id = cards.session_id
                 WHERE sessions.workshop_id = ?'''
        params: list = [workshop_id]
        if session_id is not None:
            sql += ' AND cards.session_id = ?'
            params.append(session_id)
        return [_card(row) for row in self.query(sql + ' ORDER BY sessions.position, cards.number', params)]

    def card_by_token(self, token: str) -> Card | None:
        """Return the card of a token, or None for an unknown or malformed token."""
        canonical = tokens.normalize_token(token)
        if canonical is None:
            return None
        rows = self.query('SELECT * FROM cards WHERE token = ?', (canonical,))
        return _card(rows[0]) if rows else None

    # Participants

    def create_participant(self, workshop_id: str, nickname: str = '') -> Participant:
        """Create an anonymous participant, or one with a nickname.

        :raises InvalidText: if the nickname is too long
        :raises NotFound: if the workshop does not exist
        """
        self.workshop(workshop_id)
        row = {'id': secrets.token_hex(16), 'workshop_id': workshop_id,
               'nickname': text.checked(nickname, 'nickname', self.limits.nickname, required=False),
               'created_at': _now()}
        with self.transaction() as db:
            db['participants'].insert(row)
        return Participant(id=row['id'], workshop_id=workshop_id, nickname=row['nickname'])

    def participant(self, participant_id: str) -> Participant | None:
        rows = self.query('SELECT * FROM participants WHERE id = ?', (participant_id,))
        if not rows:
            return None
        return Participant(id=rows[0]['id'], workshop_id=rows[0]['workshop_id'], nickname=rows[0]['nickname'] or '')

    def rename_participant(self, participant_id: str, nickname: str) -> Participant:
        """Set or clear a participant's nickname.

        :raises InvalidText: if the nickname is too long
        :raises NotFound: if there is no such participant
        """
        value = text.checked(nickname, 'nickname', self.limits.nickname, required=False)
        with self.transaction() as db:
            changed = db.execute('UPDATE participants SET nickname = ? WHERE id = ?', (value, participant_id)).rowcount
        if not changed:
            raise NotFound(f'participant {participant_id!r} not found')
        participant = self.participant(participant_id)
        assert participant is not None
        return participant

    # Notes: both input streams write through the two functions below.

    def submit_card_text(self, card_token: str, note_text: str) -> Note:
        """Store the text of a paper card as its note: the first send creates it, later ones update it.

        :raises NotFound: if the token belongs to no card
        :raises InvalidText: if the text is empty or too long
        """
        card = self.card_by_token(card_token)
        if card is None:
            raise NotFound('card not found')
        value = text.checked(note_text, 'note', self.limits.note, multiline=True)
        self._check_rate(f'card:{card.id}')
        session = self.session(card.session_id)
        now = _now()
        with self.transaction() as db:
            existing = db.execute('SELECT id, status FROM notes WHERE card_id = ?', (card.id,)).fetchone()
            if existing:
                status = review_status(NoteStatus(existing['status']), value)
                db.execute('UPDATE notes SET text = ?, status = ?, updated_at = ? WHERE id = ?',
                           (value, status.value, now, existing['id']))
                note_id, created = existing['id'], False
            else:
                note_id = db['notes'].insert({
                    'workshop_id': session.workshop_id, 'session_id': session.id, 'source': Source.PAPER.value,
                    'card_id': card.id, 'text': value, 'created_at': now, 'updated_at': now,
                    'status': review_status(NoteStatus.VISIBLE, value).value,
                }).last_pk
                created = True
        return self._announce(note_id, created)

    def post_note(self, session_id: int, participant_id: str, note_text: str, *, request_key: str | None = None) -> Note:
        """Store a remote resident's note.

        A repeated ``request_key`` returns the note stored the first time, so a double tap or a resend
        after a reconnect never makes a second note.

        :raises NotFound: if the session or participant does not exist, or they belong to different workshops
        :raises InvalidText: if the text is empty or too long
        """
        session = self.session(session_id)
        participant = self.participant(participant_id)
        if participant is None or participant.workshop_id != session.workshop_id:
            raise NotFound(f'participant {participant_id!r} not found in workshop {session.workshop_id}')
        value = text.checked(note_text, 'note', self.limits.note, multiline=True)
        if request_key:
            earlier = self.query('SELECT id FROM notes WHERE request_key = ?', (request_key,))
            if earlier:
                return self.note(earlier[0]['id'])  # a resend does not count against the rate limit
        self._check_rate(f'participant:{participant_id}')
        now = _now()
        with self.transaction() as db:
            # Checked again under the lock, because two threads may both have passed the check above with one key.
            raced = db.execute('SELECT id FROM notes WHERE request_key = ?', (request_key,)).fetchone() \
                if request_key else None
            if raced is None:
                note_id = db['notes'].insert({
                    'workshop_id': session.workshop_id, 'session_id': session.id, 'source': Source.ONLINE.value,
                    'participant_id': participant_id, 'text': value, 'request_key': request_key or None,
                    'created_at': now, 'updated_at': now, 'status': review_status(NoteStatus.VISIBLE, value).value,
                }).last_pk
        if raced is not None:
            return self.note(raced['id'])
        return self._announce(note_id, True)

    def set_note_status(self, note_id: int, status: NoteStatus, reason: str = '') -> Note:
        """Show, hold or hide a note on the board, keeping the facilitator's reason.

        :raises NotFound: if there is no note with this id
        :raises InvalidText: if the reason is too long
        """
        value = text.checked(reason, 'reason', self.limits.question, required=False)
        with self.transaction() as db:
            changed = db.execute('UPDATE notes SET status = ?, status_reason = ?, updated_at = ? WHERE id = ?',
                                 (status.value, value or None, _now(), note_id)).rowcount
        if not changed:
            raise NotFound(f'note {note_id!r} not found')
        log.info('note %d is now %s', note_id, status.value)
        return self._announce(note_id, False)

    def note(self, note_id: int) -> Note:
        """:raises NotFound: if there is no note with this id"""
        rows = self.query(_NOTE_QUERY + ' WHERE notes.id = ?', (note_id,))
        if not rows:
            raise NotFound(f'note {note_id!r} not found')
        return _note(rows[0])

    def card_note(self, card_id: int) -> Note | None:
        rows = self.query(_NOTE_QUERY + ' WHERE notes.card_id = ?', (card_id,))
        return _note(rows[0]) if rows else None

    def notes(self, workshop_id: str, *, session_id: int | None = None, participant_id: str | None = None,
              status: NoteStatus | None = None) -> list[Note]:
        """Return a workshop's notes in the order they were first written, optionally filtered."""
        sql = _NOTE_QUERY + ' WHERE notes.workshop_id = ?'
        params: list = [workshop_id]
        if status is not None:
            sql += ' AND notes.status = ?'
            params.append(status.value)
        if session_id is not None:
            sql += ' AND notes.session_id = ?'
            params.append(session_id)
        if participant_id is not None:
            sql += ' AND notes.participant_id = ?'
            params.append(participant_id)
        return [_note(row) for row in self.query(sql + ' ORDER BY notes.id', params)]

    def participant_count(self, workshop_id: str) -> int:
        """Count the remote participants who posted at least one note."""
        rows = self.query('''SELECT COUNT(DISTINCT participant_id) FROM notes
                             WHERE workshop_id = ? AND participant_id IS NOT NULL''', (workshop_id,))
        return rows[0][0]

    def _check_rate(self, key: str) -> None:
        if not self.note_limiter.allow(key):
            seconds = max(1, round(self.note_limiter.retry_after(key)))
            log.warning('note rate limit reached for %s', key)
            raise text.InvalidText('error.rate_limited', 'note', limit=self.limits.notes_per_minute, seconds=seconds)

    def _announce(self, note_id: int, created: bool) -> Note:
        note = self.note(note_id)
        log.info('%s note %d in session %d from %s', 'created' if created else 'updated',
                 note.id, note.session_id, note.source.value)
        self.note_changed.emit(NoteChanged(note=note, created=created))
        return note


def review_status(current: NoteStatus, note_text: str) -> NoteStatus:
    """Return a note's status after its text changed: held if it may carry personal data.

    A hidden note stays hidden. A held note whose new text looks harmless goes on the board, because
    the personal data it was held for is gone.
    """
    if current is NoteStatus.HIDDEN:
        return current
    return NoteStatus.HELD if personal_data_kinds(note_text) else NoteStatus.VISIBLE


def _copy_images(data_dir: Path, folder: Path, names: list[str]) -> tuple[int, list[str]]:
    """Copy the named pictures into the backup's images folder and return the count copied and the names missing."""
    target = folder / IMAGES_FOLDER
    target.mkdir()
    copied, missing = 0, []
    for name in names:
        try:
            shutil.copy2(path_of(data_dir, name), target / name)
        except FileNotFoundError:
            missing.append(name)
        else:
            copied += 1
    return copied, missing


def _now() -> str:
    """Return the local time with its UTC offset, to the millisecond, so times sort and read naturally."""
    return datetime.now().astimezone().isoformat(timespec='milliseconds')


def _workshop(row: sqlite3.Row) -> Workshop:
    return Workshop(id=row['id'], title=row['title'], date=row['date'] or '', venue=row['venue'] or '',
                    question=row['question'] or '', join_token=row['join_token'], created_at=row['created_at'])


def _session(row: sqlite3.Row) -> Session:
    return Session(id=row['id'], workshop_id=row['workshop_id'], position=row['position'], letter=row['letter'],
                   name=row['name'], question=row['question'] or '', join_token=row['join_token'])


def _card(row: sqlite3.Row) -> Card:
    return Card(id=row['id'], session_id=row['session_id'], number=row['number'], code=row['code'],
                token=row['token'])


def _note(row: sqlite3.Row) -> Note:
    return Note(id=row['id'], workshop_id=row['workshop_id'], session_id=row['session_id'],
                source=Source(row['source']), text=row['text'], created_at=row['created_at'],
                updated_at=row['updated_at'], card_id=row['card_id'], card_code=row['card_code'],
                participant_id=row['participant_id'], nickname=row['nickname'], image_id=row['image_id'],
                status=NoteStatus(row['status']),
                image_size=(row['image_width'], row['image_height']) if row['image_id'] is not None else None)
