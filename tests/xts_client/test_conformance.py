"""The XTS investor plugin passes the conformance kit against the XTS simulator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from brokerplex.models import InstrumentType
from brokerplex.testing import BrokerConformance, ConformanceTarget
from brokerplex_paper.exchange import IST
from brokerplex_paper.universe import build_universe
from brokerplex_xts_client.sim import XtsSimulator


def investor_options(sim: XtsSimulator) -> dict[str, str]:
    user = next(account for account in sim.accounts if account["role"] == "investor")
    return {"root": sim.root, "interactive_key": user["interactive"]["appKey"],
            "interactive_secret": user["interactive"]["secretKey"], "marketdata_key": user["marketdata"]["appKey"],
            "marketdata_secret": user["marketdata"]["secretKey"]}


def nifty_future() -> str:
    futures = (listing.instrument for listing in build_universe(dt.datetime.now(IST).date())
               if listing.instrument.instrument_type is InstrumentType.FUT)
    return next(future.symbol for future in futures if future.underlying == "NIFTY")


class TestXtsClientConformance(BrokerConformance):
    @pytest.fixture
    def simulator(self, tmp_path: Path) -> Iterator[XtsSimulator]:
        with XtsSimulator(state_dir=tmp_path / "sim", seed=3) as sim:
            yield sim

    @pytest.fixture
    def conformance_target(self, simulator: XtsSimulator) -> ConformanceTarget:
        return ConformanceTarget(
            broker="xts_client", options=investor_options(simulator), login={}, derivative=nifty_future(),
            bad_options={**investor_options(simulator), "interactive_secret": "not-the-secret"},
            settle_seconds=5.0,
        )
