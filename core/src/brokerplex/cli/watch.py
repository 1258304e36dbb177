"""``brokerplex watch``: live ticks and order updates."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, cast

import click

from brokerplex.cli.app import cli, json_option, state

if TYPE_CHECKING:
    from brokerplex.models import TickMode
    from brokerplex.streaming import StreamEvent

@cli.command()
@click.argument("account")
@click.argument("symbols", nargs=-1, required=True)
@click.option("--mode", type=click.Choice(["ltp", "quote", "full"]), default="quote", show_default=True)
@click.option("--count", type=click.IntRange(min=1), help="Stop after this many ticks.")
@json_option
def watch(account: str, symbols: tuple[str, ...], mode: str, count: int | None, as_json: bool) -> None:
    """Stream live ticks (and order updates) until Ctrl-C; --json prints one object per line."""
    from brokerplex.models import Tick

    ticks = 0
    try:
        for event in state().manager.watch(account, symbols, cast("TickMode", mode)):
            click.echo(json.dumps(stream_event_record(event), default=str) if as_json else stream_event_line(event))
            ticks += isinstance(event, Tick)
            if count is not None and ticks >= count:
                break
    except KeyboardInterrupt:
        pass  # the way to stop watching; the stream is closed on the way out


def stream_event_line(event: StreamEvent) -> str:
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


def stream_event_record(event: StreamEvent) -> dict[str, object]:
    """The ``--json`` form of a streamed event: a tick's fields, or ``{"order": ...}``."""
    from brokerplex.models import Order

    if isinstance(event, Order):
        return {"order": event.model_dump(mode="json")}
    record: dict[str, object] = {"symbol": event.symbol, "mode": event.mode, "last_price": str(event.last_price)}
    optional = {"last_quantity": event.last_quantity, "volume": event.volume, "open_interest": event.open_interest,
                "average_price": event.average_price, "open": event.open, "high": event.high, "low": event.low,
                "close": event.close, "exchange_timestamp": event.exchange_timestamp}
    record.update({key: value.isoformat() if isinstance(value, dt.datetime) else
                   str(value) if isinstance(value, Decimal) else value
                   for key, value in optional.items() if value is not None})
    if (depth := event.depth) is not None:
        record["depth"] = depth.model_dump(mode="json")
    return record
