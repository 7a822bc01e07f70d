"""Time the minutes PDF of a large workshop: how long an organiser waits for the printout.

Run from the repository root: ``.venv/bin/python -m bench.minutes_bench --notes 1000 --cards 300 --repeat 5``.

Scanned cards are printed with the card sheet PDF, written on in a handwriting-like font, rendered
at 300 dpi and filed through the scan pipeline, so their images are the ones a real scan stores.
Only the builds of the PDF are timed.
"""
import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench.scan_corpus import FONT_CANDIDATES, TEXTS, render_sheet, write_cards
from printouts.minutes import minutes_pdf
from workshop import layout
from workshop.config import Limits
from workshop.model import NewWorkshop
from workshop.scan.analysis import analyse_image
from workshop.scan.filing import FileReport, file_page
from workshop.scans_store import ScanStore
from workshop.store import Store

SCAN_DPI = 300

SENTENCES = ['駅前に屋根付きの駐輪場がほしい', '港の待合所にWi-Fiを', '高齢者が歩いて行ける買い物の場所',
             '子どもが雨の日に遊べる公園', '観光客向けの案内を英語と中国語でも', '空き家を若い人のシェアハウスに']


def main() -> None:
    """Fill a temporary workshop with notes, build its minutes several times and print the timings."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument('--notes', type=int, default=1000, help='notes in the workshop (default 1000)')
    parser.add_argument('--cards', type=int, default=0,
                        help='scanned paper cards with handwriting images, half of them transcribed (default 0)')
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
        scans = ScanStore(store)
        _scan_cards(scans, created, args.cards)

        workshop = store.workshop(created.workshop.id)
        sessions = store.sessions(workshop.id)
        notes = store.notes(workshop.id)
        image_files = {note.image_id: scans.image_path(workshop.id, note.image_id)
                       for note in notes if note.image_id is not None}
        count = store.participant_count(workshop.id)
        seconds = []
        size = 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            size = len(minutes_pdf(workshop, sessions, notes, count, image_files=image_files))
            seconds.append(time.perf_counter() - started)
        store.close()
    print(f'{args.notes} typed notes and {len(image_files)} scanned cards in {args.sessions} sessions: '
          f'minutes PDF of {size / 1024:.0f} KiB, median {statistics.median(seconds):.2f} s, '
          f'min {min(seconds):.2f} s, max {max(seconds):.2f} s over {args.repeat} builds')


def _scan_cards(scans: ScanStore, created: NewWorkshop, count: int) -> None:
    """Print, write on, scan and file ``count`` cards, and type the text of every second one."""
    rng = random.Random(2026)
    font = next(path for path in FONT_CANDIDATES if path.exists())
    sessions = created.sessions
    for first in range(0, count, layout.CARDS_PER_SHEET):
        session = sessions[(first // layout.CARDS_PER_SHEET) % len(sessions)]
        cards = scans.store.create_cards(session.id, min(layout.CARDS_PER_SHEET, count - first))
        texts = [rng.choice(TEXTS) for _ in cards]
        image = render_sheet(created, cards, SCAN_DPI)
        write_cards(image, SCAN_DPI, texts, font, rng)
        file_page(scans, created.workshop.id, analyse_image(image), FileReport(name=f'sheet-{first}'))
        for number, (card, text) in enumerate(zip(cards, texts)):
            note = scans.store.card_note(card.id)
            if note is not None and number % 2 == 0:
                scans.transcribe(note.id, text)


if __name__ == '__main__':
    main()
