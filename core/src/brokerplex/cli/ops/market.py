"""Market views: search, expiries, chain, depth (live with --watch), candles."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any, cast

import click

from brokerplex.cli.app import cli, json_option, print_json, state
from brokerplex.cli.orders import waiting
from brokerplex.errors import InputError

if TYPE_CHECKING:
    from brokerplex.models import Depth
    from brokerplex.ops.models import Interval

#: The candle widths, as :data:`brokerplex.ops.models.INTERVALS` names them (spelt out here so that the
#: command line loads no data model until a command runs; a test keeps the two equal).
INTERVALS = ("1m", "3m", "5m", "10m", "15m", "30m", "1h", "1d")


class MomentType(click.ParamType):  # type: ignore[type-arg]
    """A date (2026-11-03) or a date and time (2026-11-03T09:15 or "2026-11-03 09:15"), in IST."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        text = str(value).strip()
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM)", param, ctx)


MOMENT = MomentType()


def _whole_day_end(raw: str, moment: dt.datetime) -> dt.datetime:
    """``--to`` given as a date includes that whole day (to its last second: brokers include the end)."""
    return moment + dt.timedelta(days=1, seconds=-1) if len(raw.strip()) == len("YYYY-MM-DD") else moment


@cli.command()
@click.argument("account")
@click.argument("query")
@click.option("--exchange", help="Only this exchange (NSE, NFO, MCX, …).")
@click.option("--type", "kind", type=click.Choice(["EQ", "INDEX", "FUT", "CE", "PE"], case_sensitive=False),
              help="Only this kind of instrument.")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many.")
@json_option
def search(account: str, query: str, exchange: str | None, kind: str | None, limit: int, as_json: bool) -> None:
    """Find instruments by name or trading symbol (fuzzy), best match first."""
    if not query.strip():
        raise InputError("give some text to search for")
    from brokerplex.models import InstrumentType

    found = state().manager.search(account, query, exchange=exchange.upper() if exchange else None,
                                   instrument_type=InstrumentType(kind.upper()) if kind
                                   else None, limit=limit)
    if as_json:
        print_json([instrument.model_dump(mode="json") for instrument in found])
        return
    from brokerplex.output import instruments

    instruments(found)


@cli.command()
@click.argument("account")
@click.argument("underlying")
@json_option
def expiries(account: str, underlying: str, as_json: bool) -> None:
    """The expiry dates of UNDERLYING's futures and options, nearest first."""
    found = state().manager.expiries(account, underlying)
    if as_json:
        print_json([day.isoformat() for day in found])
        return
    for day in found:
        click.echo(day.isoformat())


@cli.command()
@click.argument("account")
@click.argument("underlying")
@click.option("--expiry", type=MOMENT, help="Expiry date (default: the nearest; `brokerplex expiries` lists them).")
@click.option("--strikes", type=click.IntRange(min=1), default=10, show_default=True,
              help="Strikes on each side of the spot.")
@json_option
def chain(account: str, underlying: str, expiry: dt.datetime | None, strikes: int, as_json: bool) -> None:
    """The option chain around the spot: calls | strike | puts, with LTP, OI, bid/ask, IV and delta."""
    with waiting(f"building the {underlying} chain at {account}…"):
        found = state().manager.chain(account, underlying, expiry=expiry.date() if expiry else None,
                                      strikes=strikes)
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    from brokerplex.cli.ops.render import chain as table

    table(found)


@cli.command()
@click.argument("account")
@click.argument("symbol")
@click.option("--watch", "live", is_flag=True, help="Keep it live from the stream until Ctrl-C.")
@click.option("--count", type=click.IntRange(min=1), help="With --watch: stop after this many updates.")
@json_option
def depth(account: str, symbol: str, live: bool, count: int | None, as_json: bool) -> None:
    """The order book's best levels (five on most brokers) on both sides of SYMBOL."""
    from brokerplex.symbols import canonical

    name = canonical(symbol)
    if not live:
        if count is not None:
            raise InputError("--count belongs with --watch")
        _show_depth(name, state().manager.depth(account, name), as_json)
        return
    from brokerplex.cli.watch import GIVE_UP_SECONDS, show_state
    from brokerplex.streaming import FeedState

    updates = 0
    try:
        for event in state().manager.watch(account, [name], "full", give_up=GIVE_UP_SECONDS):
            if isinstance(event.data, FeedState):
                show_state(account, event.data)
                continue
            book = getattr(event.data, "depth", None) if getattr(event.data, "symbol", None) == name else None
            if book is None:
                continue  # an order update, or a tick without depth
            if not as_json and sys.stdout.isatty():
                click.clear()
            _show_depth(name, book, as_json, one_line=True)
            updates += 1
            if count is not None and updates >= count:
                break
    except KeyboardInterrupt:
        pass  # the way to stop watching; the stream is closed on the way out


def _show_depth(symbol: str, book: Depth, as_json: bool, *, one_line: bool = False) -> None:
    if as_json:
        from brokerplex.formats import money_at_places_of

        with money_at_places_of(symbol):
            record = {"symbol": symbol, **book.model_dump(mode="json")}
        click.echo(json.dumps(record, default=str)) if one_line else print_json(record)
        return
    from brokerplex.cli.ops.render import depth as table

    table(symbol, book)


@cli.command()
@click.argument("account")
@click.argument("symbol")
@click.option("--interval", type=click.Choice(INTERVALS), required=True, help="The width of each candle.")
@click.option("--from", "start", required=True, metavar="DATE", help="From this date or date and time (IST).")
@click.option("--to", "end", required=True, metavar="DATE",
              help="Up to this date and time (IST); a date alone includes that whole day.")
@json_option
def candles(account: str, symbol: str, interval: str, start: str, end: str, as_json: bool) -> None:
    """OHLC candles of SYMBOL from --from to --to (IST), oldest first; long ranges are fetched in pages."""
    ctx = click.get_current_context()
    options = {param.name: param for param in ctx.command.params}
    begins = MOMENT.convert(start, options["start"], ctx)
    ends = _whole_day_end(end, MOMENT.convert(end, options["end"], ctx))
    with waiting(f"reading {symbol} candles at {account}…"):
        found = state().manager.candles(account, symbol, cast("Interval", interval), begins, ends)
    if as_json:
        from brokerplex.formats import money_at_places_of
        from brokerplex.symbols import canonical

        with money_at_places_of(canonical(symbol)):
            print_json([candle.model_dump(mode="json") for candle in found])
        return
    from brokerplex.cli.ops.render import candles as table

    table(symbol.upper(), found)
