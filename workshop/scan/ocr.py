"""Offline OCR suggestions for the transcription queue, read by the tesseract program when it is installed.

The program is called through ``subprocess``: one call per card, with the image on stdin and
tesseract's TSV (words with their confidence) on stdout. Nothing leaves the machine. When the
program or its Japanese model is missing, ``engine`` returns None and no card gets a suggestion.
"""
import csv
import io
import logging
import os
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import cv2
import numpy as np
import psutil
from PIL import Image, ImageOps

from workshop import layout, text
from workshop.scan.analysis import IMAGE_MARGIN, INK_INSET

log = logging.getLogger(__name__)

LANGUAGE = 'jpn'
# Tesseract's page segmentation mode 6: one block of text, which is what a card's writing area holds.
PAGE_MODE = 6
# Card confidence (0-100, tesseract's word confidences weighted by their characters) below which no
# suggestion is shown. It is the lowest threshold at which bench/ocr_bench.py offered no suggestion
# that cost more keystrokes to fix than to type, on the corpus and on its cards with shaken strokes.
# docs/benchmarks.md has the figures.
MIN_CONFIDENCE = 75.0
TIMEOUT = 30  # seconds for one card, which took 0.1 s (median) in bench/ocr_bench.py
# Below the server's priority, so tesseract yields the CPU to the server and to a board on the same laptop.
OCR_NICENESS = 19


@dataclass(frozen=True)
class Reading:
    """A card's text as tesseract read it, with its confidence from 0 to 100."""

    text: str
    confidence: float


@dataclass(frozen=True)
class Settings:
    """Options for preparing and reading a card image. The defaults are the ones bench/ocr_bench.py chose."""

    language: str = LANGUAGE
    page_mode: int = PAGE_MODE
    crop: bool = True  # cut the printed frame and corner marks off
    binarise: bool = False  # black and white at Otsu's threshold, which lost accuracy on the corpus
    pixels_per_mm: float | None = None  # enlarge images below this resolution, though stored ones have at most 14


@cache
def engine() -> str | None:
    """Return the path of the tesseract program when it and its Japanese model are installed, else None."""
    program = shutil.which('tesseract')
    if program is None:
        return None
    try:
        listed = subprocess.run([program, '--list-langs'], capture_output=True, text=True, timeout=TIMEOUT, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        log.warning('tesseract at %s does not run: %s', program, error)
        return None
    if LANGUAGE not in listed.stdout.split():
        log.warning('tesseract at %s has no %r model; install tesseract-ocr-jpn', program, LANGUAGE)
        return None
    return program


def log_availability() -> None:
    """Log once at startup whether the transcription page can offer OCR suggestions."""
    program = engine()
    if program is None:
        log.info('OCR suggestions are off: tesseract with its Japanese model (tesseract-ocr-jpn) is not installed')
    else:
        log.info('OCR suggestions use %s', program)


# Stored images never change (a new scan gets a new file name), so a page opened again reuses its readings.
@lru_cache(maxsize=1024)
def suggestion(path: Path) -> str | None:
    """Return the text to pre-fill for a stored handwriting image, or None when the reading is not worth offering.

    Blocks for the tesseract call; pages run it with ``run.io_bound``.
    """
    program = engine()
    if program is None:
        return None
    try:
        with Image.open(path) as image:
            reading = read(program, prepare(image))
    except (OSError, subprocess.SubprocessError) as error:
        log.warning('no OCR suggestion for image %s: %s', path.name, error)
        return None
    if reading.confidence < MIN_CONFIDENCE or not reading.text:
        return None
    return reading.text


def prepare(image: Image.Image, settings: Settings = Settings()) -> Image.Image:
    """Return the card image in grey without its printed frame, enlarged or binarised as the settings select."""
    gray = image.convert('L')
    pixels_per_mm = gray.width / (layout.WRITING_AREA.width + 2 * IMAGE_MARGIN)
    if settings.crop:
        # The stored image reaches IMAGE_MARGIN past the printed frame. Tesseract reads the frame's
        # lines and corner marks as letters, so the crop stays INK_INSET inside it, as the ink weighing does.
        inset = round((IMAGE_MARGIN + INK_INSET) * pixels_per_mm)
        gray = gray.crop((inset, inset, gray.width - inset, gray.height - inset))
    if settings.pixels_per_mm and pixels_per_mm < settings.pixels_per_mm:
        scale = settings.pixels_per_mm / pixels_per_mm
        gray = gray.resize((round(gray.width * scale), round(gray.height * scale)), Image.Resampling.LANCZOS)
    if settings.binarise:
        # Otsu's method picks the grey level that best splits ink from paper.
        _, black_and_white = cv2.threshold(np.asarray(gray), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        gray = Image.fromarray(black_and_white)
    # Tesseract finds lines more reliably with a white border around the text.
    return ImageOps.expand(gray, border=20, fill=255)


def read(program: str, image: Image.Image, settings: Settings = Settings()) -> Reading:
    """Run tesseract on the image and return its text, cleaned and in NFKC, with the card's confidence.

    :raises subprocess.SubprocessError: if tesseract fails or takes longer than TIMEOUT
    """
    png = io.BytesIO()
    image.save(png, format='PNG')
    command = [program, 'stdin', 'stdout', '-l', settings.language, '--psm', str(settings.page_mode), 'tsv']
    # One thread per call: tesseract's OpenMP threads would otherwise take every core from the server.
    environment = dict(os.environ, OMP_THREAD_LIMIT='1')
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=environment) as process:
        _lower_priority(process.pid)
        try:
            output, errors = process.communicate(png.getvalue(), timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command, output, errors)
    return _parse_tsv(output.decode('utf-8', errors='replace'))


def _parse_tsv(output: str) -> Reading:
    """Join tesseract's words into paragraphs and weigh the card's confidence by each word's characters.

    Lines of one paragraph are joined, because a card's width, not its writer, decides where they break.
    """
    paragraphs: dict[tuple[str, str], list[str]] = {}
    weighted = characters = 0.0
    for row in csv.DictReader(io.StringIO(output), delimiter='\t', quoting=csv.QUOTE_NONE):
        word = (row.get('text') or '').strip()
        if row.get('level') != '5' or not word:
            continue
        paragraphs.setdefault((row['block_num'], row['par_num']), []).append(word)
        confidence = max(0.0, float(row['conf']))
        weighted += confidence * len(word)
        characters += len(word)
    joined = '\n'.join(_join_words(words) for words in paragraphs.values())
    cleaned = text.clean(unicodedata.normalize('NFKC', joined), multiline=True)
    return Reading(text=cleaned, confidence=weighted / characters if characters else 0.0)


def _join_words(words: list[str]) -> str:
    """Join words with a space only between two Latin letters or digits, as Japanese is written."""
    line = words[0]
    for word in words[1:]:
        gap = ' ' if line[-1].isascii() and line[-1].isalnum() and word[0].isascii() and word[0].isalnum() else ''
        line += gap + word
    return line


def _lower_priority(pid: int) -> None:
    try:
        process = psutil.Process(pid)
        if os.name == 'nt':
            process.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)
        else:
            process.nice(OCR_NICENESS)
    except psutil.Error as error:
        # The call still runs, only at the server's priority; a process that already ended is no harm either.
        log.debug('tesseract process %d keeps its priority: %s', pid, error)
