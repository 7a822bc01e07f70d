"""Paper out: card sheets, join posters and minutes as PDF bytes, drawn with reportlab.

Every function here is pure: it takes domain objects from ``workshop`` and returns bytes, so the
command line can write a file and a page can offer a download without either knowing reportlab.
"""
from importlib import import_module
from typing import Any

# Each name is imported on first use, because reportlab and the embedded font take about 16 MB that a
# server needs only once it prints, and the projector board imports qr_png at startup.
_MODULES = {'card_sheets_pdf': 'cards', 'minutes_pdf': 'minutes', 'join_poster_png': 'poster_image',
            'join_poster_pdf': 'posters', 'qr_png': 'qr'}

__all__ = ['card_sheets_pdf', 'join_poster_pdf', 'join_poster_png', 'minutes_pdf', 'qr_png']


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    return getattr(import_module(f'.{_MODULES[name]}', __name__), name)
