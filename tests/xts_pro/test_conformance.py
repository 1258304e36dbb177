"""The XTS dealer plugin passes the conformance kit, dealer checks included, against the XTS simulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from brokerplex.testing import ConformanceTarget, DealerConformance
from brokerplex_paper.universe import nearest_future
from brokerplex_xts_client.sim import XtsSimulator

TIMEOUT = 3.0  # the plugin's whole-call timeout: the kit's late reply outlasts it, briefly


def dealer_options(sim: XtsSimulator, **extra: str) -> dict[str, str]:
    return sim.settings("dealer", client_code=sim.account("dealer")["client_codes"][0], **extra)


class TestXtsProConformance(DealerConformance):
    @pytest.fixture
    def simulator(self, tmp_path: Path) -> Iterator[XtsSimulator]:
        with XtsSimulator(state_dir=tmp_path / "sim", seed=5) as sim:
            yield sim

    @pytest.fixture
    def conformance_target(self, simulator: XtsSimulator) -> ConformanceTarget:
        return ConformanceTarget(
            broker="xts_pro", options=dealer_options(simulator, timeout=str(TIMEOUT)), login={},
            derivative=nearest_future("NIFTY").symbol,
            bad_options=dealer_options(simulator, interactive_secret="not-the-secret"),
            settle_seconds=5.0, venue=simulator, timeout=TIMEOUT,
        )
