"""Durability: phones post notes while the server is killed with SIGKILL 20 times; no acknowledged note is lost."""
import asyncio
from pathlib import Path

import pytest

from bench.chaos import run_chaos

KILLS = 20
PHONES = 20


@pytest.mark.slow
def test_kills_lose_no_acknowledged_note(tmp_path: Path) -> None:
    report = asyncio.run(run_chaos(tmp_path, kills=KILLS, phones=PHONES, seed=20))
    print(f'chaos: {report.kills} kills, {report.sent} sent, {report.acknowledged} acknowledged, '
          f'{report.stored} stored, {report.stored_unacknowledged} stored without acknowledgement, '
          f'{len(report.lost)} lost, {len(report.duplicates)} duplicated, {report.seconds} s')

    assert report.acknowledged >= KILLS * PHONES  # most rounds acknowledged notes, so the kills hit real traffic
    assert report.lost == []
    assert report.duplicates == []
    assert report.stored >= report.acknowledged
    assert report.integrity == 'ok'
