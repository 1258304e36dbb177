"""The XTS investor plugin passes the conformance kit against the XTS simulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from brokerplex.testing import BrokerConformance, ConformanceTarget
from brokerplex_paper.universe import nearest_future
from brokerplex_xts_client.sim import XtsSimulator

TIMEOUT = 3.0  # the plugin's whole-call timeout: the kit's late reply outlasts it, briefly


class TestXtsClientConformance(BrokerConformance):
    @pytest.fixture
    def simulator(self, tmp_path: Path) -> Iterator[XtsSimulator]:
        with XtsSimulator(state_dir=tmp_path / "sim", seed=3) as sim:
            yield sim

    @pytest.fixture
    def conformance_target(self, simulator: XtsSimulator) -> ConformanceTarget:
        return ConformanceTarget(
            broker="xts_client", options=simulator.settings(timeout=str(TIMEOUT)), login={},
            derivative=nearest_future("NIFTY").symbol,
            bad_options=simulator.settings(interactive_secret="not-the-secret"),
            settle_seconds=5.0, venue=simulator, timeout=TIMEOUT,
        )
