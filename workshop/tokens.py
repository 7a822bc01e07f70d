"""Unguessable tokens for QR codes and links, and the short codes printed on cards."""
import base64
import hashlib
import hmac
import re
import secrets

TOKEN_BYTES = 20  # 160 bits, above the 128 bits a guess would have to beat
TOKEN_LENGTH = 32  # base32 characters for TOKEN_BYTES
_TOKEN_PATTERN = re.compile(r'[A-Z2-7]{32}')
_WORKSHOP_ID_PATTERN = re.compile(r'[a-z2-7]{10}')


def new_token() -> str:
    """Return a fresh token in upper-case base32.

    Base32 keeps a card URL in the QR code's alphanumeric mode, which makes the code one version smaller.
    """
    return base64.b32encode(secrets.token_bytes(TOKEN_BYTES)).decode('ascii').rstrip('=')


def normalize_token(text: str) -> str | None:
    """Return the canonical (upper-case) form of a token, or None if the text cannot be one."""
    candidate = text.strip().upper()
    return candidate if _TOKEN_PATTERN.fullmatch(candidate) else None


def new_workshop_id() -> str:
    """Return a short random workshop id that organisers can type in a terminal."""
    return base64.b32encode(secrets.token_bytes(10)).decode('ascii').lower()[:10]


def is_workshop_id(text: str) -> bool:
    """Tell whether the text has the form of a workshop id."""
    return bool(_WORKSHOP_ID_PATTERN.fullmatch(text))


def hash_secret(secret: str) -> str:
    """Return the SHA-256 hex digest under which a facilitator key is stored."""
    return hashlib.sha256(secret.encode('ascii')).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Compare a presented key with a stored digest in constant time."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def session_letter(position: int) -> str:
    """Return the letters that prefix card codes of the session at this 0-based position: A … Z, AA, AB …"""
    letters = ''
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(ord('A') + remainder) + letters
    return letters


def card_code(letter: str, number: int) -> str:
    """Return the human-readable card code, for example ``A-017``."""
    return f'{letter}-{number:03d}'
