"""Measure the cost of one note's commit with SQLite's ``synchronous`` at FULL and at NORMAL, both in WAL mode.

Run from the repository root:

    .venv/bin/python -m bench.commit_cost --notes 1000

Each setting gets its own fresh database in a temporary folder inside ``--folder``
(default: the system's temporary folder), and posts notes through ``Store.post_note`` one at a time,
as the join page does. The two settings alternate in blocks, so a noisy neighbour hurts both alike.
"""
import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from workshop.config import Limits
from workshop.store import Store

SETTINGS = ('FULL', 'NORMAL')
BLOCK = 50  # notes per setting before switching to the other


def main() -> None:
    """Parse the options, time the commits and print milliseconds per note for each setting as JSON."""
    parser = argparse.ArgumentParser(description='Time note commits with synchronous = FULL and NORMAL.')
    parser.add_argument('--notes', type=int, default=1000, help='notes per setting (default 1000)')
    parser.add_argument('--folder', type=Path, help='where the temporary databases go (default: system temp)')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='fusen-commit-', dir=args.folder) as folder:
        print(json.dumps(measure(Path(folder), args.notes), indent=1))


def measure(folder: Path, notes: int) -> dict[str, dict[str, float]]:
    """Post ``notes`` notes under each setting and return the per-note milliseconds: median, p95 and mean."""
    stores = {}
    targets = {}
    for setting in SETTINGS:
        store = Store(folder / f'{setting.lower()}.db', Limits(notes_per_minute=0))
        store.db.execute(f'PRAGMA synchronous = {setting}')
        created = store.create_workshop('計測', sessions=[('駅前', '')])
        participant = store.create_participant(created.workshop.id)
        stores[setting] = store
        targets[setting] = (created.sessions[0].id, participant.id)
    timings: dict[str, list[float]] = {setting: [] for setting in SETTINGS}
    for block in range(0, notes, BLOCK):
        for setting in SETTINGS:
            session_id, participant_id = targets[setting]
            for number in range(block, min(block + BLOCK, notes)):
                started = time.perf_counter()
                stores[setting].post_note(session_id, participant_id, f'意見 {number}')
                timings[setting].append((time.perf_counter() - started) * 1000)
    for store in stores.values():
        store.close()
    return {setting: _summary(values) for setting, values in timings.items()}


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {'median_ms': round(statistics.median(ordered), 3),
            'p95_ms': round(ordered[int(len(ordered) * 0.95) - 1], 3),
            'mean_ms': round(statistics.fmean(ordered), 3),
            'notes_per_second': round(1000 / statistics.fmean(ordered), 1)}


if __name__ == '__main__':
    main()
