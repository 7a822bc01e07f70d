"""Both text catalogues hold every message, with the same placeholders, and Japanese is the default."""
import string

import pytest

from workshop import i18n


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_same_keys_in_both_languages() -> None:
    japanese = set(i18n.catalogue('ja'))
    english = set(i18n.catalogue('en'))
    assert sorted(japanese - english) == []
    assert sorted(english - japanese) == []


@pytest.mark.parametrize('language', i18n.LANGUAGES)
def test_no_empty_message(language: str) -> None:
    empty = [key for key, text in i18n.catalogue(language).items() if not text.strip()]
    assert empty == []


def test_same_placeholders_in_both_languages() -> None:
    english = i18n.catalogue('en')
    mismatched = [key for key, text in i18n.catalogue('ja').items()
                  if placeholders(text) != placeholders(english.get(key, ''))]
    assert mismatched == []


@pytest.mark.parametrize('header, expected', [
    (None, 'ja'),
    ('', 'ja'),
    ('ja-JP,ja;q=0.9', 'ja'),
    ('en-US,en;q=0.9', 'en'),
    ('fr-FR, de;q=0.8', 'ja'),
    ('de, en;q=0.5', 'en'),
    ('*', 'ja'),
])
def test_language_from_header(header: str | None, expected: str) -> None:
    assert i18n.negotiate(header) == expected


def test_missing_key_falls_back_to_key() -> None:
    assert i18n.translate('en', 'no.such.key') == 'no.such.key'
