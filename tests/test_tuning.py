"""The server levers that let one process carry thousands of open pages."""
import asyncio
import gc
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from nicegui import app, outbox
from nicegui.testing import User
from starlette.routing import Mount
from starlette.types import Message, Receive, Scope, Send

from sessions import runtime, theme, tuning

IDLE_SECONDS = 2.5


class _Page:
    """The little of a NiceGUI client that an outbox uses while it has nothing to send."""

    id = 'idle-page'
    has_socket_connection = True

    def check_existence(self) -> None:
        pass


class _CountingOutbox(outbox.Outbox):
    """An outbox that counts its loop's rounds and records what it sends instead of emitting it."""

    def __init__(self, page: _Page) -> None:
        self.rounds = 0
        self.sent: list[outbox.Message] = []
        super().__init__(page)  # type: ignore[arg-type]

    @property  # type: ignore[override]
    def _should_stop(self) -> bool:
        # The loop reads this once per round, also after a timed-out wait.
        self.rounds += 1
        return self._stopped

    @_should_stop.setter
    def _should_stop(self, value: bool) -> None:
        self._stopped = value

    async def _emit(self, message: outbox.Message) -> None:
        self.sent.append(message)


async def test_outbox_idle_waits_without_timeout(user: User) -> None:
    await user.open('/')  # starts the app the way run.py sets it up
    page = _Page()
    box = _CountingOutbox(page)

    await asyncio.sleep(IDLE_SECONDS)
    idle_rounds = box.rounds
    box.enqueue_message('notify', {'message': '届きました'}, page.id)
    for _ in range(50):
        if box.sent:
            break
        await asyncio.sleep(0.1)
    box.stop()

    # One round sends the initial state, the next waits. NiceGUI's own loop wakes every second.
    assert idle_rounds <= 2, f'the outbox woke {idle_rounds} times in {IDLE_SECONDS} s with nothing to send'
    assert box.sent == [(page.id, 'notify', {'message': '届きました'})]


async def test_websocket_skips_middleware(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    await user.open('/')
    socket_mount = next(route for route in app.routes if isinstance(route, Mount) and route.path == '/_nicegui_ws')
    reached: list[tuple[Scope, list[str]]] = []

    async def socket_app(scope: Scope, receive: Receive, send: Send) -> None:
        callers, frame = [], sys._getframe(1)
        while frame is not None:
            caller = frame.f_locals.get('self')
            callers.append(type(caller).__name__ if caller is not None else frame.f_code.co_name)
            frame = frame.f_back
        reached.append((scope, callers))

    async def receive() -> Message:
        return {'type': 'websocket.connect'}

    async def send(message: Message) -> None:
        pass

    monkeypatch.setattr(socket_mount, 'app', socket_app)
    stack = app.build_middleware_stack()
    await stack({'type': 'websocket', 'path': '/_nicegui_ws/socket.io/', 'root_path': '', 'headers': [],
                 'query_string': b'EIO=4&transport=websocket'}, receive, send)

    assert len(reached) == 1
    scope, callers = reached[0]
    assert scope['root_path'] == '/_nicegui_ws'  # what Starlette's Mount gives the socket.io app
    assert [name for name in callers if 'Middleware' in name] == []


async def test_connected_page_releases_request(user: User) -> None:
    await user.open('/')
    request = user.client.request

    assert 'BaseHTTPMiddleware' not in request.receive.__qualname__
    assert [key for key in tuning.FASTAPI_EXIT_STACKS if key in request.scope] == []
    assert request.url.path == '/'  # what pages read from the request stays


async def test_connected_page_releases_html(user: User) -> None:
    created = runtime.store().create_workshop('対話会', sessions=[('観光', '島を訪れる人に何を？')])
    await user.open(f'/j/{created.workshop.join_token}')

    # The join page adds styles to the head and scripts to the body, which the browser has by now.
    assert user.client.head_html == user.client.shared_head_html
    assert user.client.body_html == user.client.shared_body_html


async def test_freeze_round_collects_without_count(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=tuning.__name__)
    calls: list[str] = []
    monkeypatch.setattr(gc, 'get_freeze_count', lambda: calls.append('count') or 0)
    monkeypatch.setattr(gc, 'freeze', lambda: calls.append('freeze'))
    monkeypatch.setattr(gc, 'collect', lambda generation=2: calls.append('collect') or 0)
    monkeypatch.setattr(tuning, 'FREEZE_INTERVAL', 0.01)
    task = asyncio.create_task(tuning._freeze_periodically())
    await asyncio.sleep(0.1)
    task.cancel()

    # Counting walks every frozen object, so it must not run on each round unless the count is logged.
    assert 'count' not in calls
    # Garbage is collected before each freeze, or it would stay frozen for good.
    assert calls[:6] == ['collect', 'freeze', 'collect', 'freeze', 'collect', 'freeze']


async def test_colors_set_once_for_app(user: User) -> None:
    created = runtime.store().create_workshop('対話会', sessions=[('観光', '島を訪れる人に何を？')])
    await user.open(f'/j/{created.workshop.join_token}')

    assert app.config.quasar_config['brand']['primary'] == theme.PRIMARY
    assert [element for element in user.client.elements.values() if element.tag == 'nicegui-colors'] == []


async def test_join_page_without_notes_lacks_list(user: User) -> None:
    created = runtime.store().create_workshop('対話会', sessions=[('観光', '島を訪れる人に何を？')])
    await user.open(f'/j/{created.workshop.join_token}')

    await user.should_not_see(marker='my-notes')


def test_server_start_skips_reportlab() -> None:
    # A fresh interpreter, because other tests in this process may have printed a PDF already.
    script = 'import sys, sessions.app, sessions.tuning as t; t.load_printouts(); print("reportlab" in sys.modules)'
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parent.parent, check=True)

    assert result.stdout.strip() == 'False'
