"""The paper scene of ``brokerplex demo``, and the steps every broker's scene shows (quotes, a market order,
a limit order that rests, is modified and is cancelled, the books)."""

from __future__ import annotations

from decimal import Decimal

import click

from brokerplex import output
from brokerplex.errors import InputError
from brokerplex.manager import BrokerManager
from brokerplex.models import Instrument, OrderAck, OrderModify, OrderRequest, OrderType, Side
from brokerplex.rules import tick_floor
from brokerplex.tables import table
from brokerplex_paper.universe import nearest_future

ACCOUNT = "demo"


def step(text: str) -> None:
    click.secho(f"\n▸ {text}", bold=True)


def below(price: Decimal, percent: int, instrument: Instrument) -> Decimal:
    """``percent`` below ``price``, on the instrument's tick grid."""
    return tick_floor(price * (100 - percent) / 100, instrument)


def paper_round_trip(manager: BrokerManager) -> None:
    step("installed brokers")
    table("Brokers", ["name", "distribution", "version"],
          [[b.name, b.distribution or "-", b.version or "-"] for b in manager.brokers().values()])

    step(f"activate a paper account {ACCOUNT!r} (no settings needed)")
    manager.activate("paper", ACCOUNT)
    profile = manager.profile(ACCOUNT)
    click.echo(f"logged in as {profile.user_id} at {profile.broker}")

    trade_round_trip(manager, ACCOUNT, quantity=10, carried_as="the paper exchange's tag")

    future = nearest_future("NIFTY")  # the exchange's own listing: the same contract the account sees
    step(f"F&O: buy one lot ({future.lot_size}) of {future.symbol} (NRML)")
    ack = manager.place_order(ACCOUNT, OrderRequest(symbol=future.symbol, side=Side.BUY, quantity=future.lot_size))
    click.echo(acknowledged(ack))

    step("bad input is refused before anything is sent")
    try:
        manager.place_order(ACCOUNT, OrderRequest(symbol=future.symbol, side=Side.BUY, quantity=future.lot_size + 1))
    except InputError as exc:
        click.echo(f"refused: {exc}")

    show_books(manager, ACCOUNT)
    trader_operations(manager, ACCOUNT)


def trader_operations(manager: BrokerManager, account: str) -> None:
    """The everyday operations: an option chain, the P&L, cancel-all and exits."""
    from brokerplex.cli.ops import render

    step("option chain: NIFTY, nearest expiry, three strikes each side of the spot, with IV and greeks")
    render.chain(manager.chain(account, "NIFTY", strikes=3))

    step("two limit orders rest in NSE:INFY; cancel-all cancels both")
    instrument = manager.instrument(account, "NSE:INFY")
    last = manager.quotes(account, ["NSE:INFY"])[instrument.symbol].last_price
    for percent in (2, 3):
        manager.place_order(account, OrderRequest(symbol=instrument.symbol, side=Side.BUY, quantity=5,
                                                  order_type=OrderType.LIMIT, price=below(last, percent, instrument)))
    render.legs(manager.cancel_all(account, symbol=instrument.symbol), "Cancel all NSE:INFY")

    step("the day's P&L, per position and in total")
    render.pnl([manager.pnl(account)])

    step("exit every open position (at market, after cancelling each symbol's open orders)")
    render.legs(manager.exit_positions(account), "Exits")
    render.pnl([manager.pnl(account)])


def trade_round_trip(manager: BrokerManager, account: str, *, quantity: int, carried_as: str) -> None:
    """The steps every broker's scene shows: quotes, a market order, and a limit order that
    rests, is modified and is cancelled."""
    step("quotes")
    quotes = manager.quotes(account, ["NSE:INFY", "NSE:RELIANCE", "NSE:NIFTY 50"])
    output.quotes(list(quotes.values()))

    step(f"market order: buy {quantity} NSE:INFY; our client order id travels as {carried_as}")
    ack = manager.place_order(account, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=quantity))
    click.echo(f"{acknowledged(ack)}, client order id {ack.client_order_id}")

    reliance = manager.instrument(account, "NSE:RELIANCE")
    last = quotes["NSE:RELIANCE"].last_price
    limit = below(last, 2, reliance)
    step(f"limit order: buy {quantity} NSE:RELIANCE at {limit}, 2% under the market, so it rests")
    ack = manager.place_order(account, OrderRequest(symbol="NSE:RELIANCE", side=Side.BUY, quantity=quantity,
                                                    order_type=OrderType.LIMIT, price=limit))
    click.echo(acknowledged(ack))
    lower = below(last, 3, reliance)
    modified = manager.modify_order(account, ack.order_id, OrderModify(price=lower))
    click.echo(f"modified to {lower}: {acknowledged(modified)}")
    click.echo(f"cancelled: {acknowledged(manager.cancel_order(account, ack.order_id))}")


def acknowledged(ack: OrderAck) -> str:
    """An acknowledgement in words; some brokers answer with the order id alone."""
    return f"order {ack.order_id}" + (f" ({ack.status.value})" if ack.status else " accepted")


def show_books(manager: BrokerManager, account: str) -> None:
    step("order book, positions and funds")
    output.orders(manager.orders(account))
    output.positions(manager.positions(account))
    output.funds(manager.funds(account))

