"""The store's part for scanned cards: handwriting images on notes, leftovers and the transcription queue.

It shares the Store's connection, lock and transactions (``Store.transaction`` and ``Store.query``),
so the one connection strategy written down in workshop/store.py holds here too. Image files are
written before the transaction that records them and removed again if it fails, so a failed
filing leaves neither a row nor a file behind.
"""
import hashlib
import logging
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from . import text, tokens
from .model import Card, Note, NoteChanged, NoteStatus, Source
from .scan import images
from .scan.images import EncodedImage
from .store import NotFound, Store, _now, review_status

log = logging.getLogger(__name__)

OPEN, ASSIGNED, DISCARDED = 'open', 'assigned', 'discarded'

# Dash-like characters people type between a card code's letters and number, as they are after NFKC:
# hyphen-minus, U+2010–U+2015 (hyphens and dashes), U+2212 (minus) and U+30FC (the katakana long vowel
# mark a Japanese IME gives for "-"). NFKC has already turned U+FF0D and U+FE63 into hyphen-minus.
_DASHES = '-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc'
_TYPED_CARD_CODE = re.compile(f'([A-Z]{{1,4}})[{_DASHES}]?([0-9]{{1,6}})')


class CardHasContent(Exception):
    """The card already has a handwriting image or typed text, so assigning a leftover needs ``replace=True``."""

    def __init__(self, card: Card, note: Note) -> None:
        super().__init__(f'card {card.code} already has content on note {note.id}; pass replace=True to replace it')
        self.card = card
        self.note = note


def normalize_card_code(typed: str) -> str | None:
    """Return the printed form of a typed card code (``ａ－３`` gives ``A-003``), or None if it cannot be one.

    Width, case and spaces are ignored, the dash may be any dash-like character or missing, and the
    number may come with or without its leading zeros.
    """
    folded = ''.join(unicodedata.normalize('NFKC', text.clean(typed)).upper().split())
    match = _TYPED_CARD_CODE.fullmatch(folded)
    if match is None:
        return None
    return tokens.card_code(match[1], int(match[2]))


@dataclass(frozen=True)
class CardImage:
    """One stored image of a card; ``replaced_at`` is empty for the one the board shows."""

    id: int
    note_id: int
    card_id: int | None
    file: str
    width: int
    height: int
    origin: str
    created_at: str
    replaced_at: str


@dataclass(frozen=True)
class LeftoverRecord:
    """A written region without a readable QR code, waiting for staff to assign or discard it."""

    id: int
    workshop_id: str
    source_name: str
    page: int
    file: str
    thumbnail: str
    whole_page: bool
    status: str
    card_id: int | None
    created_at: str


class ScanStore:
    """Scanned images and leftovers of one Store, with their files in the data folder beside the database."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.data_dir = store.path.parent

    def attach_image(self, card_id: int, image: EncodedImage, origin: str = 'scan') -> Note:
        """Make the image the card's current one, creating the card's note if it has none.

        The card's earlier image stays, marked replaced, and a note's typed text is never touched.

        :raises NotFound: if there is no such card
        """
        return self.attach_images([(card_id, image)], origin)[0]

    def attach_images(self, pairs: list[tuple[int, EncodedImage]], origin: str = 'scan') -> list[Note]:
        """Attach each (card id, image) pair as ``attach_image`` does, all in one transaction.

        A scanned page files its cards together, so a batch takes the store's lock, which phones' notes
        also wait for, and waits for the disk once per page instead of once per card. If one card fails,
        none is filed.

        :raises NotFound: if one of the cards does not exist
        """
        names = []
        try:
            for _, image in pairs:
                names.append(images.save(self.data_dir, image))
            # Outside the store's lock, so a phone's note does not wait for these writes.
            images.sync_folder(self.data_dir)
            with self.store.transaction() as db:
                attached = [self._attach(db, card_id, name, image.width, image.height, origin)
                            for (card_id, image), name in zip(pairs, names)]
        except Exception:
            for name in names:
                images.remove(self.data_dir, name)
            raise
        return [self._announce(note_id, created, scanned=True) for note_id, created in attached]

    def transcribe(self, note_id: int, note_text: str) -> Note:
        """Store the typed text of a handwriting note.

        :raises NotFound: if there is no such note
        :raises InvalidText: if the text is empty or too long
        """
        value = text.checked(note_text, 'note', self.store.limits.note, multiline=True)
        status = review_status(self.store.note(note_id).status, value)
        with self.store.transaction() as db:
            db.execute('UPDATE notes SET text = ?, status = ?, updated_at = ? WHERE id = ?',
                       (value, status.value, _now(), note_id))
        log.info('transcribed note %d', note_id)
        return self._announce(note_id, False)

    def transcription_queue(self, workshop_id: str) -> list[Note]:
        """Return the workshop's handwriting notes that have no text yet, oldest first."""
        return [note for note in self.store.notes(workshop_id) if note.needs_transcription]

    def images(self, note_id: int) -> list[CardImage]:
        """Return every image a note has had, oldest first; the last one is current."""
        return [_card_image(row) for row in
                self.store.query('SELECT * FROM images WHERE note_id = ? ORDER BY id', (note_id,))]

    def image_path(self, workshop_id: str, image_id: int) -> Path | None:
        """Return the file of an image of this workshop, or None if the image belongs to another one."""
        rows = self.store.query('SELECT file FROM images WHERE id = ? AND workshop_id = ?', (image_id, workshop_id))
        return images.path_of(self.data_dir, rows[0]['file']) if rows else None

    def board_image_path(self, workshop_id: str, image_id: int) -> Path | None:
        """Return the file of an image the workshop's board shows, or None for any other image.

        The board shows only the current image of a visible note, so a held or hidden note's image and
        a replaced image of any note are None here, as is an image of another workshop.
        """
        rows = self.store.query(
            'SELECT images.file FROM images JOIN notes ON notes.id = images.note_id '
            'WHERE images.id = ? AND images.workshop_id = ? AND images.replaced_at IS NULL AND notes.status = ?',
            (image_id, workshop_id, NoteStatus.VISIBLE.value))
        return images.path_of(self.data_dir, rows[0]['file']) if rows else None

    def card_by_code(self, workshop_id: str, code: str) -> Card | None:
        """Return the workshop's card with this printed code, typed in any form ``normalize_card_code`` reads."""
        printed = normalize_card_code(code)
        if printed is None:
            return None
        for card in self.store.cards(workshop_id):
            if card.code == printed:
                return card
        return None

    # Leftovers

    def add_leftover(self, workshop_id: str, source_name: str, page: int, image: EncodedImage,
                     thumbnail: EncodedImage, whole_page: bool) -> LeftoverRecord:
        """Keep a written region that has no readable QR code, for staff to assign or discard.

        A region whose image is byte for byte that of an open leftover (the same file uploaded again)
        is not kept twice: the open leftover is returned instead.
        """
        # The image bytes are the same for the same region of the same file, because decoding
        # and WebP encoding are deterministic for one installed Pillow and libwebp.
        fingerprint = hashlib.sha256(image.data).hexdigest()
        names = [images.save(self.data_dir, image), images.save(self.data_dir, thumbnail)]
        try:
            images.sync_folder(self.data_dir)
            with self.store.transaction() as db:
                existing = db.execute('SELECT id FROM leftovers WHERE workshop_id = ? AND fingerprint = ? AND status = ?',
                                      (workshop_id, fingerprint, OPEN)).fetchone()
                if existing is None:
                    leftover_id = db['leftovers'].insert({
                        'workshop_id': workshop_id, 'source_name': source_name, 'page': page, 'file': names[0],
                        'width': image.width, 'height': image.height, 'thumbnail': names[1],
                        'whole_page': int(whole_page), 'status': OPEN, 'created_at': _now(), 'fingerprint': fingerprint,
                    }).last_pk
                else:
                    leftover_id = existing['id']
        except Exception:
            for name in names:
                images.remove(self.data_dir, name)
            raise
        if existing is not None:
            for name in names:
                images.remove(self.data_dir, name)
            log.info('page %d of %s repeats open leftover %d in workshop %s', page, source_name, leftover_id,
                     workshop_id)
        else:
            log.info('kept leftover %d from page %d of %s in workshop %s', leftover_id, page, source_name, workshop_id)
        return self.leftover(workshop_id, leftover_id)

    def leftover(self, workshop_id: str, leftover_id: int) -> LeftoverRecord:
        """:raises NotFound: if the workshop has no leftover with this id"""
        rows = self.store.query('SELECT * FROM leftovers WHERE id = ? AND workshop_id = ?', (leftover_id, workshop_id))
        if not rows:
            raise NotFound(f'leftover {leftover_id!r} not found in workshop {workshop_id}')
        return _leftover(rows[0])

    def leftovers(self, workshop_id: str) -> list[LeftoverRecord]:
        """Return the workshop's open leftovers, oldest first."""
        return [_leftover(row) for row in self.store.query(
            'SELECT * FROM leftovers WHERE workshop_id = ? AND status = ? ORDER BY id', (workshop_id, OPEN))]

    def thumbnail_path(self, workshop_id: str, leftover_id: int) -> Path | None:
        rows = self.store.query('SELECT thumbnail FROM leftovers WHERE id = ? AND workshop_id = ?',
                                (leftover_id, workshop_id))
        return images.path_of(self.data_dir, rows[0]['thumbnail']) if rows else None

    def assign_leftover(self, workshop_id: str, leftover_id: int, card_code: str, *, replace: bool = False) -> Note:
        """File an open leftover's picture to the card with this code, as a scan of that card would be.

        A card that already has an image or typed text gets the picture only with ``replace=True``.
        Its earlier image stays, marked replaced, and its typed text is kept.

        :raises NotFound: if the leftover is not open in this workshop, or no card of the workshop has the code
        :raises CardHasContent: if the card has an image or typed text and ``replace`` is false
        """
        card = self.card_by_code(workshop_id, card_code)
        if card is None:
            raise NotFound(f'no card {card_code!r} in workshop {workshop_id}')
        occupied_note_id = None
        with self.store.transaction() as db:
            row = db.execute('SELECT * FROM leftovers WHERE id = ? AND workshop_id = ? AND status = ?',
                             (leftover_id, workshop_id, OPEN)).fetchone()
            if row is None:
                raise NotFound(f'leftover {leftover_id!r} is not open in workshop {workshop_id}')
            if not replace:
                occupied_note_id = _note_with_content(db, card.id)
            if occupied_note_id is None:
                note_id, created = self._attach(db, card.id, row['file'], row['width'], row['height'], 'leftover')
                db.execute('UPDATE leftovers SET status = ?, card_id = ?, resolved_at = ? WHERE id = ?',
                           (ASSIGNED, card.id, _now(), leftover_id))
        if occupied_note_id is not None:
            raise CardHasContent(card, self.store.note(occupied_note_id))
        log.info('assigned leftover %d to card %s%s', leftover_id, card.code, ' (replacing)' if replace else '')
        return self._announce(note_id, created)

    def discard_leftover(self, workshop_id: str, leftover_id: int) -> None:
        """Mark an open leftover discarded; its files stay until the workshop's data is deleted.

        :raises NotFound: if the leftover is not open in this workshop
        """
        with self.store.transaction() as db:
            changed = db.execute('UPDATE leftovers SET status = ?, resolved_at = ? WHERE id = ? AND workshop_id = ? '
                                 'AND status = ?', (DISCARDED, _now(), leftover_id, workshop_id, OPEN)).rowcount
        if not changed:
            raise NotFound(f'leftover {leftover_id!r} is not open in workshop {workshop_id}')
        log.info('discarded leftover %d', leftover_id)

    def _attach(self, db, card_id: int, file: str, width: int, height: int, origin: str) -> tuple[int, bool]:
        """Record an image for a card inside the caller's transaction; return the note id and whether it is new."""
        card = db.execute('SELECT cards.id, cards.session_id, sessions.workshop_id FROM cards '
                          'JOIN sessions ON sessions.id = cards.session_id WHERE cards.id = ?', (card_id,)).fetchone()
        if card is None:
            raise NotFound(f'card {card_id!r} not found')
        now = _now()
        existing = db.execute('SELECT id FROM notes WHERE card_id = ?', (card_id,)).fetchone()
        if existing:
            note_id, created = existing['id'], False
            db.execute('UPDATE images SET replaced_at = ? WHERE note_id = ? AND replaced_at IS NULL', (now, note_id))
            db.execute('UPDATE notes SET updated_at = ? WHERE id = ?', (now, note_id))
        else:
            # An image note starts without text; the transcription queue lists it until someone types it.
            note_id = db['notes'].insert({
                'workshop_id': card['workshop_id'], 'session_id': card['session_id'], 'source': Source.PAPER.value,
                'card_id': card_id, 'text': '', 'created_at': now, 'updated_at': now,
            }).last_pk
            created = True
        db['images'].insert({
            'workshop_id': card['workshop_id'], 'note_id': note_id, 'card_id': card_id, 'file': file,
            'width': width, 'height': height, 'origin': origin, 'created_at': now,
        })
        return note_id, created

    def _announce(self, note_id: int, created: bool, *, scanned: bool = False) -> Note:
        note = self.store.note(note_id)
        log.info('%s image note %d in session %d', 'created' if created else 'updated', note.id, note.session_id)
        self.store.note_changed.emit(NoteChanged(note=note, created=created, scanned=scanned))
        return note


def _note_with_content(db, card_id: int) -> int | None:
    """Return the id of the card's note if it has typed text or a current image, else None."""
    row = db.execute('SELECT notes.id FROM notes WHERE notes.card_id = ? AND (notes.text != \'\' OR EXISTS '
                     '(SELECT 1 FROM images WHERE images.note_id = notes.id AND images.replaced_at IS NULL))',
                     (card_id,)).fetchone()
    return row['id'] if row else None


def _card_image(row: sqlite3.Row) -> CardImage:
    return CardImage(id=row['id'], note_id=row['note_id'], card_id=row['card_id'], file=row['file'],
                     width=row['width'], height=row['height'], origin=row['origin'], created_at=row['created_at'],
                     replaced_at=row['replaced_at'] or '')


def _leftover(row: sqlite3.Row) -> LeftoverRecord:
    return LeftoverRecord(id=row['id'], workshop_id=row['workshop_id'], source_name=row['source_name'],
                          page=row['page'], file=row['file'], thumbnail=row['thumbnail'],
                          whole_page=bool(row['whole_page']), status=row['status'], card_id=row['card_id'],
                          created_at=row['created_at'])
