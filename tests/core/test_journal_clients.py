"""Dealer traces in the core: the journal remembers each order's client, and books show it."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from brokerplex import output, tables
from brokerplex.journal import JournalState, OrderJournal
from brokerplex.models import Order, OrderStatus, OrderType, Product, Side

OLD_SCHEMA = """
CREATE TABLE journal (
    client_order_id TEXT PRIMARY KEY, account TEXT NOT NULL, broker TEXT NOT NULL, request TEXT NOT NULL,
    state TEXT NOT NULL, order_id TEXT, message TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
"""


def test_a_journal_from_before_dealer_logins_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    now = dt.datetime.now(dt.UTC).isoformat()
    with sqlite3.connect(path) as old:
        old.executescript(OLD_SCHEMA)
        old.execute("INSERT INTO journal VALUES ('old1', 'a1', 'paper', '{}', 'UNKNOWN', NULL, NULL, ?, ?)",
                    (now, now))
    old.close()
    journal = OrderJournal(path)
    try:
        kept = journal.get("old1")
        assert kept is not None
        assert (kept.account, kept.state, kept.client) == ("a1", JournalState.UNKNOWN, None)
        journal.record_intent("new1", "d1", "xts_pro", "{}", client="CL1002")
        journal.record_outcome("new1", JournalState.SENT, order_id="42")
        placed = journal.get("new1")
        assert placed is not None
        assert (placed.client, placed.order_id, placed.state) == ("CL1002", "42", JournalState.SENT)
        assert [entry.client_order_id for entry in journal.unresolved("a1")] == ["old1"]
    finally:
        journal.close()
    reopened = OrderJournal(path)  # a second open finds the column and leaves it be
    try:
        entry = reopened.get("new1")
        assert entry is not None
        assert entry.client == "CL1002"
    finally:
        reopened.close()


def order(order_id: str, client: str | None) -> Order:
    at = dt.datetime(2026, 11, 24, 4, 0, tzinfo=dt.UTC)
    return Order(order_id=order_id, symbol="NSE:INFY", side=Side.BUY, order_type=OrderType.MARKET,
                 product=Product.CNC, quantity=1, status=OrderStatus.COMPLETE, average_price=Decimal("1500"),
                 placed_at=at, updated_at=at, client_code=client)


@pytest.mark.parametrize(("clients", "shown"), [((None, None), False), (("CL1001", "*****"), True)])
def test_books_lead_with_the_client_when_rows_have_one(
    clients: tuple[str | None, str | None], shown: bool, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wide = Console(width=250, highlight=False)  # wide enough that no header wraps
    monkeypatch.setattr(tables, "console", lambda: wide)
    output.orders([order("1", clients[0]), order("2", clients[1])])
    printed = capsys.readouterr().out
    header = next(line for line in printed.splitlines() if "order id" in line)
    assert ("client" in header) is shown
    if shown:
        assert "CL1001" in printed
        assert "*****" in printed
