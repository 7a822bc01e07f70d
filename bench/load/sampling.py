"""Resource sampling of a process tree and the statistics the report prints."""
import asyncio
import math
import time
from dataclasses import dataclass, field

import psutil


@dataclass
class ProcessSampler:
    """Samples a process's RSS and cumulative CPU seconds (children included) every ``interval`` seconds."""

    pid: int
    interval: float = 0.5
    samples: list[tuple[float, float, int]] = field(default_factory=list)  # (time, cpu seconds, rss bytes)

    async def run(self, until: float) -> None:
        """Sample until the wall-clock time ``until`` or until the process exits."""
        process = psutil.Process(self.pid)
        while time.time() < until:
            try:
                self.samples.append((time.time(), _cpu_seconds(process), _rss(process)))
            except psutil.NoSuchProcess:
                return
            await asyncio.sleep(self.interval)

    def cpu_percent(self, start: float, end: float) -> float:
        """Return the CPU used between two wall-clock times, in percent of one core."""
        return cpu_percent([(moment, cpu) for moment, cpu, _ in self.samples], start, end)

    def max_rss(self, start: float = 0, end: float = math.inf) -> int:
        return max((rss for moment, _, rss in self.samples if start <= moment <= end), default=0)


@dataclass
class MachineSampler:
    """Samples the busy CPU seconds of the whole machine, so a report can show load from other programs."""

    interval: float = 0.5
    samples: list[tuple[float, float]] = field(default_factory=list)  # (time, busy CPU seconds of all cores)

    async def run(self, until: float) -> None:
        while time.time() < until:
            times = psutil.cpu_times()
            self.samples.append((time.time(), sum(times) - times.idle - getattr(times, 'iowait', 0)))
            await asyncio.sleep(self.interval)

    def cpu_percent(self, start: float, end: float) -> float:
        """Return the machine's busy CPU between two times, in percent of one core (200 % is both cores)."""
        return cpu_percent(self.samples, start, end)


def cpu_percent(samples: list[tuple[float, float]], start: float, end: float) -> float:
    """Return the CPU percent of one core between two times, from (time, cumulative CPU seconds) samples."""
    inside = [sample for sample in samples if start <= sample[0] <= end]
    if len(inside) < 2:
        return math.nan
    (first_time, first_cpu), (last_time, last_cpu) = inside[0], inside[-1]
    return 100 * (last_cpu - first_cpu) / (last_time - first_time)


def percentiles(values: list[float]) -> dict[str, float]:
    """Return p50, p95, p99 and the maximum by the nearest-rank method, or NaNs for no values."""
    if not values:
        return {'count': 0, 'p50': math.nan, 'p95': math.nan, 'p99': math.nan, 'max': math.nan}
    ordered = sorted(values)

    def rank(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]

    return {'count': len(ordered), 'p50': rank(0.50), 'p95': rank(0.95), 'p99': rank(0.99), 'max': ordered[-1]}


def _cpu_seconds(process: psutil.Process) -> float:
    total = 0.0
    for member in [process, *process.children(recursive=True)]:
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total
