"""The server levers that let one process carry thousands of open pages."""
import asyncio

from nicegui import outbox
from nicegui.testing import User

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
