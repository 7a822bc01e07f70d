"""Spotting notes that may carry personal data, so a facilitator reviews them before the projector shows them.

The patterns favour catching too much: a held note costs a facilitator one tap, while a phone number
on a projector cannot be taken back.
"""
import unicodedata

import regex

_PHONE = regex.compile(r'''
    (?<!\d)(?:
        (?:\+81[-\s]?|0)\d{1,4}[-\s(（]?\d{1,4}[-\s)）]?\d{3,4}   # 03-1234-5678, 090-1234-5678, +81 90 …
      | 0[5789]0\d{8}                                          # 09012345678
      | 0120[-\s]?\d{3}[-\s]?\d{3}                              # toll-free
    )(?!\d)''', regex.VERBOSE)
_EMAIL = regex.compile(r'[\w.+-]+@[\w-]+(?:\.[\w-]+)+')
_POSTCODE = regex.compile(r'〒\s*\d{3}-?\d{4}|(?<![\d-])\d{3}-\d{4}(?![\d-])')
_PREFECTURE = r'(?:東京都|北海道|(?:京都|大阪)府|\p{Han}{2,3}県)'
_BLOCK = r'\d+\s*(?:丁目|番地?|号|-\s*\d+)'
_ADDRESS = regex.compile(rf'(?:{_PREFECTURE})?\p{{Han}}{{1,6}}[市区町村郡]\p{{Any}}{{0,12}}?{_BLOCK}')


def personal_data_kinds(text: str) -> list[str]:
    """Return which kinds of personal data the text seems to contain: 'phone', 'email', 'address'."""
    # NFKC turns full-width digits and hyphens (０９０－１２３４) into the ASCII forms the patterns use.
    normalized = unicodedata.normalize('NFKC', text).replace('ー', '-').replace('−', '-')
    kinds = []
    if _PHONE.search(normalized):
        kinds.append('phone')
    if _EMAIL.search(normalized):
        kinds.append('email')
    if _POSTCODE.search(normalized) or _ADDRESS.search(normalized):
        kinds.append('address')
    return kinds
