"""The schema, applied by named migrations when the store opens a database file.

Add a new function for every change. Never edit one that has shipped, because existing files
record it as applied and would not see the edit.
"""
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations('fusen')


@migrations(name='0001_initial')
def initial(db: Database) -> None:
    db['workshops'].create({
        'id': str, 'title': str, 'date': str, 'venue': str, 'question': str,
        'facilitator_key_hash': str, 'join_token': str, 'created_at': str,
    }, pk='id', not_null={'title', 'facilitator_key_hash', 'join_token', 'created_at'})
    db['workshops'].create_index(['join_token'], unique=True)
    db['workshops'].create_index(['facilitator_key_hash'], unique=True)

    db['sessions'].create({
        'id': int, 'workshop_id': str, 'position': int, 'letter': str, 'name': str, 'question': str,
        'join_token': str, 'created_at': str,
    }, pk='id', foreign_keys=[('workshop_id', 'workshops', 'id')],
        not_null={'workshop_id', 'position', 'letter', 'name', 'join_token'})
    db['sessions'].create_index(['join_token'], unique=True)
    db['sessions'].create_index(['workshop_id', 'position'], unique=True)

    db['cards'].create({
        'id': int, 'session_id': int, 'number': int, 'code': str, 'token': str, 'created_at': str,
    }, pk='id', foreign_keys=[('session_id', 'sessions', 'id')],
        not_null={'session_id', 'number', 'code', 'token'})
    db['cards'].create_index(['token'], unique=True)
    db['cards'].create_index(['session_id', 'number'], unique=True)

    db['participants'].create({
        'id': str, 'workshop_id': str, 'nickname': str, 'created_at': str,
    }, pk='id', foreign_keys=[('workshop_id', 'workshops', 'id')], not_null={'workshop_id'})

    db['notes'].create({
        'id': int, 'workshop_id': str, 'session_id': int, 'source': str, 'card_id': int,
        'participant_id': str, 'text': str, 'request_key': str, 'created_at': str, 'updated_at': str,
    }, pk='id', foreign_keys=[
        ('workshop_id', 'workshops', 'id'), ('session_id', 'sessions', 'id'),
        ('card_id', 'cards', 'id'), ('participant_id', 'participants', 'id'),
    ], not_null={'workshop_id', 'session_id', 'source', 'text', 'created_at', 'updated_at'})
    # One note per card is what makes a rescan or a second send an update, not a duplicate.
    db['notes'].create_index(['card_id'], unique=True)
    db['notes'].create_index(['request_key'], unique=True)
    db['notes'].create_index(['workshop_id', 'id'])


@migrations(name='0002_card_images')
def card_images(db: Database) -> None:
    # Every scan or photo of a card stays: a rescan marks the earlier image replaced instead of deleting it.
    db['images'].create({
        'id': int, 'workshop_id': str, 'note_id': int, 'card_id': int, 'file': str, 'width': int, 'height': int,
        'origin': str, 'created_at': str, 'replaced_at': str,
    }, pk='id', foreign_keys=[('workshop_id', 'workshops', 'id'), ('note_id', 'notes', 'id'), ('card_id', 'cards', 'id')],
        not_null={'workshop_id', 'note_id', 'file', 'width', 'height', 'origin', 'created_at'})
    db.execute('CREATE UNIQUE INDEX images_current ON images (note_id) WHERE replaced_at IS NULL')
    db['images'].create_index(['workshop_id', 'id'])

    # Written regions whose QR code could not be read, until staff assign them to a card or discard them.
    db['leftovers'].create({
        'id': int, 'workshop_id': str, 'source_name': str, 'page': int, 'file': str, 'width': int, 'height': int,
        'thumbnail': str, 'whole_page': int, 'status': str, 'card_id': int, 'created_at': str, 'resolved_at': str,
    }, pk='id', foreign_keys=[('workshop_id', 'workshops', 'id'), ('card_id', 'cards', 'id')],
        not_null={'workshop_id', 'source_name', 'page', 'file', 'thumbnail', 'status', 'created_at'})
    db['leftovers'].create_index(['workshop_id', 'status'])


@migrations(name='0003_pin_and_review')
def pin_and_review(db: Database) -> None:
    db['workshops'].add_column('pin_hash', str)
    # Failed PIN entries, so a lockout holds across restarts and across every browser that tries.
    db['pin_failures'].create({'id': int, 'workshop_id': str, 'failed_at': float}, pk='id',
                              foreign_keys=[('workshop_id', 'workshops', 'id')], not_null={'workshop_id', 'failed_at'})
    db['pin_failures'].create_index(['workshop_id', 'failed_at'])
    # 'visible' notes show on the board; 'held' ones wait for a facilitator because they may carry
    # personal data; 'hidden' ones were taken off the board, with the reason kept.
    db['notes'].add_column('status', str, not_null_default='visible')
    db['notes'].add_column('status_reason', str)


@migrations(name='0004_leftover_fingerprint')
def leftover_fingerprint(db: Database) -> None:
    # The SHA-256 of a leftover's image, so uploading the same file again adds no second open leftover.
    # Leftovers kept before this migration have none and are never matched.
    db['leftovers'].add_column('fingerprint', str)
    db.execute("CREATE UNIQUE INDEX leftovers_open_fingerprint ON leftovers (workshop_id, fingerprint) "
               "WHERE status = 'open'")
