"""Testing aids for plugin authors: the conformance suite and its live-account variant."""

from brokerplex.testing.conformance import BrokerConformance, ConformanceTarget, DealerConformance
from brokerplex.testing.live import LiveBrokerConformance, live_target

__all__ = ["BrokerConformance", "ConformanceTarget", "DealerConformance", "LiveBrokerConformance", "live_target"]
