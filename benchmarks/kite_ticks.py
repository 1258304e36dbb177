"""Kite ticker decoding: our decoder (typed Ticks, integer prices) against the official
``KiteTicker._parse_binary`` (dicts of floats and datetimes) on the same full-mode frames.

Goal: ratio >= 3 (at least three times as fast).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from _harness import arguments, interleaved, judge_ratio, report
from brokerplex_zerodha.sim.ticker import encode_full, encode_quote, frame
from brokerplex_zerodha.ticker import decode_frame

FRAMES, PACKETS = 200, 25  # 5000 full-mode ticks a sample, 25 instruments a frame as on a busy feed


def full_frames(rng: random.Random) -> tuple[list[bytes], dict[int, str]]:
    tokens = {(1000 + n) * 256 + 1: f"NSE:SCRIP{n}" for n in range(PACKETS)}
    frames = []
    for _ in range(FRAMES):
        packets = []
        for token in tokens:
            last = rng.randrange(10_000, 500_000)
            quote = encode_quote(token, last, rng.randrange(1, 500), last - 37, rng.randrange(10**6, 10**8),
                                 rng.randrange(10**5), rng.randrange(10**5), last - 500, last + 900, last - 900,
                                 last - 120)
            bids = [(rng.randrange(1, 5000), last - 5 * (i + 1), rng.randrange(1, 40)) for i in range(5)]
            asks = [(rng.randrange(1, 5000), last + 5 * i, rng.randrange(1, 40)) for i in range(5)]
            now = 1_764_000_000 + rng.randrange(10_000)
            packets.append(encode_full(quote, now, 0, 0, 0, now, bids, asks))
        frames.append(frame(packets))
    return frames, tokens


def timed(work: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        work()
        return (time.perf_counter() - start) / (FRAMES * PACKETS) * 1e6

    return run


def main() -> None:
    args = arguments(__doc__ or "", runs=15)
    from kiteconnect import KiteTicker

    frames, tokens = full_frames(random.Random(7))
    official = KiteTicker("key", "token")
    ours, baseline = interleaved(timed(lambda: [decode_frame(data, tokens) for data in frames]),
                                 timed(lambda: [official._parse_binary(data) for data in frames]), args.runs)
    report("kite_ticks", ours, baseline, "us/tick", args.json, "goal: ratio >= 3")
    judge_ratio("kite_ticks", ours, baseline, 3, args.json)


if __name__ == "__main__":
    main()
