"""The Zerodha plugin passes the conformance kit against the Kite simulator."""

from __future__ import annotations

import datetime as dt

import pytest

from brokerplex.instruments import IST
from brokerplex.models import InstrumentType
from brokerplex.testing import BrokerConformance, ConformanceTarget
from brokerplex_paper.universe import build_universe
from brokerplex_zerodha.sim import KiteSimulator


def nifty_future() -> str:
    futures = (listing.instrument for listing in build_universe(dt.datetime.now(IST).date())
               if listing.instrument.instrument_type is InstrumentType.FUT)
    return next(future.symbol for future in futures if future.underlying == "NIFTY")


def sim_options(sim: KiteSimulator, **changes: str) -> dict[str, str]:
    return {"api_key": sim.api_key, "api_secret": "kite_sim_secret", "root": sim.rest, "ws_root": sim.ws,
            "login_url": sim.login, **changes}


class TestZerodhaConformance(BrokerConformance):
    @pytest.fixture
    def conformance_target(self, kite_sim: KiteSimulator) -> ConformanceTarget:
        return ConformanceTarget(
            broker="zerodha", options=sim_options(kite_sim), login={"request_token": kite_sim.request_token()},
            derivative=nifty_future(), settle_seconds=5.0,
            # A wrong secret: the session cannot be made, so every call asks for a login.
            bad_options=sim_options(kite_sim, api_secret="not-the-secret"),
        )
