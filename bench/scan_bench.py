"""Measure the scan pipeline on the generated corpus: filing rates, wrong filings, blank skips, leftovers and speed.

    .venv/bin/python -m bench.scan_corpus --out out/corpus
    .venv/bin/python -m bench.scan_bench out/corpus --workers 2

Each set is ingested into the corpus's own workshop and compared with the ground truth beside its
files. Cards whose QR code the corpus tore or smudged are left out of the filing figures and
measured as leftovers instead: the pages that contain them are analysed once more, and each
leftover's centre is matched to the card whose centre lies within a quarter of a card's width.
Speed compares, in the same run and on the same pages, the whole pipeline (read, decode,
straighten, weigh ink, encode, store) with one bare zxing-cpp pass over the already loaded pages.
"""
import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np

from workshop.scan.analysis import analyse_page
from workshop.scan.decoding import bare_decode
from workshop.scan.ingest import ingest_files
from workshop.scan.loading import load_page, open_scan
from workshop.scan.regions import card_outlines
from workshop.scans_store import ScanStore
from workshop.store import Store

PHONE_SETS = {'phone-sheet', 'phone-cards'}


def main() -> None:
    parser = argparse.ArgumentParser(description='Benchmark the scan pipeline on a generated corpus.')
    parser.add_argument('corpus', type=Path, help='folder written by bench.scan_corpus')
    parser.add_argument('--workers', type=int, default=2, help='worker processes for page analysis')
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    workshop_id = json.loads((args.corpus / 'workshop.json').read_text())['workshop']
    store = Store(args.corpus / 'data' / 'fusen.db')
    try:
        rows = [measure_set(ScanStore(store), workshop_id, folder, args.workers)
                for folder in sorted(path for path in args.corpus.iterdir() if path.is_dir() and path.name != 'data')]
    finally:
        store.close()
    print_table(rows)
    print_damage_table([row for row in rows if 'damaged_written' in row])
    speed(args.corpus / 'scan-300', args.workers)


def measure_set(scans: ScanStore, workshop_id: str, folder: Path, workers: int) -> dict:
    """Ingest one set and compare every card with the ground truth."""
    files = sorted(path for path in folder.iterdir() if path.suffix != '.json')
    truth = [card for path in files for page in _truth(path)['pages'] for card in page]
    reports = ingest_files(scans, workshop_id, files, workers=workers)
    filed = [code for report in reports for code in report.filed]
    by_code = {card['code']: card for card in truth}
    readable = [card for card in truth if not card.get('damage')]
    written = [card for card in readable if card['written']]
    blank = [card for card in readable if not card['written']]
    row = {
        'set': folder.name,
        'written': len(written),
        'filed': sum(1 for card in written if card['code'] in filed),
        'wrong': sum(1 for code in filed if code not in by_code),
        'blank': len(blank),
        'blank_skipped': sum(1 for card in blank if card['code'] not in filed),
        'leftovers': sum(report.leftovers for report in reports),
        'errors': sum(len(report.errors) for report in reports),
    }
    if len(readable) < len(truth):
        row.update(measure_leftovers(files, set(filed)))
    return row


def measure_leftovers(files: list[Path], filed: set[str]) -> dict:
    """Match the leftovers of every page to the cards of the ground truth by where their centres lie."""
    counts = {'damaged_written': 0, 'listed': 0, 'damaged_blank': 0, 'damaged_blank_skipped': 0, 'false_leftovers': 0}
    for path in files:
        scan = open_scan(path)
        for index, cards in enumerate(_truth(path)['pages']):
            analysis = analyse_page(scan, index)
            matched = [_card_at(cards, leftover.corners) for leftover in analysis.leftovers]
            for card in cards:
                if card.get('damage') and card['written']:
                    counts['damaged_written'] += 1
                    counts['listed'] += card in matched
                elif card.get('damage'):
                    counts['damaged_blank'] += 1
                    counts['damaged_blank_skipped'] += card not in matched
            # A leftover is right only for a written card that was not filed, whether its code was damaged or missed.
            counts['false_leftovers'] += sum(1 for card in matched
                                             if card is None or not card['written'] or card['code'] in filed)
    return counts


def _card_at(cards: list[dict], corners) -> dict | None:
    """Return the card of the ground truth whose centre is nearest a leftover's, if near enough to be that card."""
    if corners is None or not all('centre' in card for card in cards):
        return None
    centre = np.mean(corners, axis=0)
    width = np.hypot(*(np.array(corners[1]) - np.array(corners[0])))
    nearest = min(cards, key=lambda card: np.hypot(*(np.array(card['centre']) - centre)))
    return nearest if np.hypot(*(np.array(nearest['centre']) - centre)) < width / 4 else None


def speed(folder: Path, workers: int) -> None:
    """Print pages per second for the pipeline and for bare decoding of the same 300 dpi pages.

    Also prints what the search for cut cards by their outline costs a page, which the pipeline
    runs on every page besides decoding.
    """
    files = sorted(path for path in folder.iterdir() if path.suffix != '.json')
    workshop_store = Store(folder.parent / 'data' / 'speed.db')
    try:
        created = workshop_store.create_workshop('speed', sessions=[('a', '')])
        started = time.perf_counter()
        reports = ingest_files(ScanStore(workshop_store), created.workshop.id, files, workers=workers)
        pipeline = time.perf_counter() - started
    finally:
        workshop_store.close()
        for suffix in ('', '-wal', '-shm'):
            (folder.parent / 'data' / f'speed.db{suffix}').unlink(missing_ok=True)
    pages = sum(report.pages for report in reports)
    jobs = [(scan, index) for path in files for scan in [open_scan(path)] for index in range(scan.pages)]
    started = time.perf_counter()
    loaded = [load_page(scan, index) for scan, index in jobs]
    grays = [page.convert('L') for page in loaded]
    loading = time.perf_counter() - started
    started = time.perf_counter()
    for gray in grays:
        bare_decode(gray)
    decoding = time.perf_counter() - started
    started = time.perf_counter()
    for page in loaded:
        card_outlines(page)
    outlines = time.perf_counter() - started
    print(f'\nspeed on {pages} pages of {folder.name}, {workers} worker processes for the pipeline:')
    print(f'  pipeline, files to stored notes: {pages / pipeline:.2f} pages/s')
    print(f'  bare zxing-cpp decoding, pages read from the files, one process: {pages / (loading + decoding):.2f} pages/s')
    print(f'  bare zxing-cpp decoding of pages already in memory, one process: {pages / decoding:.2f} pages/s')
    print(f'  cut-card outline search on pages already in memory, one process: {1000 * outlines / pages:.0f} ms/page')


def print_table(rows: list[dict]) -> None:
    print('| set | written | filed | filed % | wrong card | blank | blank skipped % | leftovers | errors |')
    print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for row in rows:
        filed = 100 * row['filed'] / row['written'] if row['written'] else 100.0
        skipped = 100 * row['blank_skipped'] / row['blank'] if row['blank'] else 100.0
        print(f"| {row['set']} | {row['written']} | {row['filed']} | {filed:.1f} | {row['wrong']} | {row['blank']} | "
              f"{skipped:.1f} | {row['leftovers']} | {row['errors']} |")
    phone = [row for row in rows if row['set'] in PHONE_SETS]
    if phone:
        written = sum(row['written'] for row in phone)
        filed = sum(row['filed'] for row in phone)
        print(f'| phone photos together | {written} | {filed} | {100 * filed / max(1, written):.1f} | | | | | |')


def print_damage_table(rows: list[dict]) -> None:
    print('\n| set | torn or smudged, written | listed as leftovers | torn or smudged, blank | blank skipped '
          '| false leftovers |')
    print('| --- | ---: | ---: | ---: | ---: | ---: |')
    for row in rows:
        print(f"| {row['set']} | {row['damaged_written']} | {row['listed']} | {row['damaged_blank']} | "
              f"{row['damaged_blank_skipped']} | {row['false_leftovers']} |")


def _truth(path: Path) -> dict:
    return json.loads(path.with_suffix('.json').read_text(encoding='utf-8'))


if __name__ == '__main__':
    main()
