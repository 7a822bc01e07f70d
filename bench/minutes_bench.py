"""Time the minutes PDF of a large workshop: how long an organiser waits for the printout.

Run from the repository root: ``.venv/bin/python -m bench.minutes_bench --notes 1000 --repeat 5``.
"""
import argparse
import statistics
import tempfile
import time
from pathlib import Path

from printouts.minutes import minutes_pdf
from workshop.config import Limits
from workshop.store import Store

SENTENCES = ['駅前に屋根付きの駐輪場がほしい', '港の待合所にWi-Fiを', '高齢者が歩いて行ける買い物の場所',
             '子どもが雨の日に遊べる公園', '観光客向けの案内を英語と中国語でも', '空き家を若い人のシェアハウスに']


def main() -> None:
    """Fill a temporary workshop with notes, build its minutes several times and print the timings."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument('--notes', type=int, default=1000, help='notes in the workshop (default 1000)')
    parser.add_argument('--sessions', type=int, default=4, help='sessions the notes are spread over (default 4)')
    parser.add_argument('--repeat', type=int, default=5, help='minutes PDFs to build (default 5)')
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix='fusen-minutes-') as folder:
        store = Store(Path(folder) / 'fusen.db', Limits(notes_per_minute=0))
        created = store.create_workshop('まちづくり対話会', date='2026-12-05', venue='市民ホール',
                                        question='10年後のまちをどうしたい？',
                                        sessions=[(f'テーマ{number + 1}', '何があるとよい？')
                                                  for number in range(args.sessions)])
        participants = [store.create_participant(created.workshop.id) for _ in range(50)]
        for number in range(args.notes):
            session = created.sessions[number % args.sessions]
            text = f'{SENTENCES[number % len(SENTENCES)]}（{number + 1}）'
            store.post_note(session.id, participants[number % len(participants)].id, text)

        workshop = store.workshop(created.workshop.id)
        sessions = store.sessions(workshop.id)
        notes = store.notes(workshop.id)
        count = store.participant_count(workshop.id)
        seconds = []
        size = 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            size = len(minutes_pdf(workshop, sessions, notes, count))
            seconds.append(time.perf_counter() - started)
        store.close()
    print(f'{args.notes} notes in {args.sessions} sessions: minutes PDF of {size / 1024:.0f} KiB, '
          f'median {statistics.median(seconds):.2f} s, min {min(seconds):.2f} s, max {max(seconds):.2f} s '
          f'over {args.repeat} builds')


if __name__ == '__main__':
    main()
