"""The schema, applied by named migrations when the store opens a database file.

Add a new function for every change; never edit one that has shipped, because existing files
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
