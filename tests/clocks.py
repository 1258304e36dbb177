"""A clock the test moves by hand, for the paper exchange and the simulators (``tests/`` is on pytest's path)."""

from __future__ import annotations

import datetime as dt

from brokerplex.formats import IST

TUESDAY_11AM = dt.datetime(2026, 11, 24, 11, 0, tzinfo=IST)  # a trading day, the market open


class HeldClock:
    """Time that moves only when the test moves it."""

    def __init__(self, now: dt.datetime = TUESDAY_11AM) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)
