"""The conformance suite against a real broker account, configured from the environment.

    BROKERPLEX_CONFORMANCE_BROKER   broker name (required; without it the suite is skipped)
    BROKERPLEX_CONFORMANCE_OPTIONS  settings as a JSON object; secrets may instead come from
                                    BROKERPLEX_<BROKER>_<FIELD> variables, as for `activate`
    BROKERPLEX_CONFORMANCE_LOGIN    login parameters as a JSON object (optional)
    BROKERPLEX_CONFORMANCE_HOME     a home folder holding a logged-in session (optional)
    BROKERPLEX_CONFORMANCE_SYMBOL   a liquid cash symbol (default NSE:INFY)
    BROKERPLEX_CONFORMANCE_TRADE    set to 1 to allow placing (far-from-market) orders; they are
                                    cancelled at once. Without it the checks are read-only.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from brokerplex.testing.conformance import BrokerConformance
from brokerplex.testing.harness import ConformanceTarget

PREFIX = "BROKERPLEX_CONFORMANCE_"


def _json_object(name: str) -> dict[str, str] | None:
    raw = os.environ.get(PREFIX + name)
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        raise pytest.UsageError(f"{PREFIX}{name} must be a JSON object of strings")
    return {str(k): str(v) for k, v in value.items()}


def live_target() -> ConformanceTarget:
    broker = os.environ.get(PREFIX + "BROKER")
    if not broker:
        pytest.skip(f"live conformance needs a real account: set {PREFIX}BROKER and {PREFIX}OPTIONS")
    return ConformanceTarget(
        broker=broker,
        options=_json_object("OPTIONS") or {},
        login=_json_object("LOGIN"),
        symbol=os.environ.get(PREFIX + "SYMBOL", "NSE:INFY"),
        trading=os.environ.get(PREFIX + "TRADE") == "1",
        market_orders=False,  # never spend real money in a test
        rejects_for_funds=False,
    )


class LiveBrokerConformance(BrokerConformance):
    """Collect this class in a test module to run the suite against a real account."""

    @pytest.fixture
    def conformance_target(self) -> ConformanceTarget:
        return live_target()

    @pytest.fixture
    def conformance_home(self, tmp_path: Path) -> Path:
        configured = os.environ.get(PREFIX + "HOME")
        return Path(configured) if configured else tmp_path / "conformance-home"
