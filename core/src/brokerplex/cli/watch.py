"""``brokerplex watch``: live ticks and order updates."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, cast

import click

from brokerplex.cli.app import cli, json_option, state

if TYPE_CHECKING:
    from brokerplex.models import Order, Tick, TickMode
    from brokerplex.streaming import FeedState

#: Seconds ``watch`` waits for an unreachable broker (at the start or after a drop) before it gives up.
GIVE_UP_SECONDS = 15.0


@cli.command()
@click.argument("account")
@click.argument("symbols", nargs=-1, required=True)
@click.option("--mode", type=click.Choice(["ltp", "quote", "full"]), default="quote", show_default=True)
@click.option("--count", type=click.IntRange(min=1), help="Stop after this many ticks.")
@click.option("--give-up", type=click.FloatRange(min=0, min_open=True), default=GIVE_UP_SECONDS, show_default=True,
              metavar="SECONDS", help="Exit 1 when the broker cannot be reached for this long.")
@json_option
def watch(account: str, symbols: tuple[str, ...], mode: str, count: int | None, give_up: float,
          as_json: bool) -> None:
    """Stream live ticks (and order updates) until Ctrl-C; --json prints one object per line.

    The connection's state (connecting, live, reconnecting, stale) goes to stderr; a refused
    session or a broker unreachable for --give-up seconds ends the command with exit code 1.
    """
    from brokerplex.models import Tick
    from brokerplex.streaming import FeedState

    ticks = 0
    try:
        for event in state().manager.watch(account, symbols, cast("TickMode", mode), give_up=give_up):
            if isinstance(event, FeedState):
                show_state(account, event)
                continue
            click.echo(json.dumps(stream_event_record(event), default=str) if as_json else stream_event_line(event))
            ticks += isinstance(event, Tick)
            if count is not None and ticks >= count:
                break
    except KeyboardInterrupt:
        pass  # the way to stop watching; the stream is closed on the way out


def show_state(account: str, feed: FeedState) -> None:
    """A change of the connection's state, on stderr; a needed login ends the watch (exit 1)."""
    from brokerplex.errors import AuthenticationError

    if feed.state == "login_needed":
        raise AuthenticationError(f"login needed for {account}: {feed.reason}")
    if feed.state != "closed":  # the end speaks for itself: an error follows, or the watch was stopped
        click.echo(f"{account}: {feed}", err=True)


def stream_event_line(event: Tick | Order) -> str:
    """One line per streamed event, for ``brokerplex watch``."""
    from brokerplex.models import Order

    if isinstance(event, Order):
        client = f" for {event.client_code}" if event.client_code else ""
        return (f"order {event.order_id}{client} {event.symbol} {event.side.value} {event.quantity}: "
                f"{event.status.value}")
    line = f"{event.symbol}  {event.last_price}"
    if event.volume is not None:
        line += f"  vol {event.volume}"
    if event.bids and event.asks:
        bid, ask = event.bids[0], event.asks[0]
        line += f"  {bid[1]} @ {event.price(bid[0])} / {ask[1]} @ {event.price(ask[0])}"
    return line


def stream_event_record(event: Tick | Order) -> dict[str, object]:
    """The ``--json`` form of a streamed event: a tick's fields, or ``{"order": ...}``."""
    from brokerplex.models import Order

    if isinstance(event, Order):
        return {"order": event.model_dump(mode="json")}
    return event.json_record()  # the models' one JSON form: money at the symbol's places, IST times
