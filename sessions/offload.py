"""Running pixel work off the event loop, in NiceGUI's process pool where there is one."""
from collections.abc import Callable
from typing import Any

from nicegui import run


async def cpu_bound(function: Callable[..., Any], *args: Any) -> Any:
    """Run pixel work in NiceGUI's process pool, or in a worker thread where NiceGUI has set up no pool."""
    if run.process_pool is None:
        return await run.io_bound(function, *args)
    return await run.cpu_bound(function, *args)
