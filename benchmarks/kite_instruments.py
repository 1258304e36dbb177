"""Kite's instrument dump: our parser and index (rows + InstrumentStore) against the official
``KiteConnect._parse_instruments`` on the same generated 100k-row CSV.

Goal: ratio >= 5.
"""

from __future__ import annotations

import datetime as dt
import random

from _harness import arguments, interleaved, judge_ratio, report, timed
from brokerplex_zerodha.instruments import HEADER, parse_store

ROWS = 100_000


def dump(rng: random.Random) -> bytes:
    """A dump shaped like Kite's: some cash rows, then many dated futures and options."""
    lines = [HEADER]
    expiries = [dt.date(2026, 12, 1) + dt.timedelta(weeks=w) for w in range(12)]
    for n in range(ROWS):
        exchange_token = 10_000 + n
        if n % 20 == 0:
            lines.append(f"{exchange_token * 256 + 1},{exchange_token},SCRIP{n},SCRIP {n} LTD,0.0,,0.0,0.05,1,EQ,"
                         "NSE,NSE")
            continue
        expiry = rng.choice(expiries)
        underlying = f"UND{n}"  # one contract per row, so every symbol is distinct
        if n % 7 == 0:
            symbol, kind, strike, segment = f"{underlying}{expiry:%y%b}FUT".upper(), "FUT", "0.0", "NFO-FUT"
        else:
            value = 50 * rng.randrange(200, 600)
            kind = rng.choice(("CE", "PE"))
            symbol, strike, segment = f"{underlying}{expiry:%y%b}{value}{kind}".upper(), f"{value}.0", "NFO-OPT"
        lines.append(f"{exchange_token * 256 + 2},{exchange_token},{symbol},{underlying},{rng.random() * 500:.2f},"
                     f"{expiry.isoformat()},{strike},0.05,{rng.choice((25, 50, 65, 75))},{kind},{segment},NFO")
    return ("\r\n".join(lines) + "\r\n").encode()


def main() -> None:
    args = arguments(__doc__ or "", runs=5)
    from kiteconnect import KiteConnect

    data = dump(random.Random(3))
    official = KiteConnect("key")
    store = parse_store(data)
    assert len(store) == len(official._parse_instruments(data)) == ROWS, "both sides must read every row"
    ours, baseline = interleaved(timed(lambda: parse_store(data)), timed(lambda: official._parse_instruments(data)),
                                 args.runs)
    report("kite_instruments", ours, baseline, "s", args.json, "goal: ratio >= 5")
    judge_ratio("kite_instruments", ours, baseline, 5, args.json)


if __name__ == "__main__":
    main()
