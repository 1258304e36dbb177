"""The instrument store maps symbols to native keys lazily; the daily cache never loses a good copy."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from brokerplex.errors import ProtocolError, SymbolError
from brokerplex.formats import IST
from brokerplex.instruments import DailyCache, InstrumentStore, trading_day
from brokerplex.models import Instrument, InstrumentType

Row = tuple[str, str, int]  # exchange, tradingsymbol, token
ROWS: list[Row] = [("NSE", "INFY", 408065), ("NSE", "RELIANCE", 738561), ("NSE", "NIFTY 50", 256265)]


def build(row: Row) -> Instrument:
    kind = InstrumentType.INDEX if " " in row[1] else InstrumentType.EQ
    return Instrument(symbol=f"{row[0]}:{row[1]}", exchange=row[0], tradingsymbol=row[1], instrument_type=kind)


def store(built: list[Row] | None = None) -> InstrumentStore[Row, int]:
    def counting_build(row: Row) -> Instrument:
        if built is not None:
            built.append(row)
        return build(row)

    return InstrumentStore(ROWS, symbol=lambda r: f"{r[0]}:{r[1]}", key=lambda r: r[2], build=counting_build)


def test_symbols_and_native_keys_map_both_ways() -> None:
    instruments = store()
    assert len(instruments) == 3
    assert "NSE:INFY" in instruments
    assert instruments.key("NSE:RELIANCE") == 738561
    assert instruments.symbol(256265) == "NSE:NIFTY 50"
    assert instruments.symbol(1) is None


def test_an_unlisted_symbol_is_a_symbol_error() -> None:
    with pytest.raises(SymbolError, match="NSE:TCS is not in the instrument master"):
        store().key("NSE:TCS")
    assert store().instrument("NSE:TCS") is None


def test_instruments_are_built_once_and_only_when_asked() -> None:
    built: list[Row] = []
    instruments = store(built)
    assert built == []
    first = instruments.instrument("NSE:INFY")
    assert instruments.instrument("NSE:INFY") is first
    assert built == [ROWS[0]]
    assert [i.symbol for i in instruments.instruments()] == ["NSE:INFY", "NSE:RELIANCE", "NSE:NIFTY 50"]
    assert len(built) == 3


def test_the_master_of_a_day_is_published_at_eight_ist() -> None:
    before = dt.datetime(2026, 11, 24, 7, 59, tzinfo=IST)
    after = dt.datetime(2026, 11, 24, 8, 0, tzinfo=IST)
    assert trading_day(before) == dt.date(2026, 11, 23)
    assert trading_day(after) == dt.date(2026, 11, 24)
    assert trading_day(after.astimezone(dt.UTC)) == dt.date(2026, 11, 24)


def parse(data: bytes) -> list[str]:
    lines = data.decode().splitlines()
    if not lines or lines[-1] != "END":
        raise ProtocolError("the master is truncated")
    return lines[:-1]


def test_the_cache_is_fetched_once_per_day(tmp_path: Path) -> None:
    cache = DailyCache(tmp_path, "master")
    fetches: list[int] = []

    async def fetch() -> bytes:
        fetches.append(1)
        return b"a\nb\nEND"

    day = dt.date(2026, 11, 24)
    assert asyncio.run(cache.get(day, fetch, parse)) == ["a", "b"]
    assert asyncio.run(cache.get(day, fetch, parse)) == ["a", "b"]
    assert len(fetches) == 1
    assert (cache.path(day).stat().st_mode & 0o777) == 0o600


def test_a_bad_download_never_replaces_the_good_copy(tmp_path: Path) -> None:
    cache = DailyCache(tmp_path, "master")
    day = dt.date(2026, 11, 24)
    cache.write(day, b"a\nEND", parse)
    with pytest.raises(ProtocolError):
        cache.write(day, b"a\nb", parse)  # cut off mid-download
    assert cache.read(day) == b"a\nEND"
    assert [p.name for p in tmp_path.iterdir()] == ["master-2026-11-24"]


def test_a_new_day_replaces_old_days_and_a_damaged_copy_is_refetched(tmp_path: Path) -> None:
    cache = DailyCache(tmp_path, "master")
    cache.write(dt.date(2026, 11, 23), b"old\nEND", parse)
    today = dt.date(2026, 11, 24)
    cache.path(today).write_bytes(b"half")  # a copy damaged outside our control

    async def fetch() -> bytes:
        return b"new\nEND"

    assert asyncio.run(cache.get(today, fetch, parse)) == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["master-2026-11-24"]


def test_the_daily_store_loads_once_a_day_and_again_on_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import brokerplex.instruments as instruments

    day = [dt.date(2026, 11, 24)]
    monkeypatch.setattr(instruments, "trading_day", lambda: day[0])
    fetched: list[dt.date] = []

    async def fetch() -> bytes:
        fetched.append(day[0])
        return f"{day[0]}\nEND".encode()

    store = instruments.DailyStore(DailyCache(tmp_path, "master"), fetch, parse)

    async def twice() -> tuple[list[str], list[str]]:
        return await store.get(), await store.get()

    assert asyncio.run(twice()) == (["2026-11-24"], ["2026-11-24"])
    day[0] = dt.date(2026, 11, 25)  # a process that stays up past the next morning's master
    assert asyncio.run(store.get()) == ["2026-11-25"]
    assert fetched == [dt.date(2026, 11, 24), dt.date(2026, 11, 25)]
