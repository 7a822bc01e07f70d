"""Chaos test: simulated phones post notes while the server is killed with SIGKILL and restarted.

Run from the repository root, for example:

    .venv/bin/python -m bench.chaos --kills 100 --phones 20

Each round starts ``run.py`` on the same data folder and port, opens the phones' join pages through
NiceGUI's websocket (bench/load/phone.py), lets every phone post notes one after another, and kills
the server after a random time. A note counts as acknowledged only when the server's 送信しました
notification reached its phone. At the end every acknowledged note must be in the database, and no
note may be stored twice. Everything runs on 127.0.0.1, and every round and wait is bounded.
"""
import argparse
import asyncio
import itertools
import json
import logging
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import aiohttp

from bench.load.phone import Phone, PhoneError
from bench.load.servers import free_port
from bench.restartable import ROOT, RestartableServer

log = logging.getLogger('bench.chaos')

SENT = '送信しました'  # the notification the join page shows once the store has committed the note
ACK_TIMEOUT = 10.0  # seconds a phone waits for one note's acknowledgement before it gives up on the round
TEXT_PREFIX = 'chaos '


@dataclass
class ChaosReport:
    """The figures of one chaos run; ``lost`` and ``duplicates`` must both be empty."""

    kills: int
    phones: int
    sent: int = 0  # notes whose tap reached the server's socket, as far as the phone can tell
    acknowledged: int = 0
    stored: int = 0
    stored_unacknowledged: int = 0  # committed, but the kill came before the acknowledgement reached the phone
    lost: list[str] = field(default_factory=list)  # acknowledged, yet missing from the database
    duplicates: list[str] = field(default_factory=list)  # texts stored more than once
    integrity: str = ''  # PRAGMA integrity_check after the last restart
    restart_seconds: list[float] = field(default_factory=list)
    seconds: float = 0.0


def main() -> None:
    """Parse the options, run the chaos test in a temporary data folder and print its figures as JSON."""
    parser = argparse.ArgumentParser(description='Kill a Fusen server with SIGKILL while phones post notes.')
    parser.add_argument('--kills', type=int, default=100, help='SIGKILLs, each followed by a restart (default 100)')
    parser.add_argument('--phones', type=int, default=20, help='simulated phones posting notes (default 20)')
    parser.add_argument('--seed', type=int, default=1, help='seed of the random kill moments (default 1)')
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    with tempfile.TemporaryDirectory(prefix='fusen-chaos-') as folder:
        report = asyncio.run(run_chaos(Path(folder), kills=args.kills, phones=args.phones, seed=args.seed))
    figures = asdict(report)
    restarts = sorted(figures.pop('restart_seconds'))
    figures['restart_seconds_median'] = round(restarts[len(restarts) // 2], 2)
    figures['restart_seconds_max'] = round(restarts[-1], 2)
    print(json.dumps(figures, ensure_ascii=False, indent=1))


async def run_chaos(data_dir: Path, *, kills: int, phones: int, seed: int = 1,
                    uptime: tuple[float, float] = (0.3, 2.0)) -> ChaosReport:
    """Run ``kills`` rounds of posting and SIGKILL on a new workshop in ``data_dir`` and compare with the database.

    :param uptime: range of seconds, counted from the server's first response, in which each round's kill falls
    """
    started = time.monotonic()
    report = ChaosReport(kills=kills, phones=phones)
    rng = random.Random(seed)
    server = RestartableServer(data_dir, free_port(),
                               env={'FUSEN_NOTES_PER_MINUTE': '0', 'FUSEN_REQUESTS_PER_MINUTE': '0'})
    join_path = _create_workshop(server)
    ledger = _Ledger()
    numbers = itertools.count()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        for round_number in range(kills):
            report.restart_seconds.append(await asyncio.to_thread(server.start))
            posting = [asyncio.create_task(_post_until_closed(server.url, join_path, http, ledger, phone, numbers))
                       for phone in range(phones)]
            await asyncio.sleep(rng.uniform(*uptime))
            server.kill()
            await asyncio.wait(posting, timeout=ACK_TIMEOUT + 5)
            for task in posting:
                task.cancel()
            log.info('round %d of %d: %d sent, %d acknowledged so far', round_number + 1, kills,
                     len(ledger.sent), len(ledger.acknowledged))
    # One more start shows that the server opens the folder after the last kill; then a clean stop.
    report.restart_seconds.append(await asyncio.to_thread(server.start))
    server.stop()
    _compare(data_dir / 'fusen.db', ledger, report)
    report.seconds = round(time.monotonic() - started, 1)
    return report


@dataclass
class _Ledger:
    """Note texts that the phones sent, and those that the server acknowledged."""

    sent: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)


def _create_workshop(server: RestartableServer) -> str:
    """Create a workshop with one session in the server's data folder and return the session's join path."""
    created = subprocess.run([sys.executable, str(ROOT / 'run.py'), 'new', '障害試験の対話会', '--session', '駅前',
                              '--data-dir', str(server.data_dir), '--public-url', server.url],
                             cwd=ROOT, capture_output=True, text=True, timeout=120, check=True).stdout
    return re.search(r'^join: \S+?(/j/\S+)', created, re.M).group(1)


async def _post_until_closed(base_url: str, join_path: str, http: aiohttp.ClientSession, ledger: _Ledger,
                             index: int, numbers: itertools.count) -> None:
    """Open one phone and post notes one at a time, each after the last was acknowledged, until the socket drops."""
    acknowledgement = asyncio.Event()

    def on_update(data: dict, _: float) -> None:
        if data.get('message') == SENT:  # a notify frame; update frames are keyed by element id
            acknowledgement.set()

    phone = Phone(base_url, join_path, http, on_update=on_update)
    try:
        await phone.open()
    except PhoneError:
        return  # the kill came while this page loaded
    try:
        while phone.connected and phone.reader is not None and not phone.reader.done():
            text = f'{TEXT_PREFIX}{index}-{next(numbers)}'
            acknowledgement.clear()
            await phone.post_note(text)
            ledger.sent.add(text)
            waiting = asyncio.create_task(acknowledgement.wait())
            await asyncio.wait([waiting, phone.reader], timeout=ACK_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
            waiting.cancel()
            if not acknowledgement.is_set():
                return
            ledger.acknowledged.add(text)
    except (aiohttp.ClientError, ConnectionError):
        return
    finally:
        await phone.close()


def _compare(database: Path, ledger: _Ledger, report: ChaosReport) -> None:
    with sqlite3.connect(database) as connection:
        report.integrity = connection.execute('PRAGMA integrity_check').fetchone()[0]
        texts = [row[0] for row in connection.execute('SELECT text FROM notes WHERE text LIKE ?', (TEXT_PREFIX + '%',))]
    counts = Counter(texts)
    stored = set(counts)
    report.sent = len(ledger.sent)
    report.acknowledged = len(ledger.acknowledged)
    report.stored = len(texts)
    report.stored_unacknowledged = len(stored - ledger.acknowledged)
    report.lost = sorted(ledger.acknowledged - stored)
    report.duplicates = sorted(text for text, count in counts.items() if count > 1)


if __name__ == '__main__':
    main()
