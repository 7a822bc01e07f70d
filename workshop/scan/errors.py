"""The error a scanned file is rejected with, named for the person who uploaded it."""


class ScanError(ValueError):
    """A file or page that cannot be scanned; ``message_key`` names the catalogue message shown for it."""

    def __init__(self, message_key: str, file_name: str, **params: object) -> None:
        super().__init__(f'{file_name}: {message_key} {params}')
        self.message_key = message_key
        self.file_name = file_name
        self.params = params
