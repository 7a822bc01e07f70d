"""The URLs that QR codes and links carry, built from the instance's public URL."""
from urllib.parse import urlsplit

CARD_PREFIX = '/c/'
JOIN_PREFIX = '/j/'
BOARD_PREFIX = '/board/'
FACILITATOR_PREFIX = '/f/'

# Characters of the QR alphanumeric mode; a URL made only of them encodes more densely.
_QR_ALPHANUMERIC = set('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:')


def card_url(public_url: str, token: str) -> str:
    """Return the URL a card's QR code opens."""
    return f'{public_url}{CARD_PREFIX}{token}'


def join_url(public_url: str, token: str) -> str:
    """Return the join link of a workshop or a session."""
    return f'{public_url}{JOIN_PREFIX}{token}'


def board_url(public_url: str, workshop_id: str) -> str:
    """Return the projector board of a workshop."""
    return f'{public_url}{BOARD_PREFIX}{workshop_id}'


def facilitator_url(public_url: str, facilitator_key: str) -> str:
    """Return the secret link to a workshop's facilitator page."""
    return f'{public_url}{FACILITATOR_PREFIX}{facilitator_key}'


def qr_text(url: str) -> str:
    """Return the form of a URL to put in a QR code.

    Scheme and host are case-insensitive and tokens are upper-case base32, so a URL without a sub-path
    can be written in upper case, which QR codes store in the denser alphanumeric mode. The routes
    accept ``/C/`` and ``/J/`` for that reason. A URL with a sub-path keeps its case, because a reverse
    proxy may match the path case-sensitively.
    """
    parts = urlsplit(url)
    first_segment = parts.path.strip('/').split('/')[0].lower()
    if first_segment not in {'c', 'j'} or parts.query or parts.fragment:
        return url
    upper = url.upper()
    return upper if set(upper) <= _QR_ALPHANUMERIC else url
