"""The rule for a test whose tool is missing: skipped with the reason on a developer's machine, failed in CI."""
import os
from typing import NoReturn

import pytest


def missing(message: str) -> NoReturn:
    """Skip the calling test with the message, or fail it when CI=true, where every tool must be installed."""
    if os.environ.get('CI') == 'true':
        pytest.fail(message)
    pytest.skip(message)
