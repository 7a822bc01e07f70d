"""Measure how long a posted note takes to show on the board, idle and while the server ingests a scan batch.

    .venv/bin/python -m bench.ingest_latency --runs 3 --pages 50

Each run serves a copy of one prepared data folder with ``run.py`` on 127.0.0.1 and opens, in one
headless Chromium, the 1920×1080 board and the staff scan page. A few phones post notes at a steady
rate: by default simulated ones (``bench/load/phone.py``, the join page's own websocket events),
because at a venue the phones are other devices; ``--phones chromium`` opens them as phone-sized
pages in the same Chromium instead. The board page reports each note through
``page.expose_function`` twice: when the websocket message that carries it arrives, and when its
text enters the DOM (a MutationObserver). Latencies run from the click on 投稿する, stamped in the
phone page or when the simulated phone sends it. Each page's clock is calibrated against this
process's clock at load, so browser times, the server's log and a Python websocket client compare
on one clock. That clock is the monotonic one: the page's ``performance.now()`` and Python's
``time.monotonic()`` both read it, so a wall clock that is stepped or slewed during a run does not
move the latencies. Such an adjustment moved them by 5 ms a second in one set of runs here. The
first phase posts with the server idle. The second uploads a PDF of written card sheets through the
scan page's file input, so the server's own process pool and event loop do the ingest, and posts
until the page reports the batch done. Chromium runs at the server's priority by default, as a
board on the server's own laptop would.
"""
import argparse
import asyncio
import json
import logging
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.ingest_processes import CpuMeter, FusenServer, commit_times, lower_chromium_priority
from bench.load.observers import SimulatedBoard
from bench.load.phone import Phone
from bench.load.sampling import percentiles
from bench.scan_batch import BatchWorkshop, prepare_batch

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run']
PHONES = 3  # each phone posts every PHONES / rate seconds, so one slow reply does not hold up the schedule
WARM_UP_NOTES = 5
NOTE_TIMEOUT = 30.0  # seconds a note may take to show before the run counts it as lost
INGEST_TIMEOUT = 600_000  # ms the scan page may take for the whole batch
# Latencies per note: click to the DOM (the headline), click to the websocket message in the board
# page, commit to the DOM, and commit to the Python websocket client.
_KINDS = ('shown', 'arrived', 'commit_to_shown', 'commit_to_socket')

# Runs in the board page. The gap between a message's arrival and its text in the DOM is the
# browser's own work, which a projector PC does apart from the server.
_BOARD_WATCH = r'''
() => {
  const pattern = /bench-[0-9]+-[0-9]+/g;
  const watch = (kind) => {
    const seen = new Set();
    return (text) => {
      const now = performance.now();
      for (const label of (text || '').match(pattern) || []) {
        if (!seen.has(label)) { seen.add(label); window.fusenNoteSeen(kind, label, now); }
      }
    };
  };
  const shown = watch('shown');
  const arrived = watch('arrived');
  window.socket.on('update', (message) => arrived(JSON.stringify(message)));
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === 'characterData') shown(mutation.target.textContent);
      for (const node of mutation.addedNodes) shown(node.textContent);
    }
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}
'''
# Runs in a phone page: stamp every click before NiceGUI's own handler sends it.
_CLICK_STAMP = '''
() => document.addEventListener('click', () => { window.benchClick = performance.now(); }, true)
'''


def main() -> None:
    parser = argparse.ArgumentParser(description='Board latency of posted notes, idle and during a scan ingest.')
    parser.add_argument('--runs', type=int, default=3, help='runs; the summary gives the medians of their figures')
    parser.add_argument('--pages', type=int, default=50, help='A4 pages of written cards in the scan batch')
    parser.add_argument('--dpi', type=int, default=300, help='resolution of the scanned pages')
    parser.add_argument('--rate', type=float, default=2.0, help='notes per second, all phones together')
    parser.add_argument('--idle-notes', type=int, default=30, help='notes posted with the server idle')
    parser.add_argument('--chromium-nice', type=int, default=0,
                        help='niceness given to Chromium and its scheduling group; 0, the default, is a board '
                             'shown on the server\'s own laptop at normal priority')
    parser.add_argument('--phones', choices=('simulated', 'chromium'), default='simulated',
                        help='phones that post: simulated websocket clients, or join pages in the same Chromium')
    parser.add_argument('--trace', action='store_true',
                        help="record a Chromium trace of the board during each ingest, for DevTools' performance panel; "
                             'tracing costs CPU, so take the latencies from runs without it')
    parser.add_argument('--out', type=Path, default=ROOT / 'out' / 'ingest-latency', help='folder for logs and results')
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')

    args.out.mkdir(parents=True, exist_ok=True)
    template = args.out / 'template'
    shutil.rmtree(template, ignore_errors=True)
    batch = prepare_batch(template, args.pages, args.dpi)
    runs = [asyncio.run(measure_run(number, template, batch, args)) for number in range(1, args.runs + 1)]
    summary = {'pages': args.pages, 'dpi': args.dpi, 'rate': args.rate, 'chromium_nice': args.chromium_nice,
               'phones': args.phones,
               'medians': _medians(runs), 'pooled': _pooled(runs), 'runs': runs}
    (args.out / 'results.json').write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    _print_table(runs, summary['medians'], summary['pooled'])


async def measure_run(number: int, template: Path, batch: BatchWorkshop, args: argparse.Namespace) -> dict:
    """Serve a fresh copy of the prepared data, post notes idle and during the ingest, and return the figures."""
    from playwright.async_api import async_playwright

    interval = 1 / args.rate
    with tempfile.TemporaryDirectory(prefix='fusen-ingest-') as folder:
        data_dir = Path(folder) / 'data'
        shutil.copytree(template, data_dir)
        with FusenServer(data_dir, args.out / f'server-{number}.log') as server:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                # As in a browser, each websocket gets a connection of its own. A websocket opened on a reused
                # keep-alive connection was closed 5 s later, which matches uvicorn's keep-alive timeout.
                http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True),
                                             cookie_jar=aiohttp.DummyCookieJar())
                bench = _Bench(number, batch, server.base_url, browser, http if args.phones == 'simulated' else None)
                await bench.open()
                # A board read by a Python websocket client times the server's sends apart from Chromium's work.
                socket_board = SimulatedBoard(server.base_url, '/board/' + batch.workshop_id, http, clock=time.monotonic)
                await socket_board.open()
                lower_chromium_priority(args.chromium_nice)
                meter = CpuMeter(server.pid)
                await bench.post(WARM_UP_NOTES, interval, 'warm')
                meter.start()
                idle = await bench.post(args.idle_notes, interval, 'idle')
                idle_cpu = meter.stop()
                if args.trace:
                    await browser.start_tracing(page=bench.board, path=args.out / f'trace-{number}.json')
                meter.start()
                busy = await bench.post_during_ingest(interval, batch.pdf)
                busy_cpu = meter.stop()
                if args.trace:
                    await browser.stop_tracing()
                await socket_board.close()
                await bench.close()
                await http.close()
                await browser.close()
            commits = commit_times(data_dir / 'fusen.db', server.log_path)
        # The server logs commits by the wall clock. Its distance from the monotonic clock, taken after
        # the run, converts them. An adjustment of the wall clock during the run would move these figures only.
        wall_ahead = time.time() - time.monotonic()
        for sample in idle + busy['samples']:
            commit = commits.get(sample['label'])
            _add_commit_latencies(sample, commit - wall_ahead if commit else None, socket_board.seen.get(sample['label']))
    run = {'run': number, 'idle': _figures(idle), 'ingest': _figures(busy['samples']),
           'ingest_seconds': busy['seconds'], 'ingest_done': busy['done'], 'lost': bench.lost,
           'cpu_idle': idle_cpu, 'cpu_ingest': busy_cpu}
    run['ratio_p50'] = round(run['ingest']['shown']['p50'] / run['idle']['shown']['p50'], 2)
    run['ratio_p95'] = round(run['ingest']['shown']['p95'] / run['idle']['shown']['p95'], 2)
    log.info('run %d: %s', number, json.dumps(run, ensure_ascii=False))
    run['samples'] = {'idle': idle, 'ingest': busy['samples']}
    return run


class _Bench:
    """The browser pages of one run: the board that observes, the phones that post, the staff page that uploads."""

    def __init__(self, number: int, batch: BatchWorkshop, base_url: str, browser,
                 http: aiohttp.ClientSession | None) -> None:
        self.number = number
        self.batch = batch
        self.base_url = base_url
        self.browser = browser
        self.http = http  # simulated phones use it; None puts the phones in Chromium
        self.seen: dict[str, dict[str, float]] = {'shown': {}, 'arrived': {}}
        self.lost = 0
        self.count = 0

    async def open(self) -> None:
        board_context = await self.browser.new_context(viewport={'width': 1920, 'height': 1080}, locale='ja-JP')
        self.board = await board_context.new_page()
        await self.board.expose_function('fusenNoteSeen', self._seen)
        await self._load(self.board, self.batch.board_url(self.base_url))
        self.board_offset = await _clock_offset(self.board)
        await self.board.evaluate(_BOARD_WATCH)
        self.phones: list = []
        for _ in range(PHONES):
            self.phones.append(await self._open_phone())
        staff_context = await self.browser.new_context(viewport={'width': 1280, 'height': 900}, locale='ja-JP')
        self.staff = await staff_context.new_page()
        await self._load(self.staff, self.batch.scan_url(self.base_url))

    async def _open_phone(self) -> Phone | tuple:
        """Open one phone: a simulated one, or a Chromium page with its clock offset."""
        url = self.batch.join_url(self.base_url)
        if self.http is not None:
            phone = Phone(self.base_url, url.removeprefix(self.base_url), self.http, clock=time.monotonic)
            await phone.open()
            return phone
        # One context per phone, so each is its own participant with its own browser storage.
        context = await self.browser.new_context(viewport={'width': 390, 'height': 844}, locale='ja-JP',
                                                 is_mobile=True, has_touch=True)
        page = await context.new_page()
        await self._load(page, url)
        await page.evaluate(_CLICK_STAMP)
        return page, await _clock_offset(page)

    async def close(self) -> None:
        for phone in self.phones:
            if isinstance(phone, Phone):
                await phone.close()

    async def post(self, count: int, interval: float, phase: str, until: asyncio.Event | None = None) -> list[dict]:
        """Post ``count`` notes, or until ``until`` is set, one every ``interval`` seconds; return one sample per note."""
        sent: dict[str, float] = {}
        started = time.monotonic()
        index = 0
        while (until is None and index < count) or (until is not None and not until.is_set()):
            await asyncio.sleep(max(0.0, started + index * interval - time.monotonic()))
            self.count += 1
            label = f'bench-{self.number}-{self.count}'
            sent[label] = await self._post(self.phones[index % len(self.phones)], label)
            index += 1
        return await self._samples(sent, phase)

    async def post_during_ingest(self, interval: float, pdf: Path) -> dict:
        """Upload the scan batch and post notes until the scan page reports it done."""
        done = asyncio.Event()
        started = time.monotonic()
        upload = asyncio.create_task(self._ingest(pdf, done))
        samples = await self.post(0, interval, 'ingest', until=done)
        finished = await upload
        return {'samples': samples, 'seconds': round(time.monotonic() - started, 1), 'done': finished}

    async def _ingest(self, pdf: Path, done: asyncio.Event) -> str:
        try:
            await self.staff.locator('input.q-uploader__input').first.set_input_files(str(pdf))
            status = self.staff.get_by_text('ページを処理しました')  # the scan.done message of the Japanese page
            await status.wait_for(timeout=INGEST_TIMEOUT)
            return await status.inner_text()
        finally:
            done.set()

    async def _load(self, page, url: str) -> None:
        await page.goto(url)
        await page.wait_for_function('window.did_handshake === true', timeout=30_000)

    async def _post(self, phone: Phone | tuple, label: str) -> float:
        """Type the label into the phone's note box, tap 投稿する and return the tap's time on the monotonic clock."""
        if isinstance(phone, Phone):
            return await phone.post_note(label)
        page, offset = phone
        await page.locator('textarea').fill(label)
        await page.get_by_role('button', name='投稿する').click()
        return await page.evaluate('window.benchClick') / 1000 - offset

    def _seen(self, kind: str, label: str, milliseconds: float) -> None:
        self.seen[kind].setdefault(label, milliseconds / 1000 - self.board_offset)

    async def _samples(self, sent: dict[str, float], phase: str) -> list[dict]:
        """Wait for the notes to show and return, per note, its send time and its latencies in milliseconds."""
        shown = self.seen['shown']
        deadline = time.monotonic() + NOTE_TIMEOUT
        while any(label not in shown for label in sent) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        missing = [label for label in sent if label not in shown]
        if missing:
            log.warning('run %d, %s phase: %d notes did not show on the board within %.0f s',
                        self.number, phase, len(missing), NOTE_TIMEOUT)
            self.lost += len(missing)
        first = min(sent.values(), default=0.0)
        return [{'label': label, 'sent_s': round(at - first, 2), 'sent_at': at,
                 'shown_ms': round(1000 * (shown[label] - at), 1),
                 'arrived_ms': round(1000 * (self.seen['arrived'].get(label, shown[label]) - at), 1)}
                for label, at in sent.items() if label in shown]


async def _clock_offset(page) -> float:
    """Return how far the page's ``performance.now()`` runs ahead of this process's ``time.monotonic()``, in seconds.

    Both read the same monotonic clock but count from different moments. The round trip with the
    smallest delay bounds the error of the offset.
    """
    best = (float('inf'), 0.0)
    for _ in range(7):
        before = time.monotonic()
        page_time = await page.evaluate('performance.now()') / 1000
        after = time.monotonic()
        best = min(best, (after - before, page_time - (before + after) / 2))
    return best[1]


def _figures(samples: list[dict]) -> dict:
    """Return p50, p95, p99 and max of each kind of latency of a phase."""
    figures = {}
    for kind in _KINDS:
        values = percentiles([sample[f'{kind}_ms'] for sample in samples if sample[f'{kind}_ms'] is not None])
        figures[kind] = {key: round(value, 1) for key, value in values.items()}
    return figures


def _add_commit_latencies(sample: dict, commit: float | None, socket_seen: float | None) -> None:
    """Add the milliseconds from the note's commit, as the server logged it, to the socket client and to the DOM."""
    shown = sample['sent_at'] + sample['shown_ms'] / 1000
    sample['commit_to_shown_ms'] = round(1000 * (shown - commit), 1) if commit else None
    sample['commit_to_socket_ms'] = round(1000 * (socket_seen - commit), 1) if commit and socket_seen else None


def _medians(runs: list[dict]) -> dict:
    medians: dict = {}
    for phase in ('idle', 'ingest'):
        medians[phase] = {kind: {key: round(statistics.median(run[phase][kind][key] for run in runs), 1)
                                 for key in ('p50', 'p95', 'max')} for kind in _KINDS}
    for key in ('ratio_p50', 'ratio_p95', 'ingest_seconds'):
        medians[key] = round(statistics.median(run[key] for run in runs), 2)
    return medians


def _pooled(runs: list[dict]) -> dict:
    """Return the figures of all runs' notes taken together.

    A run posts about 30 notes in each phase, so its p95 is its second-slowest note, and one stall
    of the machine moves it. The p95 of all runs' notes together rests on five times as many notes.
    """
    pooled = {phase: _figures([sample for run in runs for sample in run['samples'][phase]])
              for phase in ('idle', 'ingest')}
    for key in ('p50', 'p95'):
        pooled[f'ratio_{key}'] = round(pooled['ingest']['shown'][key] / pooled['idle']['shown'][key], 2)
    return pooled


def _print_table(runs: list[dict], medians: dict, pooled: dict) -> None:
    print('| run | idle p50 / p95 / max ms | during ingest p50 / p95 / max ms | ratio p50 | ratio p95 | ingest s |')
    print('| --- | --- | --- | ---: | ---: | ---: |')
    for run in runs:
        print(f"| {run['run']} | {_triple(run['idle']['shown'])} | {_triple(run['ingest']['shown'])} | "
              f"{run['ratio_p50']:.2f} | {run['ratio_p95']:.2f} | {run['ingest_seconds']} |")
    print(f"| median | {_triple(medians['idle']['shown'])} | {_triple(medians['ingest']['shown'])} | "
          f"{medians['ratio_p50']:.2f} | {medians['ratio_p95']:.2f} | {medians['ingest_seconds']} |")
    print(f"| all notes together | {_triple(pooled['idle']['shown'])} | {_triple(pooled['ingest']['shown'])} | "
          f"{pooled['ratio_p50']:.2f} | {pooled['ratio_p95']:.2f} | |")
    print(f"websocket arrival, median of runs: idle {_triple(medians['idle']['arrived'])} ms, "
          f"during ingest {_triple(medians['ingest']['arrived'])} ms")
    print(f"commit to board, median of runs: idle {_triple(medians['idle']['commit_to_shown'])} ms, "
          f"during ingest {_triple(medians['ingest']['commit_to_shown'])} ms")
    print(f"commit to a Python websocket client, median of runs: idle {_triple(medians['idle']['commit_to_socket'])} ms, "
          f"during ingest {_triple(medians['ingest']['commit_to_socket'])} ms")


def _triple(figures: dict) -> str:
    return f"{figures['p50']:.0f} / {figures['p95']:.0f} / {figures['max']:.0f}"


if __name__ == '__main__':
    main()
