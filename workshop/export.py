"""Exports of a workshop for the city's records: JSON (schema in docs/export.md) and CSV.

Exports carry no IP addresses, tokens or facilitator keys; participants appear only by their
random id and the nickname they chose.
"""
import csv
import io
import json
from datetime import datetime

from .store import Store

SCHEMA = 'fusen.export/1'
CSV_COLUMNS = ['note_id', 'session', 'source', 'card_code', 'participant_id', 'nickname', 'text', 'status',
               'created_at', 'updated_at']


def export_data(store: Store, workshop_id: str) -> dict:
    """Collect a workshop, its sessions, its notes and their counts into plain data.

    :raises NotFound: if the workshop does not exist
    """
    workshop = store.workshop(workshop_id)
    sessions = store.sessions(workshop_id)
    names = {session.id: session.name for session in sessions}
    notes = store.notes(workshop_id)
    return {
        'schema': SCHEMA,
        'exported_at': datetime.now().astimezone().isoformat(timespec='seconds'),
        'workshop': {'id': workshop.id, 'title': workshop.title, 'date': workshop.date, 'venue': workshop.venue,
                     'question': workshop.question, 'created_at': workshop.created_at},
        'sessions': [{'id': session.id, 'letter': session.letter, 'name': session.name,
                      'question': session.question} for session in sessions],
        'notes': [{'id': note.id, 'session_id': note.session_id, 'session': names[note.session_id],
                   'source': note.source.value, 'card_code': note.card_code, 'participant_id': note.participant_id,
                   'nickname': note.nickname, 'text': note.text, 'status': note.status.value,
                   'created_at': note.created_at,
                   'updated_at': note.updated_at} for note in notes],
        'counts': {
            'notes': len(notes),
            'paper': sum(1 for note in notes if note.source.value == 'paper'),
            'online': sum(1 for note in notes if note.source.value == 'online'),
            'participants': store.participant_count(workshop_id),
        },
    }


def to_json(data: dict) -> str:
    """Return the export as indented JSON with Japanese kept readable (not \\u-escaped)."""
    return json.dumps(data, ensure_ascii=False, indent=2) + '\n'


def to_csv(data: dict) -> str:
    """Return one row per note, with a byte-order mark so that Excel in Japan opens it as UTF-8."""
    buffer = io.StringIO()
    buffer.write('\ufeff')
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator='\r\n')
    writer.writeheader()
    for note in data['notes']:
        writer.writerow({'note_id': note['id'], 'session': note['session'], 'source': note['source'],
                         'card_code': note['card_code'] or '', 'participant_id': note['participant_id'] or '',
                         'nickname': note['nickname'], 'text': note['text'], 'status': note['status'],
                         'created_at': note['created_at'],
                         'updated_at': note['updated_at']})
    return buffer.getvalue()
