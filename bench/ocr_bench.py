"""Measure tesseract's suggestions for the transcription queue on the generated corpus.

    .venv/bin/python -m bench.scan_corpus --out out/ocr-corpus
    flock /tmp/fusen-bench.lock .venv/bin/python -m bench.ocr_bench out/ocr-corpus

Files the corpus with the scan pipeline first if its database has no handwriting notes yet. Then
every written card that was filed is read from its stored image, the WebP that the transcription
page shows, once per setting (language model, page segmentation mode, crop, enlargement,
binarisation). Each reading is compared with the card's ground truth, both in NFKC without
whitespace: character error rate (edit distance over length), share of cards read exactly, and
the keystrokes a volunteer types with the suggestion (its edit distance to the truth) against
typing from scratch (the truth's length). For the chosen setting, a table of confidence
thresholds shows what offering only the confident suggestions saves.
"""
import argparse
import json
import logging
import statistics
import subprocess
import time
import unicodedata
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from workshop import layout
from workshop.scan import ocr
from workshop.scan.analysis import IMAGE_MARGIN
from workshop.scan.ingest import ingest_files
from workshop.scans_store import ScanStore
from workshop.store import Store

PAGE_MODES = (6, 7, 11)
ENLARGED = 20.0  # pixels per mm: above every stored image's (at most 14), so every card is enlarged
# An elastic distortion (every pixel moved by a smooth random field) shakes the font's strokes like a
# less steady hand, so the threshold is also measured on cards that tesseract misreads. Amplitudes in mm,
# smoothed over 1 mm.
WARPS = (1.0, 1.5, 2.0)
WARP_SMOOTHING = 1.0
PREPARATIONS = {
    'stored image': dict(crop=False),
    'cropped': dict(crop=True),
    'cropped, enlarged': dict(crop=True, pixels_per_mm=ENLARGED),
    'cropped, enlarged, binarised': dict(crop=True, binarise=True, pixels_per_mm=ENLARGED),
}
THRESHOLDS = (0, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description='Measure OCR suggestions on a generated scan corpus.')
    parser.add_argument('corpus', type=Path, help='folder written by bench.scan_corpus')
    parser.add_argument('--workers', type=int, default=2, help='worker processes to file the corpus, if not filed yet')
    parser.add_argument('--results', type=Path, help='JSON file to write every reading to')
    parser.add_argument('--chosen-only', action='store_true', help="measure only workshop/scan/ocr.py's settings")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    program = ocr.engine()
    if program is None:
        raise SystemExit('tesseract with its Japanese model is not installed: apt-get install tesseract-ocr tesseract-ocr-jpn')

    cards = filed_cards(args.corpus, args.workers)
    print(f'{len(cards)} written cards filed; tesseract {_version(program)}; models: {", ".join(_languages(program))}')
    chosen = _label(ocr.Settings())
    candidates = [(chosen, ocr.Settings())] if args.chosen_only else all_settings(program)
    results = {name: [dict(card, **measure(program, card['image'], card['truth'], settings)) for card in cards]
               for name, settings in candidates}
    print_settings_table(results)
    print_set_table(chosen, results[chosen])

    warped = {}
    for amplitude in WARPS:
        warped[f'{chosen} | warped {amplitude:g} mm'] = [
            dict(card, **measure(program, card['image'], card['truth'], ocr.Settings(), warp=amplitude, seed=number))
            for number, card in enumerate(cards)]
    print_settings_table(warped)

    print_threshold_table(f'{chosen}, corpus cards', results[chosen])
    print_threshold_table(f'{chosen}, corpus and warped cards together',
                          results[chosen] + [row for rows in warped.values() for row in rows])

    results.update(warped)
    if args.results:
        args.results.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))


def filed_cards(corpus: Path, workers: int) -> list[dict]:
    """Return every written card of the corpus that has a stored image: its set, truth and image path."""
    workshop_id = json.loads((corpus / 'workshop.json').read_text())['workshop']
    folders = sorted(path for path in corpus.iterdir() if path.is_dir() and path.name != 'data')
    store = Store(corpus / 'data' / 'fusen.db')
    try:
        scans = ScanStore(store)
        if not any(note.image_id for note in store.notes(workshop_id)):
            for folder in folders:
                files = sorted(path for path in folder.iterdir() if path.suffix != '.json')
                ingest_files(scans, workshop_id, files, workers=workers)
        notes = {note.card_code: note for note in store.notes(workshop_id) if note.image_id}
        cards = []
        for folder in folders:
            for truth_file in sorted(folder.glob('*.json')):
                for page in json.loads(truth_file.read_text())['pages']:
                    for card in page:
                        note = notes.get(card['code'])
                        if card['written'] and note is not None:
                            cards.append({'set': folder.name, 'code': card['code'], 'truth': card['text'],
                                          'image': str(scans.image_path(workshop_id, note.image_id))})
        return cards
    finally:
        store.close()


def all_settings(program: str) -> list[tuple[str, ocr.Settings]]:
    languages = [language for language in ('jpn', 'jpn_vert') if language in _languages(program)]
    settings = [ocr.Settings(language=language, page_mode=mode, **preparation)
                for language in languages for mode in PAGE_MODES for preparation in PREPARATIONS.values()]
    return [(_label(setting), setting) for setting in settings]


def measure(program: str, image_path: str, truth: str, settings: ocr.Settings,
            warp: float | None = None, seed: int = 0) -> dict:
    """Read one card and return its reading, confidence, edit distance, length and seconds."""
    with Image.open(image_path) as image:
        image.load()
    if warp:
        image = warped(image, warp, seed)
    started = time.perf_counter()
    prepared = ocr.prepare(image, settings)
    try:
        reading = ocr.read(program, prepared, settings)
    except subprocess.SubprocessError as error:
        logging.warning('tesseract failed on %s: %s', image_path, error)
        reading = ocr.Reading(text='', confidence=0.0)
    seconds = time.perf_counter() - started
    expected, read_text = comparable(truth), comparable(reading.text)
    return {'reading': reading.text, 'confidence': reading.confidence, 'edits': edit_distance(read_text, expected),
            'length': len(expected), 'seconds': seconds}


def warped(image: Image.Image, amplitude_mm: float, seed: int) -> Image.Image:
    """Return the image with every point moved by a smooth random field of at most this amplitude."""
    gray = np.asarray(image.convert('L'), dtype=np.float32)
    height, width = gray.shape
    pixels_per_mm = width / (layout.WRITING_AREA.width + 2 * IMAGE_MARGIN)
    rng = np.random.default_rng(seed)
    fields = []
    for _ in range(2):
        field = cv2.GaussianBlur(rng.uniform(-1, 1, (height, width)).astype(np.float32), (0, 0), WARP_SMOOTHING * pixels_per_mm)
        fields.append(field * amplitude_mm * pixels_per_mm / np.abs(field).max())
    x, y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    moved = cv2.remap(gray, x + fields[0], y + fields[1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return Image.fromarray(moved.astype(np.uint8))


def comparable(value: str) -> str:
    return ''.join(unicodedata.normalize('NFKC', value).split())


def edit_distance(first: str, second: str) -> int:
    """Return the Levenshtein distance: insertions, deletions and substitutions of one character each."""
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]


def print_settings_table(results: dict[str, list[dict]]) -> None:
    print('\n| model | psm | image | CER % | exact % | keystrokes to fix / to type | saved % | cards costing more than typing | s/card median | s/card p95 |')
    print('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for name, rows in results.items():
        language, mode, preparation = name.split(' | ', 2)
        edits, length = sum(row['edits'] for row in rows), sum(row['length'] for row in rows)
        exact = sum(row['edits'] == 0 for row in rows)
        worse = sum(row['edits'] > row['length'] for row in rows)
        seconds = sorted(row['seconds'] for row in rows)
        print(f'| {language} | {mode} | {preparation} | {100 * edits / length:.1f} | {100 * exact / len(rows):.1f} | '
              f'{edits} / {length} | {100 * (1 - edits / length):.1f} | {worse} | {statistics.median(seconds):.2f} | '
              f'{seconds[int(0.95 * (len(seconds) - 1))]:.2f} |')


def print_threshold_table(title: str, rows: list[dict]) -> None:
    """Show, per confidence threshold, the keystrokes when only suggestions at or above it are offered."""
    length = sum(row['length'] for row in rows)
    print(f'\nconfidence thresholds for {title}:')
    print('| offered from confidence | cards offered | offered exact | offered saving typing | offered costing more than typing | keystrokes | saved % |')
    print('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |')
    for threshold in THRESHOLDS:
        offered = [row for row in rows if _offered(row, threshold)]
        keystrokes = sum(row['edits'] if _offered(row, threshold) else row['length'] for row in rows)
        print(f"| {threshold} | {len(offered)} of {len(rows)} | {sum(row['edits'] == 0 for row in offered)} | "
              f"{sum(row['edits'] < row['length'] for row in offered)} | "
              f"{sum(row['edits'] > row['length'] for row in offered)} | {keystrokes} of {length} | "
              f'{100 * (1 - keystrokes / length):.1f} |')


def print_set_table(name: str, rows: list[dict]) -> None:
    """Show the chosen setting with the confidence filter of workshop/scan/ocr.py, set by set."""
    print(f'\nby set, {name}, offered from confidence {ocr.MIN_CONFIDENCE:g}:')
    print('| set | cards | CER % | exact % | offered | keystrokes with the filter / from scratch | saved % |')
    print('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
    for set_name in sorted({row['set'] for row in rows}):
        chosen = [row for row in rows if row['set'] == set_name]
        offered = [row for row in chosen if _offered(row, ocr.MIN_CONFIDENCE)]
        length = sum(row['length'] for row in chosen)
        keystrokes = sum(row['edits'] if _offered(row, ocr.MIN_CONFIDENCE) else row['length'] for row in chosen)
        print(f"| {set_name} | {len(chosen)} | {100 * sum(row['edits'] for row in chosen) / length:.1f} | "
              f"{100 * sum(row['edits'] == 0 for row in chosen) / len(chosen):.1f} | {len(offered)} | "
              f'{keystrokes} / {length} | {100 * (1 - keystrokes / length):.1f} |')


def _offered(row: dict, threshold: float) -> bool:
    return bool(row['reading']) and row['confidence'] >= threshold


def _label(settings: ocr.Settings) -> str:
    preparation = next(name for name, values in PREPARATIONS.items()
                       if asdict(ocr.Settings(language=settings.language, page_mode=settings.page_mode, **values))
                       == asdict(settings))
    return f'{settings.language} | {settings.page_mode} | {preparation}'


def _languages(program: str) -> list[str]:
    listed = subprocess.run([program, '--list-langs'], capture_output=True, text=True, check=True)
    return [line.strip() for line in listed.stdout.splitlines()[1:] if line.strip()]  # the first line is a heading


def _version(program: str) -> str:
    return subprocess.run([program, '--version'], capture_output=True, text=True, check=True).stdout.split()[1]


if __name__ == '__main__':
    main()
