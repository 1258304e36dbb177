"""The paper broker passes the conformance kit every broker plugin runs."""

from __future__ import annotations

import datetime as dt

import pytest

from brokerplex.models import InstrumentType
from brokerplex.testing import BrokerConformance, ConformanceTarget
from brokerplex_paper.exchange import IST
from brokerplex_paper.universe import build_universe


def nifty_future() -> str:
    today = dt.datetime.now(IST).date()
    futures = (listing.instrument for listing in build_universe(today)
               if listing.instrument.instrument_type is InstrumentType.FUT)
    return next(future.symbol for future in futures if future.underlying == "NIFTY")


class TestPaperConformance(BrokerConformance):
    @pytest.fixture
    def conformance_target(self) -> ConformanceTarget:
        return ConformanceTarget(broker="paper", derivative=nifty_future(), settle_seconds=1.0)
