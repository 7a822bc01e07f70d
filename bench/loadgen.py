"""Load test: simulated phones join a Fusen server, post notes, and board observers time each note.

Run from the repository root, for example:

    .venv/bin/python -m bench.loadgen --phones 1200 --rate 5 --target both --chromium
    .venv/bin/python -m bench.loadgen --phones 1200 --rate 5 --burst 300 --chromium

Everything runs on 127.0.0.1. Every phase has a fixed length, so a run ends by itself.
"""
import argparse
import asyncio
import json
import logging
import math
import multiprocessing
import os
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import aiohttp
import psutil

from bench.load.observers import ChromiumBoard, SimulatedBoard
from bench.load.sampling import MachineSampler, ProcessSampler, cpu_percent, percentiles
from bench.load.servers import Target, bare_server, fusen_server
from bench.load.worker import Cohort, WorkerPlan, WorkerResult, run_worker

log = logging.getLogger('bench.loadgen')

SPAWN_DELAY = 6.0  # seconds for the generator processes to start and import before the first arrival
CONNECT_SLACK = 10.0  # seconds allowed after the last scheduled arrival for slow page loads
SETTLE = 5.0


def main() -> None:
    """Parse the options, run the load test on each target and print the report as JSON."""
    args = _parser().parse_args()
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(name)s: %(message)s')
    targets = ['bare', 'fusen'] if args.target == 'both' else [args.target]
    extra_env = dict(pair.split('=', 1) for pair in args.server_env)
    runs = []
    for number in range(args.runs):
        run = {target: asyncio.run(measure(target, args, extra_env)) for target in targets}
        if len(targets) == 2:
            run['ratio'] = _ratios(run['fusen'], run['bare'])
        log.info('run %d of %d: %s', number + 1, args.runs, json.dumps(_headline(run), ensure_ascii=False))
        runs.append(run)
    report = {'options': vars(args), 'runs': runs, 'median': _medians(runs)}
    text = json.dumps(report, ensure_ascii=False, indent=1, default=str)
    if args.output:
        Path(args.output).write_text(text)
    print(json.dumps({'median': report['median']}, ensure_ascii=False, indent=1))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description='Load-test Fusen with simulated phones on 127.0.0.1.')
    parser.add_argument('--target', choices=['fusen', 'bare', 'both'], default='fusen',
                        help='server under test; both runs the bare socket.io baseline first, then Fusen')
    parser.add_argument('--phones', type=int, default=1200, help='participant pages kept open (default 1200)')
    parser.add_argument('--ramp', type=float, default=100, help='returning phones opened per second (default 100)')
    parser.add_argument('--rate', type=float, default=5, help='notes posted per second (default 5)')
    parser.add_argument('--idle-seconds', type=float, default=30, help='length of the idle window (default 30)')
    parser.add_argument('--post-seconds', type=float, default=60, help='length of the posting window (default 60)')
    parser.add_argument('--burst', type=int, default=0, help='first-time phones arriving during posting (default 0)')
    parser.add_argument('--burst-seconds', type=float, default=15, help='window of the arrival burst (default 15)')
    parser.add_argument('--first-visits', type=int, default=20,
                        help='phones of the opening ramp that load every asset as first-time visitors (default 20)')
    parser.add_argument('--workers', type=int, default=2, help='generator processes (default 2)')
    parser.add_argument('--chromium', action='store_true', help='also watch a board in headless Chromium')
    parser.add_argument('--runs', type=int, default=1, help='repeat the whole test and report medians (default 1)')
    parser.add_argument('--server-env', action='append', default=[], metavar='NAME=VALUE',
                        help='environment variable for the Fusen server, e.g. FUSEN_BENCH_DISABLE=gc-freeze')
    parser.add_argument('--output', help='write the full report with every run to this JSON file')
    parser.add_argument('--log-dir', type=Path, help='copy each server log into this folder')
    return parser


async def measure(kind: str, args: argparse.Namespace, extra_env: dict[str, str]) -> dict:
    """Start one server, run the plan against it and return its figures."""
    with tempfile.TemporaryDirectory(prefix='fusen-load-') as folder:
        try:
            if kind == 'fusen':
                with fusen_server(Path(folder), extra_env) as target:
                    return await _drive(target, args, chromium=args.chromium)
            with bare_server(Path(folder)) as target:
                # The baseline's pages hold no scripts, so only a simulated board can watch them.
                return await _drive(target, args, chromium=False)
        finally:
            if args.log_dir:
                args.log_dir.mkdir(parents=True, exist_ok=True)
                for log_file in Path(folder).glob('*server.log'):
                    shutil.copy(log_file, args.log_dir / f'{kind}-{time.strftime("%H%M%S")}-{log_file.name}')


async def _drive(target: Target, args: argparse.Namespace, *, chromium: bool) -> dict:
    start = time.time() + SPAWN_DELAY
    connect_end = start + args.phones / args.ramp + CONNECT_SLACK
    idle = (connect_end + SETTLE, connect_end + SETTLE + args.idle_seconds)
    post = (idle[1], idle[1] + args.post_seconds)
    burst = (post[0] + SETTLE, post[0] + SETTLE + args.burst_seconds)
    end_at = post[1] + SETTLE
    plans = _plans(target, args, start, post, burst, end_at)

    server = ProcessSampler(target.pid)
    server_sampling = asyncio.create_task(server.run(end_at + 2))
    machine = MachineSampler()
    machine_sampling = asyncio.create_task(machine.run(end_at + 2))
    # The board's socket gets a connection of its own, as the phones' do (see bench/load/worker.py).
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar()) as http:
        board = SimulatedBoard(target.base_url, target.board_path, http)
        await board.open()
        chromium = ChromiumBoard(target.base_url + target.board_path) if chromium else None
        chromium_load = await chromium.open() if chromium else math.nan
        orchestrator = ProcessSampler(psutil.Process().pid)
        orchestrator_sampling = asyncio.create_task(orchestrator.run(end_at + 2))

        loop = asyncio.get_running_loop()
        context = multiprocessing.get_context('spawn')
        with ProcessPoolExecutor(max_workers=len(plans), mp_context=context) as pool:
            results: list[WorkerResult] = await asyncio.gather(
                *(loop.run_in_executor(pool, run_worker, plan) for plan in plans))
        board_open_at_end = board.phone.connected
        if chromium:
            await chromium.collect()
            await chromium.close()
        await board.close()
    await server_sampling
    await machine_sampling
    orchestrator_sampling.cancel()
    figures = _figures(args, server, orchestrator, results, board, chromium, chromium_load, idle, post, burst)
    figures['simulated_board_open_at_end'] = board_open_at_end
    # What the server, generators and observers do not account for ran in other programs on this machine.
    for name, window in (('idle', idle), ('posting', post)):
        busy = machine.cpu_percent(*window)
        figures[f'machine_cpu_{name}_percent'] = busy
        # The orchestrator's process tree contains the server, the generator processes and Chromium.
        everything = orchestrator.cpu_percent(*window)
        figures[f'load_side_cpu_{name}_percent'] = everything - figures[f'server_cpu_{name}_percent']
        figures[f'other_programs_cpu_{name}_percent'] = busy - everything
    figures['load_average_at_end'] = os.getloadavg()[0]
    return figures


def _plans(target: Target, args: argparse.Namespace, start: float, post: tuple[float, float],
           burst: tuple[float, float], end_at: float) -> list[WorkerPlan]:
    plans = []
    for index in range(args.workers):
        phones = _share(args.phones, args.workers, index)
        first = _share(args.first_visits, args.workers, index)
        # Offsets interleave the processes' arrivals, so together they ramp evenly.
        offset = index / (args.ramp * args.workers)
        cohorts = [Cohort(first, start + offset, first / args.ramp * args.workers, True),
                   Cohort(phones - first, start + offset + first / args.ramp * args.workers,
                          (phones - first) / args.ramp, False)]
        if args.burst:
            count = _share(args.burst, args.workers, index)
            # Newcomers read the page first, so the notes keep coming from the phones already there.
            cohorts.append(Cohort(count, burst[0] + index / args.burst, args.burst_seconds, True, posts=False))
        plans.append(WorkerPlan(index=index, base_url=target.base_url, join_path=target.join_path,
                                cohorts=cohorts, post_start=post[0] + index / (args.rate or 1),
                                post_end=post[1], post_rate=args.rate / args.workers, end_at=end_at))
    return plans


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


def _figures(args: argparse.Namespace, server: ProcessSampler, orchestrator: ProcessSampler,
             results: list[WorkerResult], board: SimulatedBoard, chromium: ChromiumBoard | None,
             chromium_load: float, idle: tuple[float, float], post: tuple[float, float],
             burst: tuple[float, float]) -> dict:
    sent = {label: moment for result in results for label, moment in result.sent.items()}
    loads = [[seconds for result in results for seconds in result.load_seconds[number]]
             for number in range(len(results[0].load_seconds))]
    figures = {
        'phones': args.phones,
        'connected': sum(len(load) for load in loads[:2]),
        'connect_errors': sum(len(result.connect_errors) for result in results),
        'connect_error_examples': [error for result in results for error in result.connect_errors][:5],
        'dropped_sockets': sum(result.dropped for result in results),
        'reconnects': sum(result.reconnects for result in results),
        'simulated_board_reconnects': board.phone.reconnects,
        'notes_sent': len(sent),
        'send_errors': sum(result.send_errors for result in results),
        'server_rss_mb_idle': server.max_rss(*idle) / 2**20,
        'server_rss_mb_max': server.max_rss() / 2**20,
        'server_cpu_idle_percent': server.cpu_percent(*idle),
        'server_cpu_posting_percent': server.cpu_percent(*post),
        'generator_cpu_idle_percent': _generator_cpu(results, idle),
        'generator_cpu_posting_percent': _generator_cpu(results, post),
        'first_visit_load_seconds': percentiles(loads[0]),
        'returning_load_seconds': percentiles(loads[1]),
        'first_visit_asset_kb': statistics.median(a for r in results for a in r.asset_bytes) / 1024
        if any(r.asset_bytes for r in results) else math.nan,
        'board_latency_ms': _latencies(sent, board.seen),
        'chromium_latency_ms': _latencies(sent, chromium.seen) if chromium else None,
        'chromium_board_load_seconds': chromium_load,
    }
    if args.burst:
        in_burst = {label: moment for label, moment in sent.items() if burst[0] <= moment <= burst[1] + SETTLE}
        figures['burst_load_seconds'] = percentiles(loads[2])
        figures['burst_board_latency_ms'] = _latencies(in_burst, board.seen)
        figures['burst_chromium_latency_ms'] = _latencies(in_burst, chromium.seen) if chromium else None
        figures['server_cpu_burst_percent'] = server.cpu_percent(burst[0], burst[1])
    return figures


def _latencies(sent: dict[str, float], seen: dict[str, float]) -> dict:
    values = [1000 * (seen[label] - moment) for label, moment in sent.items() if label in seen]
    return {**percentiles(values), 'missing': len(sent) - len(values)}


def _generator_cpu(results: list[WorkerResult], window: tuple[float, float]) -> float:
    return sum(cpu_percent(result.cpu_samples, *window) for result in results)


_HEADLINE = ['server_rss_mb_idle', 'server_cpu_idle_percent', 'server_cpu_posting_percent', 'connect_errors',
             'board_latency_ms.p50', 'board_latency_ms.p95', 'board_latency_ms.p99', 'board_latency_ms.max',
             'chromium_latency_ms.p50', 'chromium_latency_ms.p95', 'chromium_latency_ms.p99',
             'chromium_latency_ms.max', 'first_visit_load_seconds.p95', 'burst_load_seconds.p95',
             'burst_load_seconds.max', 'burst_board_latency_ms.p95', 'burst_chromium_latency_ms.p95',
             'server_cpu_burst_percent', 'generator_cpu_posting_percent', 'dropped_sockets',
             'reconnects', 'simulated_board_reconnects',
             'load_side_cpu_posting_percent', 'other_programs_cpu_idle_percent',
             'other_programs_cpu_posting_percent']


def _headline(run: dict) -> dict:
    return {target: {key: _get(figures, key) for key in _HEADLINE if _get(figures, key) is not None}
            for target, figures in run.items() if target != 'ratio'} | {'ratio': run.get('ratio')}


def _get(figures: dict, dotted: str) -> float | None:
    value: object = figures
    for part in dotted.split('.'):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value if isinstance(value, (int, float)) else None


def _ratios(fusen: dict, bare: dict) -> dict:
    """Divide Fusen's figures by the baseline's, measured in the same run."""
    keys = ['server_rss_mb_idle', 'server_cpu_idle_percent', 'server_cpu_posting_percent',
            'board_latency_ms.p50', 'board_latency_ms.p95', 'board_latency_ms.p99']
    ratios = {}
    for key in keys:
        top, bottom = _get(fusen, key), _get(bare, key)
        ratios[key] = top / bottom if top is not None and bottom else math.nan
    return ratios


def _medians(runs: list[dict]) -> dict:
    medians: dict = {}
    for target in runs[0]:
        keys = _HEADLINE if target != 'ratio' else list(runs[0]['ratio'])
        values = {}
        for key in keys:
            # Ratio keys contain dots themselves, so they are looked up whole.
            found = [run[target].get(key) if target == 'ratio' else _get(run[target], key) for run in runs]
            found = [value for value in found if value is not None and not math.isnan(value)]
            if found:
                values[key] = round(statistics.median(found), 3)
        medians[target] = values
    return medians


if __name__ == '__main__':
    main()
