"""Ingesting a batch of files: check each, analyse its pages in worker processes, file the results.

The command line and the benchmark use ``ingest_files``; the staff page drives the same three steps
(``check_file``, ``analysis.analyse_page``, ``filing.file_page``) through NiceGUI's worker pools.
A file that fails its checks is rejected before any of its pages is filed, and the batch goes on.
"""
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from workshop.scans_store import ScanStore

from .analysis import PageAnalysis, analyse_page
from .errors import ScanError
from .filing import FileReport, file_page
from .loading import ScanFile, ScanLimits, open_scan

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # pages done, pages in the batch


def ingest_files(scans: ScanStore, workshop_id: str, paths: list[Path], *, workers: int = 2,
                 limits: ScanLimits = ScanLimits(), progress: Progress | None = None) -> list[FileReport]:
    """Ingest files in order and return one report per file; pages are analysed by ``workers`` processes."""
    checked = [check_file(path, path.name, limits) for path in paths]
    reports = {id(item): FileReport(name=path.name) for path, item in zip(paths, checked)}
    for path, item in zip(paths, checked):
        if isinstance(item, ScanError):
            reports[id(item)].errors.append(item)
    scan_files = [item for item in checked if isinstance(item, ScanFile)]
    total = sum(scan.pages for scan in scan_files)
    done = 0
    with _executor(workers) as executor:
        for scan, analysis in _analyse(executor, scan_files, limits):
            file_page(scans, workshop_id, analysis, reports[id(scan)])
            done += 1
            if progress:
                progress(done, total)
    for item in checked:
        _log_report(workshop_id, reports[id(item)])
    return [reports[id(item)] for item in checked]


def check_file(path: Path, name: str, limits: ScanLimits = ScanLimits()) -> ScanFile | ScanError:
    """Return the checked file, or the error that rejects it (logged with the file's name)."""
    try:
        return open_scan(path, name, limits)
    except ScanError as error:
        log.warning('rejected scan file %s: %s', name, error.message_key)
        return error


def _analyse(executor: Executor, scan_files: list[ScanFile], limits: ScanLimits) -> Iterator[tuple[ScanFile, PageAnalysis]]:
    """Yield each page's analysis in page order, while later pages are still being analysed."""
    jobs = [(scan, index) for scan in scan_files for index in range(scan.pages)]
    results = executor.map(analyse_page, [scan for scan, _ in jobs], [index for _, index in jobs],
                           [limits] * len(jobs))
    yield from zip((scan for scan, _ in jobs), results)


class _InlineExecutor(Executor):
    """Runs the work in the calling thread, for one worker: no process start-up and easy debugging."""

    def map(self, fn, *iterables, **kwargs):  # type: ignore[override]
        return map(fn, *iterables)


def _executor(workers: int) -> Executor:
    return ProcessPoolExecutor(workers) if workers > 1 else _InlineExecutor()


def _log_report(workshop_id: str, report: FileReport) -> None:
    log.info('ingested %s into workshop %s: %d pages, %d filed, %d blank, %d leftovers, %d foreign, %d errors',
             report.name, workshop_id, report.pages, len(report.filed), report.blank, report.leftovers,
             report.foreign, len(report.errors))
