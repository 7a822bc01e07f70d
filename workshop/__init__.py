"""Fusen's core: the domain model, the SQLite store, tokens, URLs and texts.

Nothing in this package draws a screen or a PDF, so both the pages in
``sessions`` and the printouts in ``printouts`` build on it.
"""
