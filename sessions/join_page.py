"""Placeholder until the page is built."""


def register() -> None:
    """Register no page yet."""
