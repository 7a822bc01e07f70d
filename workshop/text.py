"""Cleaning and checking what people type before it is stored."""
import unicodedata

import regex

# Cc and Cf cover C0/C1 controls, bidi overrides and zero-width characters that hide or reorder text.
# Zero-width joiner (U+200D) and the variation selectors are kept, because emoji sequences need them.
_INVISIBLE = regex.compile(r'[\p{Cc}\p{Cf}\p{Co}\p{Cs}--[\n\u200d\ufe0e\ufe0f]]', flags=regex.V1)
_SPACE_RUNS = regex.compile(r'[^\S\n]+')
_BLANK_LINES = regex.compile(r'\n{3,}')


class InvalidText(ValueError):
    """Text that cannot be stored; ``message_key`` names the catalogue message for the person who typed it."""

    def __init__(self, message_key: str, field: str, **params: object) -> None:
        super().__init__(f'{field}: {message_key} {params}')
        self.message_key = message_key
        self.field = field
        self.params = params


def clean(text: str, *, multiline: bool = False) -> str:
    """Return the text in NFC with control characters removed, spaces collapsed and ends trimmed."""
    text = unicodedata.normalize('NFC', text.replace('\r\n', '\n').replace('\r', '\n'))
    if not multiline:
        text = text.replace('\n', ' ')
    text = _INVISIBLE.sub('', text)
    text = _SPACE_RUNS.sub(' ', text)
    text = '\n'.join(line.strip() for line in text.split('\n'))
    return _BLANK_LINES.sub('\n\n', text).strip()


def length(text: str) -> int:
    """Count characters as people see them: an emoji sequence or a letter with its marks counts once."""
    return len(regex.findall(r'\X', text))


def checked(text: str, field: str, max_length: int, *, required: bool = True, multiline: bool = False) -> str:
    """Return the cleaned text.

    :raises InvalidText: if it is empty while required, or longer than ``max_length``
    """
    value = clean(text or '', multiline=multiline)
    if required and not value:
        raise InvalidText('error.empty', field)
    if length(value) > max_length:
        raise InvalidText('error.too_long', field, limit=max_length, length=length(value))
    return value
