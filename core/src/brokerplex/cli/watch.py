"""``brokerplex watch``: live ticks, order updates, trades and feed states of one account or several."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, cast

import click

from brokerplex.cli.app import cli, json_option, state
from brokerplex.errors import InputError

if TYPE_CHECKING:
    from brokerplex.hub import Event
    from brokerplex.models import Order, Tick, TickMode, Trade
    from brokerplex.streaming import FeedState

#: Seconds ``watch`` waits for an unreachable broker (at the start or after a drop) before it gives up.
GIVE_UP_SECONDS = 15.0

bus_option = click.option("--bus", envvar="BROKERPLEX_BUS", metavar="URL",
                          help="A Redis URL: share the broker connections of a `brokerplex hub` process "
                               "[env BROKERPLEX_BUS].")


@cli.command()
@click.argument("accounts", metavar="ACCOUNT[,ACCOUNT…]")
@click.argument("symbols", nargs=-1)
@click.option("--mode", type=click.Choice(["ltp", "quote", "full"]), default="quote", show_default=True)
@click.option("--orders-only", is_flag=True, help="Order updates, trades and feed states only: no ticks.")
@click.option("--count", type=click.IntRange(min=1),
              help="Stop after this many ticks (with --orders-only: order updates and trades).")
@click.option("--give-up", type=click.FloatRange(min=0, min_open=True), default=GIVE_UP_SECONDS, show_default=True,
              metavar="SECONDS", help="Exit 1 when a broker cannot be reached for this long.")
@bus_option
@click.option("--after", metavar="ID",
              help="Resume order events after this event id (--json shows it: the bus's, or the store's).")
@json_option
def watch(accounts: str, symbols: tuple[str, ...], mode: str, orders_only: bool, count: int | None, give_up: float,
          bus: str | None, after: str | None, as_json: bool) -> None:
    """Stream live ticks, order updates and trades until Ctrl-C; --json prints one object per line, with a
    `type` field (tick, order, trade, state).

    Every account shares its broker connection with the other consumers of the hub (of this process, or of
    a `brokerplex hub` process with --bus). The feeds' states (connecting, live, reconnecting, stale, login
    needed) go to stderr, or to stdout with --json; an account unreachable for --give-up seconds ends the
    command with exit code 1.
    """
    from brokerplex.streaming import FeedState

    names = [name.strip() for name in accounts.split(",") if name.strip()]
    if not names:
        raise InputError("name at least one account")
    if orders_only == bool(symbols):
        raise InputError("--orders-only takes no symbols" if orders_only else
                         "name the symbols to watch, or --orders-only for order updates alone")
    state().bus = bus
    gc.freeze()  # a long-running reader: the collector need not walk every imported module again and again
    shown = 0
    try:
        for event in state().manager.watch(names, symbols, cast("TickMode", mode), give_up=give_up, after=after):
            if isinstance(event.data, FeedState) and not as_json:
                show_state(event.account, event.data)
                continue
            click.echo(event.text() if as_json else event_line(event, len(names) > 1))
            shown += event.type in (("order", "trade") if orders_only else ("tick",))
            if count is not None and shown >= count:
                break
    except KeyboardInterrupt:
        pass  # the way to stop watching; the consumer is closed on the way out


def show_state(account: str, feed: FeedState) -> None:
    """A change of a feed's state, on stderr."""
    if feed.state != "closed":  # the end speaks for itself: an error follows, or the watch was stopped
        click.echo(f"{account}: {feed}", err=True)


def event_line(event: Event, named: bool = False) -> str:
    """One line per event for ``brokerplex watch``; ``named``: prefixed with the account."""
    line = stream_event_line(cast("Tick | Order | Trade", event.data))
    return f"{event.account}  {line}" if named else line


def stream_event_line(event: Tick | Order | Trade) -> str:
    """One line per streamed tick, order update or trade."""
    from brokerplex.models import Order, Trade

    if isinstance(event, Order):
        client = f" for {event.client_code}" if event.client_code else ""
        return (f"order {event.order_id}{client} {event.symbol} {event.side.value} {event.quantity}: "
                f"{event.status.value}")
    if isinstance(event, Trade):
        client = f" for {event.client_code}" if event.client_code else ""
        return f"trade {event.trade_id} of order {event.order_id}{client} {event.symbol} {event.side.value} " \
               f"{event.quantity} @ {event.price}"
    line = f"{event.symbol}  {event.last_price}"
    if event.volume is not None:
        line += f"  vol {event.volume}"
    if event.bids and event.asks:
        bid, ask = event.bids[0], event.asks[0]
        line += f"  {bid[1]} @ {event.price(bid[0])} / {ask[1]} @ {event.price(ask[0])}"
    return line
