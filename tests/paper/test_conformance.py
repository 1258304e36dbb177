"""The paper broker passes the conformance kit every broker plugin runs."""

from __future__ import annotations

import pytest

from brokerplex.testing import BrokerConformance, ConformanceTarget
from brokerplex_paper.universe import nearest_future


class TestPaperConformance(BrokerConformance):
    @pytest.fixture
    def conformance_target(self) -> ConformanceTarget:
        return ConformanceTarget(broker="paper", derivative=nearest_future("NIFTY").symbol, settle_seconds=1.0)
