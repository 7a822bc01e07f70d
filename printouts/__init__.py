"""Paper out: card sheets, join posters and minutes as PDF bytes, drawn with reportlab.

Every function here is pure: it takes domain objects from ``workshop`` and returns bytes, so the
command line can write a file and a page can offer a download without either knowing reportlab.
"""
from .cards import card_sheets_pdf
from .minutes import minutes_pdf
from .poster_image import join_poster_png
from .posters import join_poster_pdf
from .qr import qr_png

__all__ = ['card_sheets_pdf', 'join_poster_pdf', 'join_poster_png', 'minutes_pdf', 'qr_png']
