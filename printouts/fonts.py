"""The embedded Japanese font, and what to print for characters it has no glyph for.

IPAexGothic ships in ``printouts/fonts`` with its licence (IPA Font License v1.0 allows
redistribution), so every PDF embeds it and prints the same on any PC. reportlab embeds only the
glyphs a document uses: a one-page card sheet is about 50 KB with reportlab 5.1.

The font has no emoji and no glyphs for a few rare symbols. Without a glyph a PDF viewer shows an
empty box or nothing, and a reader cannot tell that something was there. Such a character is
printed as 〓 (the geta mark), which Japanese typesetting uses for a character that cannot be set.
"""
from functools import cache
from pathlib import Path

import regex
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = 'IPAexGothic'
FONT_PATH = Path(__file__).parent / 'fonts' / 'ipaexg.ttf'
MISSING_GLYPH = '〓'

# One user-perceived character, so an emoji sequence (family, flag, keycap) becomes one 〓, not several.
_GRAPHEME = regex.compile(r'\X')
# Joiners and variation selectors only modify their neighbours, so dropping them loses nothing visible.
_IGNORABLE = regex.compile(r'\p{Default_Ignorable_Code_Point}')


@cache
def register_font() -> str:
    """Register IPAexGothic with reportlab once and return its font name."""
    _fix_to_unicode_cmap()
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH)))
    return FONT_NAME


def printable(text: str) -> str:
    """Return the text with every character the font cannot draw replaced by 〓.

    Line breaks are kept, and joiners and variation selectors that the font lacks are dropped.
    """
    return _replace_missing(text)[0]


def has_missing_glyphs(text: str) -> bool:
    """Tell whether printing the text would replace any character by 〓."""
    return _replace_missing(text)[1] > 0


def _replace_missing(text: str) -> tuple[str, int]:
    """Return the printable text and how many graphemes became 〓."""
    glyphs = _glyph_map()
    printed = []
    replaced = 0
    for grapheme in _GRAPHEME.findall(text):
        if grapheme in {'\n', '\r\n'}:
            printed.append('\n')
            continue
        if grapheme.isspace() and len(grapheme) == 1 and ord(grapheme) not in glyphs:
            printed.append(' ')  # a tab or another space the font lacks
            continue
        visible = ''.join(char for char in grapheme if ord(char) in glyphs or not _IGNORABLE.match(char))
        if all(ord(char) in glyphs for char in visible):
            printed.append(visible)
        else:
            printed.append(MISSING_GLYPH)
            replaced += 1
    return ''.join(printed), replaced


def _fix_to_unicode_cmap() -> None:
    """Make reportlab write characters outside the BMP (𠮟 U+20B9F) correctly in the ToUnicode CMap.

    reportlab 5.1 writes the code point as plain hex (<20B9F>), which is not UTF-16, so text
    extraction, search and screen readers get ₹ for 𠮟. The CMap needs the surrogate pair
    (<D842DF9F>). The glyphs themselves print correctly either way.
    """
    # NOTE: this replaces ttfonts.makeToUnicodeCMap for the whole process; drop it once reportlab
    # writes surrogate pairs itself.
    original = ttfonts.makeToUnicodeCMap
    if getattr(original, 'writes_surrogates', False):
        return

    def to_unicode_cmap(font_name: str, subset: list[int]) -> str:
        cmap = original(font_name, subset)
        for index, code in enumerate(subset):
            if code > 0xFFFF:
                utf16 = chr(code).encode('utf-16-be').hex().upper()
                cmap = cmap.replace(f'<{index:02X}> <{code:04X}>', f'<{index:02X}> <{utf16}>')
        return cmap

    to_unicode_cmap.writes_surrogates = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = to_unicode_cmap


@cache
def _glyph_map() -> dict[int, int]:
    """Return the font's cmap: code point to glyph id."""
    register_font()
    font = pdfmetrics.getFont(FONT_NAME)
    return font.face.charToGlyph
