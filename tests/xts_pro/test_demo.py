"""The dealer scene of ``brokerplex demo`` trades for two clients and the PRO book against its simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from brokerplex.journal import JournalState
from brokerplex.manager import BrokerManager
from brokerplex_xts_pro.demo import ACCOUNT, dealer_scene


def test_the_scene_trades_for_two_clients_and_the_pro_book(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with BrokerManager(tmp_path) as manager:
        dealer_scene(manager)
        journal = manager.journal.entries(ACCOUNT)
    shown = capsys.readouterr().out
    assert "logged in as dealer DLR001; it acts for CL1001, CL1002, *****" in shown
    assert "refused: client 'CL9999' is not held by dealer DLR001" in shown
    for code in ("CL1001", "CL1002", "*****"):
        assert f"{code}: order " in shown  # the fan-out's result for each client
    # Four orders, each sent once, each journalled with its client; nothing for CL9999.
    assert sorted(str(entry.client) for entry in journal) == ["*****", "CL1001", "CL1002", "CL1002"]
    assert {entry.state for entry in journal} == {JournalState.SENT}
