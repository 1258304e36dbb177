"""Exchange hours in IST, when the paper exchange keeps real hours (off by default: the market never closes)."""

from __future__ import annotations

import datetime as dt

from brokerplex.formats import IST
from brokerplex_paper.universe import Listing

# Exchange sessions (IST) when real hours are on, and the intraday square-off time.
SESSIONS = {
    "NSE": (dt.time(9, 15), dt.time(15, 30)),
    "BSE": (dt.time(9, 15), dt.time(15, 30)),
    "NFO": (dt.time(9, 15), dt.time(15, 30)),
    "BFO": (dt.time(9, 15), dt.time(15, 30)),
    "CDS": (dt.time(9, 0), dt.time(17, 0)),
    "BCD": (dt.time(9, 0), dt.time(17, 0)),
    "MCX": (dt.time(9, 0), dt.time(23, 30)),
}
SQUARE_OFF = dt.timedelta(minutes=10)  # MIS positions are closed this long before the close


def now_ist() -> dt.datetime:
    return dt.datetime.now(IST)


def session_open(exchange: str, now: dt.datetime) -> bool:
    """Whether ``exchange``'s session is open at ``now`` (IST): weekdays, between its open and close."""
    start, end = SESSIONS[exchange]
    return now.weekday() < 5 and start <= now.time() < end


def square_off_due(exchange: str, now: dt.datetime) -> bool:
    """Whether ``now`` is within the intraday square-off before ``exchange``'s close."""
    closes_at = dt.datetime.combine(now.date(), SESSIONS[exchange][1], IST)
    return now >= closes_at - SQUARE_OFF


def years_to_expiry(listing: Listing, now: dt.datetime) -> float:
    """Time left until a derivative's expiry (its session's close that day), in years, at least a minute."""
    expiry = listing.instrument.expiry
    assert expiry is not None
    closes_at = dt.datetime.combine(expiry, SESSIONS[listing.instrument.exchange][1], IST)
    return max((closes_at - now).total_seconds(), 60.0) / (365 * 86_400)
