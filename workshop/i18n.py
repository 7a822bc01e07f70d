"""The text catalogues (Japanese first, English beside it) and the choice of language.

Catalogues are gettext ``.po`` files under ``locales/<language>/``, one file per part of the app,
with message ids as stable keys such as ``card.post``. Babel reads them at start-up, so there is no
compile step, and translators can use any .po editor.
"""
import logging
from functools import cache
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.pofile import read_po

from .text import InvalidText

log = logging.getLogger(__name__)

LANGUAGES = ('ja', 'en')
DEFAULT_LANGUAGE = 'ja'
LOCALES_DIR = Path(__file__).parent / 'locales'


@cache
def catalogue(language: str) -> dict[str, str]:
    """Return every message of one language, merged from its .po files."""
    messages: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / language).glob('*.po')):
        with path.open('rb') as file:
            for message in read_po(file, locale=language):
                if message.id and isinstance(message.id, str):
                    messages[message.id] = message.string if isinstance(message.string, str) else ''
    return messages


def translate(language: str, key: str, **params: object) -> str:
    """Return the message for a key in a language, formatted with the params.

    A key missing from the language falls back to Japanese, then to the key itself, and is logged,
    so a gap in a catalogue shows on screen instead of breaking the page.
    """
    template = catalogue(language if language in LANGUAGES else DEFAULT_LANGUAGE).get(key)
    if not template:
        log.warning('message %r missing in %r catalogue', key, language)
        template = catalogue(DEFAULT_LANGUAGE).get(key) or key
    return template.format(**params) if params else template


def negotiate(accept_language: str | None) -> str:
    """Pick ja or en from an Accept-Language header; Japanese when neither is asked for."""
    preferred = []
    for part in (accept_language or '').split(','):
        tag = part.split(';')[0].strip().replace('-', '_')
        if tag and tag != '*':
            preferred.append(tag)
    return negotiate_locale(preferred, list(LANGUAGES), sep='_') or DEFAULT_LANGUAGE if preferred else DEFAULT_LANGUAGE


def language_name(language: str) -> str:
    """Return the language's own name, for a language switch (日本語, English)."""
    return Locale.parse(language).get_display_name(language).capitalize()


def error_message(language: str, error: InvalidText) -> str:
    """Return the sentence that explains why a person's text was not accepted."""
    field = translate(language, f'field.{error.field}')
    return translate(language, error.message_key, field=field, **error.params)
