"""The Zerodha plugin passes the conformance kit against the Kite simulator."""

from __future__ import annotations

import pytest

from brokerplex.testing import BrokerConformance, ConformanceTarget
from brokerplex_paper.universe import nearest_future
from brokerplex_zerodha.sim import KiteSimulator

TIMEOUT = 3.0  # the plugin's whole-call timeout: the kit's late reply outlasts it, briefly


def sim_options(sim: KiteSimulator, **changes: str) -> dict[str, str]:
    return {"api_key": sim.api_key, "api_secret": "kite_sim_secret", "root": sim.rest, "ws_root": sim.ws,
            "login_url": sim.login, "timeout": str(TIMEOUT), **changes}


class TestZerodhaConformance(BrokerConformance):
    @pytest.fixture
    def conformance_target(self, kite_sim: KiteSimulator) -> ConformanceTarget:
        return ConformanceTarget(
            broker="zerodha", options=sim_options(kite_sim),
            login=lambda: {"request_token": kite_sim.request_token()},  # a fresh single-use token each time
            derivative=nearest_future("NIFTY").symbol, settle_seconds=5.0,
            # A wrong secret: Kite refuses the session's checksum.
            bad_options=sim_options(kite_sim, api_secret="not-the-secret"),
            venue=kite_sim, timeout=TIMEOUT,
        )
