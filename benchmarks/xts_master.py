"""Parsing an NSEFO-sized XTS master (100k lines): ours against xts-api-client's own helpers.

Ours: ``brokerplex_xts_client.master.parse_master(text)`` (light rows, Instrument models built
on demand). Baseline: xts-api-client 0.1.26's documented path from master text to instrument
objects (``fo_master_string_to_df`` then ``fo_master_df_to_xts_future_instrument_list`` and
``fo_master_df_to_xts_options_instrument_list``), timed inside its own Python 3.12 venv (built by
``tests/xts_client/independent_env.py``) by a child process that reports seconds, so interpreter
start-up and imports count for neither side. The text comes from the simulator's master writer.

Goal: ratio >= 10.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from _harness import arguments, interleaved, judge_ratio, report
from brokerplex.models import Exchange, Instrument, InstrumentType
from brokerplex.symbols import WEEKLY_MONTH_CODES
from brokerplex_paper.universe import Listing, monthly_expiry, weekly_expiries
from brokerplex_xts_client.sim.catalog import master_line

LINES = 100_000
REPO = Path(__file__).resolve().parents[1]
BASELINE = """
import sys, time
from xts_api_client.helper.helper import (fo_master_df_to_xts_future_instrument_list,
    fo_master_df_to_xts_options_instrument_list, fo_master_string_to_df)
text = open(sys.argv[1]).read()
start = time.perf_counter()
futures, options, spreads = fo_master_string_to_df(text)
objects = fo_master_df_to_xts_future_instrument_list(futures) + fo_master_df_to_xts_options_instrument_list(options)
elapsed = time.perf_counter() - start
assert len(objects) == int(sys.argv[2]), len(objects)
print(elapsed)
"""


def _listing(instrument: Instrument, price: Decimal) -> Listing:
    band = Decimal(10) if instrument.instrument_type is InstrumentType.FUT else None
    return Listing(instrument, price, band, 0.2, None)


def _contract(name: str, token: int, kind: InstrumentType, expiry: dt.date, lot: int, strike: Decimal | None,
              weekly: bool) -> Instrument:
    month = expiry.strftime("%b").upper()
    if kind is InstrumentType.FUT:
        symbol = f"{name}{expiry:%y}{month}FUT"
    elif weekly:
        symbol = f"{name}{expiry:%y}{WEEKLY_MONTH_CODES[expiry.month - 1]}{expiry:%d}{strike}{kind.value}"
    else:
        symbol = f"{name}{expiry:%y}{month}{strike}{kind.value}"
    return Instrument(symbol=f"NFO:{symbol}", exchange=Exchange.NFO, tradingsymbol=symbol, name=name,
                      instrument_type=kind, exchange_token=token, underlying=name, expiry=expiry, strike=strike,
                      lot_size=lot, freeze_quantity=lot * 24)


def nsefo_master(lines: int = LINES, day: dt.date = dt.date(2026, 1, 5)) -> tuple[str, int]:
    """A realistic NSEFO master: ~200 underlyings, 3 monthly futures each, option chains of
    monthly (stocks) and weekly + monthly (indices) expiries; about 2 % futures, like the real one."""
    monthlies = [monthly_expiry(day.year + (day.month + k - 1) // 12, (day.month + k - 1) % 12 + 1) for k in range(3)]
    weeklies = weekly_expiries(day, 4)
    underlyings = [("NIFTY", Decimal(26000), Decimal(50), 65), ("BANKNIFTY", Decimal(59000), Decimal(100), 30),
                   ("FINNIFTY", Decimal(27500), Decimal(50), 60)]
    underlyings += [(f"STOCK{i:03d}", Decimal(100 + 37 * i), Decimal(5 * (1 + i % 8)), 250 + 25 * (i % 20))
                    for i in range(1, 200)]
    rows: list[str] = []
    token = 35_000
    for name, price, _step, lot in underlyings:
        for expiry in monthlies:
            token += 1
            rows.append(master_line(_listing(_contract(name, token, InstrumentType.FUT, expiry, lot, None, False),
                                              price)))
    strikes_per_side = 1
    while True:
        options: list[str] = []
        for index, (name, price, step, lot) in enumerate(underlyings):
            expiries = [(expiry, expiry not in monthlies) for expiry in (
                sorted({*weeklies, monthlies[0]}) if index < 3 else monthlies[:2])]
            atm = (price / step).to_integral_value() * step
            for expiry, weekly in expiries:
                for offset in range(-strikes_per_side, strikes_per_side + 1):
                    strike = atm + offset * step
                    for kind in (InstrumentType.CE, InstrumentType.PE):
                        token += 1
                        contract = _contract(name, token, kind, expiry, lot, strike, weekly)
                        options.append(master_line(_listing(contract, Decimal(max(1, int(price) // 50)))))
                        if len(rows) + len(options) == lines:
                            text = "\n".join(rows + options)
                            return text, lines
        if len(rows) + len(options) < lines:
            strikes_per_side += 8
            continue
        raise AssertionError("unreachable")


def _baseline_python() -> Path:
    spec = importlib.util.spec_from_file_location("xts_independent_env",
                                                  REPO / "tests" / "xts_client" / "independent_env.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    python: Path | None = module.python_with_xts_api_client()
    if python is None:
        sys.exit("xts_master: no Python 3.12 found for the xts-api-client baseline")
    return python


def main() -> None:
    args = arguments(__doc__ or "", runs=3)
    from brokerplex_xts_client.master import parse_master  # the plugin's parser

    text, count = nsefo_master()
    python = _baseline_python()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "nsefo.txt"
        path.write_text(text)

        def ours() -> float:
            start = time.perf_counter()
            rows: list[Any] = parse_master(text)
            elapsed = time.perf_counter() - start
            assert len(rows) == count, len(rows)
            return elapsed

        def baseline() -> float:
            done = subprocess.run([str(python), "-c", BASELINE, str(path), str(count)], check=True,
                                  capture_output=True, text=True)
            return float(done.stdout.strip().splitlines()[-1])

        mine, theirs = interleaved(ours, baseline, args.runs)
    report("xts_master", mine, theirs, "s", args.json, "goal: ratio >= 10")
    judge_ratio("xts_master", mine, theirs, 10, args.json)


if __name__ == "__main__":
    main()
