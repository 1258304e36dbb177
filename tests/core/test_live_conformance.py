"""The conformance kit against a real account: runs only when BROKERPLEX_CONFORMANCE_BROKER is set,
and is skipped with that reason otherwise (see brokerplex.testing.live)."""

from brokerplex.testing import LiveBrokerConformance


class TestLiveAccount(LiveBrokerConformance):
    pass
