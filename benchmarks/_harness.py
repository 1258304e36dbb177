"""Shared by every benchmark: run ours and the baseline side by side, print one ratio.

With ``--json`` a script prints exactly one JSON object:
``{"name", "ours", "baseline", "unit", "ratio"}`` where ``ratio`` is baseline time divided
by our time (above 1: we are faster). Samples of the two sides are interleaved so that a
noisy neighbour slows both alike; the median of each side is reported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence


def arguments(description: str, runs: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--runs", type=int, default=runs, help=f"samples per side (default {runs})")
    return parser.parse_args()


def time_command(command: Sequence[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


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
