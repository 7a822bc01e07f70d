"""The optional facilitator PIN: hashing, checking and the lockout after repeated failures."""
import hashlib
import hmac
import logging
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass

from .store import Store

log = logging.getLogger(__name__)

PIN_PATTERN = re.compile(r'[0-9]{6,12}')
MAX_FAILURES = 5
FAILURE_WINDOW = 600.0  # seconds: five failures within ten minutes lock the PIN
_ITERATIONS = 200_000


@dataclass(frozen=True)
class PinCheck:
    """The outcome of a PIN entry; ``retry_after`` is the seconds left of a lockout.

    ``malformed`` marks an entry that cannot be a PIN (not 6 to 12 digits). It is rejected without
    counting as a failure, because it can never match.
    """

    accepted: bool
    locked: bool = False
    retry_after: int = 0
    malformed: bool = False


def normalize_pin(text: str) -> str | None:
    """Return the PIN as ASCII digits, or None if the text is not 6 to 12 digits.

    A Japanese keyboard often types full-width digits (１３５７９０), which NFKC turns into ASCII.
    """
    candidate = unicodedata.normalize('NFKC', text).strip()
    return candidate if PIN_PATTERN.fullmatch(candidate) else None


def set_pin(store: Store, workshop_id: str, pin: str | None) -> None:
    """Set the workshop's PIN, or remove it with None.

    :raises ValueError: if the PIN is not 6 to 12 digits (full-width digits count as digits)
    """
    if pin is not None:
        pin = normalize_pin(pin)
        if pin is None:
            raise ValueError('the PIN must be 6 to 12 digits')
    value = _hash(pin) if pin is not None else None
    with store.transaction() as db:
        db.execute('UPDATE workshops SET pin_hash = ? WHERE id = ?', (value, workshop_id))
        db.execute('DELETE FROM pin_failures WHERE workshop_id = ?', (workshop_id,))
    log.info('%s the PIN of workshop %s', 'set' if pin else 'removed', workshop_id)


def pin_version(store: Store, workshop_id: str) -> str | None:
    """Return a value that changes whenever the PIN changes (its salt), or None when there is no PIN.

    A browser that entered the PIN keeps this value, so after a PIN change every browser must enter the new PIN.
    """
    rows = store.query('SELECT pin_hash FROM workshops WHERE id = ?', (workshop_id,))
    stored = rows[0]['pin_hash'] if rows else None
    return stored.split('$')[2] if stored else None


def check_pin(store: Store, workshop_id: str, pin: str, now: float | None = None) -> PinCheck:
    """Check a PIN entry and count a failure. While the PIN is locked, even the right PIN is rejected."""
    now = time.time() if now is None else now
    digits = normalize_pin(pin)
    if digits is None:
        return PinCheck(accepted=False, malformed=True)
    pin = digits
    with store.transaction() as db:
        db.execute('DELETE FROM pin_failures WHERE failed_at <= ?', (now - FAILURE_WINDOW,))
        failures = [row[0] for row in db.execute(
            'SELECT failed_at FROM pin_failures WHERE workshop_id = ? ORDER BY failed_at', (workshop_id,))]
        if len(failures) >= MAX_FAILURES:
            retry_after = int(failures[-MAX_FAILURES] + FAILURE_WINDOW - now) + 1
            log.warning('PIN entry for workshop %s rejected: locked for another %d s', workshop_id, retry_after)
            return PinCheck(accepted=False, locked=True, retry_after=retry_after)
        stored = db.execute('SELECT pin_hash FROM workshops WHERE id = ?', (workshop_id,)).fetchone()[0]
        if stored and _matches(pin, stored):
            db.execute('DELETE FROM pin_failures WHERE workshop_id = ?', (workshop_id,))
            return PinCheck(accepted=True)
        db['pin_failures'].insert({'workshop_id': workshop_id, 'failed_at': now})
    failures.append(now)
    log.warning('wrong PIN for workshop %s (%d of %d)', workshop_id, len(failures), MAX_FAILURES)
    if len(failures) < MAX_FAILURES:
        return PinCheck(accepted=False)
    return PinCheck(accepted=False, locked=True, retry_after=int(failures[-MAX_FAILURES] + FAILURE_WINDOW - now) + 1)


def _hash(pin: str) -> str:
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac('sha256', pin.encode('ascii'), bytes.fromhex(salt), _ITERATIONS).hex()
    return f'pbkdf2_sha256${_ITERATIONS}${salt}${digest}'


def _matches(pin: str, stored: str) -> bool:
    _, iterations, salt, digest = stored.split('$')
    candidate = hashlib.pbkdf2_hmac('sha256', pin.encode('ascii', 'replace'), bytes.fromhex(salt), int(iterations))
    return hmac.compare_digest(candidate.hex(), digest)
