"""The language of one page view and the translator that its builder uses."""
from fastapi import Request
from nicegui import app

from workshop import i18n
from workshop.text import InvalidText

LANGUAGE_KEY = 'lang'


class Texts:
    """Translates catalogue keys into one language; call it like a function: ``t('card.post')``."""

    def __init__(self, language: str) -> None:
        self.language = language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE

    def __call__(self, key: str, **params: object) -> str:
        return i18n.translate(self.language, key, **params)

    def error(self, error: InvalidText) -> str:
        """Return the sentence that explains why a person's input was not accepted."""
        return i18n.error_message(self.language, error)


def page_texts(request: Request) -> Texts:
    """Choose the language: ``?lang=`` (remembered for this browser), then the remembered one, then the browser's."""
    chosen = request.query_params.get(LANGUAGE_KEY)
    if chosen in i18n.LANGUAGES:
        app.storage.user[LANGUAGE_KEY] = chosen
        return Texts(chosen)
    remembered = app.storage.user.get(LANGUAGE_KEY)
    if remembered in i18n.LANGUAGES:
        return Texts(remembered)
    return Texts(i18n.negotiate(request.headers.get('accept-language')))
