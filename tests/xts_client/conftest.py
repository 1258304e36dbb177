"""Fixtures of the XTS plugin's tests: a running XTS simulator on an ephemeral port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from brokerplex_xts_client.sim import XtsSimulator


@pytest.fixture
def xts_sim(tmp_path: Path) -> Iterator[XtsSimulator]:
    """A fresh simulator (its own paper exchange in ``tmp_path``), stopped after the test."""
    with XtsSimulator(state_dir=tmp_path / "xts-sim", seed=1) as simulator:
        yield simulator
