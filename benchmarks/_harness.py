"""Shared by every benchmark: run ours and the baseline side by side, print one ratio.

With ``--json`` a script prints exactly one JSON object:
``{"name", "ours", "baseline", "unit", "ratio"}`` where ``ratio`` is baseline time divided
by our time (above 1: we are faster). Samples of the two sides are interleaved so that a
noisy neighbour slows both alike; the median of each side is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def arguments(description: str, runs: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--runs", type=int, default=runs, help=f"samples per side (default {runs})")
    parser.add_argument("--smoke", action="store_true",
                        help="a quick run with less data, that checks what is printed, not the figures")
    return parser.parse_args()


def time_command(command: Sequence[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def timed(work: Callable[[], object]) -> Callable[[], float]:
    """``work`` as a sample: the seconds one call takes."""
    def run() -> float:
        start = time.perf_counter()
        work()
        return time.perf_counter() - start

    return run


def interleaved(ours: Callable[[], float], baseline: Callable[[], float], runs: int) -> tuple[float, float]:
    ours(), baseline()  # warm the file cache for both
    mine, theirs = [], []
    for _ in range(runs):
        mine.append(ours())
        theirs.append(baseline())
    return statistics.median(mine), statistics.median(theirs)


def report(name: str, ours: float, baseline: float, unit: str, as_json: bool, goal: str) -> None:
    ratio = baseline / ours
    if as_json:
        print(json.dumps({"name": name, "ours": ours, "baseline": baseline, "unit": unit, "ratio": round(ratio, 3)}))
        return
    print(f"{name}: ours {ours:.4f} {unit}, baseline {baseline:.4f} {unit}, ratio {ratio:.2f} ({goal})")


class QuietIO:
    """A broker login's messages are not part of a benchmark's output, and it has nobody to ask."""

    def show(self, text: str) -> None:
        pass

    def prompt(self, text: str, *, hidden: bool = False) -> str:
        raise RuntimeError("no prompts in a benchmark")


class ChildSimulator:
    """A simulator in a child process, as a remote server would be: it shares neither this
    process's GIL nor its event loop. ``code`` prints one JSON line (what it serves), then
    answers each line it reads with one line (a request token, say) until stdin closes."""

    def __init__(self, code: str, *args: str, cwd: Path) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, cwd=cwd)
        self.info: dict[str, Any] = {}

    def __enter__(self) -> ChildSimulator:
        assert self.process.stdout is not None
        self.info = json.loads(self.process.stdout.readline())
        return self

    def ask(self) -> str:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(30)


def per_order(place: Callable[[], str], cancel: Callable[[str], None], orders: int) -> Callable[[], float]:
    """Seconds per order over ``orders`` placements; they are cancelled afterwards, untimed, so
    that the simulator's book, and its cost per order, stays the same from sample to sample."""

    def run() -> float:
        start = time.perf_counter()
        placed = [place() for _ in range(orders)]
        elapsed = time.perf_counter() - start
        for order_id in placed:
            cancel(order_id)
        return elapsed / orders

    return run


def cpu_split() -> tuple[set[int], set[int]] | None:
    """This machine's CPUs as (a server's, its clients'): the last one, and the others; None with one CPU."""
    cpus = sorted(os.sched_getaffinity(0))
    return ({cpus[-1]}, set(cpus[:-1])) if len(cpus) > 1 else None


def run_on(pid: int, cpus: set[int]) -> None:
    """Every thread of process ``pid`` on ``cpus`` (threads it starts later inherit their starter's)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            os.sched_setaffinity(int(task.name), cpus)
        except ProcessLookupError:  # the thread ended meanwhile
            continue


def percentile(samples: list[float], share: float) -> float:
    """The value ``share`` (0.99 for p99) of the sorted ``samples`` lie at or below."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Latencies:
    """Seconds from push to read, every read of every reader (``latencies``), as milliseconds at p50 and p99."""

    latencies: list[float]

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 0.99) * 1e3

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies, 0.5) * 1e3


def judge_ratio(name: str, ours: float, baseline: float, least: float, as_json: bool) -> None:
    """:func:`judge` of a goal on the ratio :func:`report` prints: at least ``least``."""
    ratio = baseline / ours
    judge(name, [f"ratio {ratio:.2f} < {least}"] if ratio < least else [], as_json)


def judge(name: str, missed: list[str], as_json: bool) -> None:
    """Exit non-zero naming the missed goals, so that ``make bench`` stops there. A ``--json`` run (the smoke
    test, a machine reading the ratio) only reports: the reader judges the figures."""
    if missed and not as_json:
        sys.exit(f"{name}: goal missed: " + "; ".join(missed))
