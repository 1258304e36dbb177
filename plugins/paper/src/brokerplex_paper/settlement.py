"""The overnight batch: the day's positions settled into cash, holdings and carried positions.

Delivery (CNC) buys become T+1 holdings and sells leave them; intraday (MIS) positions and expired
contracts are closed at the last price; carry-forward (NRML) positions book their realised P&L and
carry their net quantity into the next day at the last price.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from brokerplex.models import Product
from brokerplex_paper.accounting import PositionRow
from brokerplex_paper.ledger import Holding, Ledger
from brokerplex_paper.market import to_paise
from brokerplex_paper.universe import Listing


def settle_positions(ledger: Ledger, account: str, listings: dict[str, Listing], day: dt.date) -> None:
    """Settle ``account``'s positions of ``day`` (``listings``: that day's universe)."""
    ledger.settle_t1(account)
    for row in ledger.positions(account):
        listing = listings[row.symbol]
        tape = ledger.tape(row.symbol)
        last = tape.last_price if tape else listing.reference_price
        multiplier = listing.instrument.multiplier
        ledger.delete_position(account, row)
        if row.product is Product.CNC:
            settle_delivery(ledger, account, row)
            continue
        expired = listing.instrument.expiry is not None and listing.instrument.expiry <= day
        if row.product is Product.MIS or expired:
            _add_cash(ledger, account, row.realised(multiplier) + row.unrealised(last, multiplier))
        else:
            _add_cash(ledger, account, row.realised(multiplier))
            if row.net:
                ledger.save_position(account, PositionRow(row.symbol, row.product, row.net, last))


def settle_delivery(ledger: Ledger, account: str, row: PositionRow) -> None:
    """A day's delivery trades of one symbol into its holding: buys as T+1 at their average, sells out of it."""
    held = ledger.holding(account, row.symbol)
    quantity, t1, average = held.quantity, held.t1_quantity, held.average_price
    if row.net > 0:
        bought_average = row.buy_value / row.buy_quantity
        average = (average * quantity + bought_average * row.net) / (quantity + row.net)
        t1 += row.net
    else:
        quantity += row.net
    ledger.save_holding(account, Holding(row.symbol, quantity, t1, to_paise(average)))


def _add_cash(ledger: Ledger, account: str, amount: Decimal) -> None:
    cash = ledger.cash(account)
    assert cash is not None  # settled accounts are the ledger's own
    ledger.set_cash(account, to_paise(cash + amount))
