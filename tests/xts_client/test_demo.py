"""The XTS scene of ``brokerplex demo`` runs end to end against its own simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from brokerplex.manager import BrokerManager
from brokerplex_xts_client.demo import ACCOUNT, xts_scene


def test_the_scene_trades_through_the_simulator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with BrokerManager(tmp_path) as manager:
        xts_scene(manager)
        journal = manager.journal.entries(ACCOUNT)
    shown = capsys.readouterr().out
    assert "logged in to both XTS APIs as XTS0001" in shown
    assert "travels as orderUniqueIdentifier" in shown
    assert "cancelled: order" in shown
    for heading in ("Quotes", "Orders", "Positions", "Funds"):
        assert heading in shown
    assert len(journal) == 2  # the market order and the limit order, each sent once
