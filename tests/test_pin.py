"""The optional facilitator PIN and its lockout after five failures in ten minutes."""
import asyncio

import pytest
from nicegui.testing import User

from sessions import runtime
from workshop import access
from workshop.model import NewWorkshop
from workshop.store import Store


def test_pin_must_be_digits(store: Store, workshop: NewWorkshop) -> None:
    for pin in ['12345', 'abcdef', '1234567890123', '１２３４５６', '']:
        with pytest.raises(ValueError):
            access.set_pin(store, workshop.workshop.id, pin)
    assert access.pin_version(store, workshop.workshop.id) is None


def test_pin_stored_as_hash(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '246810')
    stored = store.query('SELECT pin_hash FROM workshops')[0][0]
    assert '246810' not in stored
    assert access.check_pin(store, workshop.workshop.id, '246810').accepted


def test_wrong_pin_refused(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '246810')
    result = access.check_pin(store, workshop.workshop.id, '000000')
    assert not result.accepted
    assert not result.locked


def test_lockout_after_five_failures(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '246810')
    results = [access.check_pin(store, workshop.workshop.id, '111111', now=1000.0 + n) for n in range(5)]
    assert [result.locked for result in results] == [False, False, False, False, True]
    right_but_locked = access.check_pin(store, workshop.workshop.id, '246810', now=1010.0)
    assert not right_but_locked.accepted
    assert right_but_locked.retry_after == 591


def test_lockout_ends_after_ten_minutes(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '246810')
    for n in range(5):
        access.check_pin(store, workshop.workshop.id, '111111', now=1000.0 + n)
    assert access.check_pin(store, workshop.workshop.id, '246810', now=1000.0 + 605).accepted


def test_old_failures_do_not_count(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '246810')
    for n in range(4):
        access.check_pin(store, workshop.workshop.id, '111111', now=1000.0 + n)
    assert not access.check_pin(store, workshop.workshop.id, '111111', now=1700.0).locked


def test_lockout_survives_restart(store: Store, workshop: NewWorkshop) -> None:
    access.set_pin(store, workshop.workshop.id, '246810')
    for n in range(5):
        access.check_pin(store, workshop.workshop.id, '111111', now=1000.0 + n)
    reopened = Store(store.path)
    assert access.check_pin(reopened, workshop.workshop.id, '246810', now=1100.0).locked
    reopened.close()


async def wait_for_failures(workshop_id: str, count: int) -> None:
    """Wait until the store has counted this many failed entries, so each click is handled before the next."""
    for _ in range(50):
        rows = runtime.store().query('SELECT COUNT(*) FROM pin_failures WHERE workshop_id = ?', (workshop_id,))
        if rows[0][0] >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f'expected {count} failed PIN entries')


def create_with_pin(pin: str) -> NewWorkshop:
    created = runtime.store().create_workshop('対話会', sessions=[('観光', '')])
    access.set_pin(runtime.store(), created.workshop.id, pin)
    return created


async def test_page_asks_for_pin(user: User) -> None:
    created = create_with_pin('246810')
    await user.open(f'/f/{created.facilitator_key}')
    await user.should_see(marker='pin')
    await user.should_not_see(marker='workshop-title')
    await user.should_not_see(marker='join-A')


async def test_right_pin_opens_page(user: User) -> None:
    created = create_with_pin('246810')
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='pin').type('246810')
    user.find(marker='pin-submit').click()
    await user.open(f'/f/{created.facilitator_key}')
    await user.should_see(marker='workshop-title')


async def test_wrong_pin_shows_message(user: User) -> None:
    created = create_with_pin('246810')
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='pin').type('000000')
    user.find(marker='pin-submit').click()
    await user.should_see('PINがちがいます。')
    await user.should_not_see(marker='workshop-title')


async def test_locked_page_says_so(user: User) -> None:
    created = create_with_pin('246810')
    await user.open(f'/f/{created.facilitator_key}')
    for attempt in range(1, 5):
        user.find(marker='pin').type('000000')
        user.find(marker='pin-submit').click()
        await wait_for_failures(created.workshop.id, attempt)
    user.find(marker='pin').type('000000')
    user.find(marker='pin-submit').click()
    await user.should_see('まちがいが続いたため、ロックしました。10分ほど待ってから入力してください。')


async def test_changed_pin_asks_again(user: User) -> None:
    created = create_with_pin('246810')
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='pin').type('246810')
    user.find(marker='pin-submit').click()
    access.set_pin(runtime.store(), created.workshop.id, '13579135')
    await user.open(f'/f/{created.facilitator_key}')
    await user.should_see(marker='pin')


async def test_facilitator_sets_pin(user: User) -> None:
    created = runtime.store().create_workshop('対話会', sessions=[('観光', '')])
    await user.open(f'/f/{created.facilitator_key}')
    await user.should_see('いまはPINが設定されていません。')
    user.find(marker='new-pin').type('86420864')
    user.find(marker='save-pin').click()
    await user.should_see('いまはPINが設定されています。')
    assert access.check_pin(runtime.store(), created.workshop.id, '86420864').accepted


async def test_short_pin_rejected_on_page(user: User) -> None:
    created = runtime.store().create_workshop('対話会', sessions=[('観光', '')])
    await user.open(f'/f/{created.facilitator_key}')
    user.find(marker='new-pin').type('1234')
    user.find(marker='save-pin').click()
    await user.should_see('PINは6〜12けたの数字にしてください。')
    assert access.pin_version(runtime.store(), created.workshop.id) is None
