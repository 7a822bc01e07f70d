"""One load-generator process: it opens its share of the phones, posts notes on schedule and reports back."""
import asyncio
import logging
import random
import resource
import time
from dataclasses import dataclass, field

import aiohttp
import psutil

from .phone import Phone, PhoneError

log = logging.getLogger(__name__)

MAX_OPENING = 200  # phones in the middle of loading at once, per process, so a ramp cannot queue without bound


@dataclass(frozen=True)
class Cohort:
    """Phones that arrive together: ``count`` of them spread evenly over ``spread`` seconds from ``start_at``."""

    count: int
    start_at: float  # wall-clock seconds (time.time())
    spread: float
    first_visit: bool
    posts: bool = True  # whether the posting schedule picks its phones from this cohort


@dataclass(frozen=True)
class WorkerPlan:
    """The schedule of one generator process, with every time on the wall clock that all processes share."""

    index: int
    base_url: str
    join_path: str
    cohorts: list[Cohort]
    post_start: float
    post_end: float
    post_rate: float  # notes per second from this process
    end_at: float
    seed: int = 0


@dataclass
class WorkerResult:
    """Measurements of one generator process: load times per cohort, send times per note label, errors, its own CPU."""

    index: int
    load_seconds: list[list[float]] = field(default_factory=list)
    asset_bytes: list[int] = field(default_factory=list)
    sent: dict[str, float] = field(default_factory=dict)
    connect_errors: list[str] = field(default_factory=list)
    send_errors: int = 0
    dropped: int = 0  # phones whose socket closed and could not reconnect
    reconnects: int = 0  # sockets the server closed and the phone opened again
    cpu_samples: list[tuple[float, float]] = field(default_factory=list)


def run_worker(plan: WorkerPlan) -> WorkerResult:
    """Run one plan to its end in this process and return its measurements."""
    logging.basicConfig(level=logging.WARNING)
    _raise_open_file_limit()
    return asyncio.run(_run(plan))


def _raise_open_file_limit() -> None:
    """Allow thousands of sockets, up to the hard limit that the system grants this process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def _run(plan: WorkerPlan) -> WorkerResult:
    result = WorkerResult(index=plan.index)
    sampler = asyncio.create_task(_sample_cpu(result, plan.end_at))
    connector = aiohttp.TCPConnector(limit=0, force_close=True)  # a page's socket never reuses the GET's connection
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=timeout) as http:
        gate = asyncio.Semaphore(MAX_OPENING)
        cohorts: list[list[Phone]] = []
        openings = []
        for number, cohort in enumerate(plan.cohorts):
            phones = [Phone(plan.base_url, plan.join_path, http, first_visit=cohort.first_visit, reconnect=True)
                      for _ in range(cohort.count)]
            cohorts.append(phones)
            result.load_seconds.append([])
            for position, phone in enumerate(phones):
                arrival = cohort.start_at + cohort.spread * position / max(cohort.count, 1)
                openings.append(asyncio.create_task(_open(phone, arrival, gate, result, number)))
        posters = [phone for cohort, phones in zip(plan.cohorts, cohorts) if cohort.posts for phone in phones]
        posting = asyncio.create_task(_post(plan, posters, result))
        await asyncio.gather(*openings)
        await posting
        await _sleep_until(plan.end_at)
        everyone = [phone for phones in cohorts for phone in phones]
        result.dropped = sum(1 for phone in everyone if phone.reader is not None and phone.reader.done())
        result.reconnects = sum(phone.reconnects for phone in everyone)
        await asyncio.gather(*(phone.close() for phone in everyone), return_exceptions=True)
    sampler.cancel()
    return result


async def _open(phone: Phone, arrival: float, gate: asyncio.Semaphore, result: WorkerResult, cohort: int) -> None:
    await _sleep_until(arrival)
    async with gate:
        try:
            seconds = await phone.open()
        except PhoneError as error:
            result.connect_errors.append(str(error)[:200])
            return
    result.load_seconds[cohort].append(seconds)
    if phone.first_visit:
        result.asset_bytes.append(phone.asset_bytes)


async def _post(plan: WorkerPlan, phones: list[Phone], result: WorkerResult) -> None:
    """Post notes at a steady rate from randomly chosen connected phones, labelled so the boards can find them."""
    if plan.post_rate <= 0:
        return
    chooser = random.Random(plan.seed + plan.index)
    interval = 1 / plan.post_rate
    count = int((plan.post_end - plan.post_start) * plan.post_rate)
    for number in range(count):
        await _sleep_until(plan.post_start + number * interval)
        connected = [phone for phone in phones if phone.connected]
        if not connected:
            result.send_errors += 1
            continue
        label = f'bench-{plan.index}-{number}'
        try:
            result.sent[label] = await chooser.choice(connected).post_note(f'{label} 駅前に屋根付きの駐輪場がほしい')
        except (aiohttp.ClientError, ConnectionError):
            result.send_errors += 1


async def _sample_cpu(result: WorkerResult, until: float) -> None:
    process = psutil.Process()
    while time.time() < until + 5:
        times = process.cpu_times()
        result.cpu_samples.append((time.time(), times.user + times.system))
        await asyncio.sleep(0.5)


async def _sleep_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        await asyncio.sleep(delay)
