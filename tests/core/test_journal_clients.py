"""Dealer traces in the core: the journal remembers each order's client, and books show it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rich.console import Console

from brokerplex import output, tables
from brokerplex.models import Order, OrderStatus, OrderType, Product, Side


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
