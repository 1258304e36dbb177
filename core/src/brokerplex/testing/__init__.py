"""Testing aids for plugin authors: the conformance suite, its live-account variant, the venue controls."""

from brokerplex.testing.conformance import BrokerConformance, DealerConformance
from brokerplex.testing.harness import ConformanceTarget
from brokerplex.testing.live import LiveBrokerConformance, live_target
from brokerplex.testing.venue import Venue

__all__ = ["BrokerConformance", "ConformanceTarget", "DealerConformance", "LiveBrokerConformance", "Venue",
           "live_target"]
