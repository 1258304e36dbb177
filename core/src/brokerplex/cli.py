"""The ``brokerplex`` command line.

Exit codes: 0 ok; 2 bad input or usage (one line, nothing sent); 1 a broker or other
failure (one line; ``--debug`` adds the traceback). Imports stay lazy: ``brokerplex
brokers`` must not pay for pydantic models or any broker SDK.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

import click

from brokerplex.errors import BrokerplexError, InputError

if TYPE_CHECKING:
    from brokerplex.manager import BrokerManager
    from brokerplex.models import OrderAck, OrderRequest, TickMode

ENV_DEBUG = "BROKERPLEX_DEBUG"


class PriceType(click.ParamType):  # type: ignore[type-arg]
    name = "price"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        try:
            price = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{value!r} is not a price", param, ctx)
        if not price.is_finite() or price <= 0:
            self.fail(f"{value!r} is not a positive price", param, ctx)
        return price


PRICE = PriceType()
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
client_option = click.option(
    "--client", metavar="CODE", help="Dealer logins: act for this client code (default: the account's client_code)."
)
all_clients_option = click.option("--all-clients", is_flag=True, help="Dealer logins: every client the login holds.")
options_option = click.option(
    "-o", "--option", "options", multiple=True, metavar="KEY=VALUE", help="A setting; repeat for more."
)


def parse_options(pairs: Sequence[str]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"option {pair!r} is not KEY=VALUE")
        parsed[key.strip()] = value
    return parsed


class State:
    """Per-invocation state: the home folder and a manager made on first use."""

    def __init__(self, home: Path | None) -> None:
        self.home = home
        self._manager: BrokerManager | None = None

    @property
    def manager(self) -> BrokerManager:
        if self._manager is None:
            from brokerplex.manager import BrokerManager

            self._manager = BrokerManager(self.home)
        return self._manager

    def close(self) -> None:
        if self._manager is not None:
            self._manager.close()


def state() -> State:
    return click.get_current_context().find_object(State) or State(None)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(path_type=Path),
              help="State folder (default: $BROKERPLEX_HOME, else the config folder).")
@click.option("--debug", is_flag=True, help="Show tracebacks on failure.")
@click.version_option(package_name="brokerplex")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, debug: bool) -> None:
    """One API over many Indian brokers."""
    ctx.obj = State(home)
    ctx.call_on_close(ctx.obj.close)


@cli.command()
@json_option
def brokers(as_json: bool) -> None:
    """List installed broker plugins."""
    from brokerplex.plugins import registered_brokers

    found = registered_brokers()
    rows = [
        {"name": b.name, "title": b.spec.title, "distribution": b.distribution, "version": b.version,
         "plugin": b.plugin, "capabilities": b.spec.capabilities.as_dict()}
        for b in found.values()
    ]
    if as_json:
        print_json(rows)
        return
    # Plain columns, like `pip list`: this listing is on the startup-critical path, and rich
    # would add a quarter to its time.
    columns = ["name", "distribution", "version", "capabilities"]
    cells = [[b.name, b.distribution or "-", b.version or "-", b.spec.capabilities.summary()] for b in found.values()]
    widths = [max(len(str(row[i])) for row in [columns, *cells]) for i in range(len(columns))]
    for row in [columns, ["-" * w for w in widths], *cells]:
        click.echo("  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())


@cli.command()
@click.argument("broker")
@click.argument("account")
@options_option
@json_option
def activate(broker: str, account: str, options: tuple[str, ...], as_json: bool) -> None:
    """Activate ACCOUNT at BROKER with its settings (-o KEY=VALUE)."""
    prompt = _prompt_secret if sys.stdin.isatty() else None
    activated = state().manager.activate(broker, account, parse_options(options), prompt_secret=prompt)
    if as_json:
        print_json({"account": activated.name, "broker": activated.broker, "settings": activated.public_settings()})
    else:
        click.echo(f"activated {activated.name} ({activated.broker})")


def _prompt_secret(name: str) -> str:
    return str(click.prompt(name, hide_input=True))


@cli.command()
@click.argument("account")
def deactivate(account: str) -> None:
    """Forget ACCOUNT and its stored session."""
    state().manager.deactivate(account)
    click.echo(f"deactivated {account}")


@cli.command()
@json_option
def accounts(as_json: bool) -> None:
    """List activated accounts (secrets masked)."""
    found = state().manager.accounts()
    if as_json:
        print_json([{"account": a.name, "broker": a.broker, "settings": a.public_settings()} for a in found])
        return
    from brokerplex.tables import table

    table("Accounts", ["account", "broker", "settings"],
          [[a.name, a.broker, " ".join(f"{k}={v}" for k, v in a.public_settings().items() if v is not None)]
           for a in found])


class ClickLoginIO:
    def show(self, text: str) -> None:
        click.echo(text)

    def prompt(self, text: str, *, hidden: bool = False) -> str:
        return str(click.prompt(text, hide_input=hidden))


@cli.command()
@click.argument("account")
@click.option("--request-token", help="For redirect logins (Kite): the request_token from the redirect URL.")
@options_option
@json_option
def login(account: str, request_token: str | None, options: tuple[str, ...], as_json: bool) -> None:
    """Log ACCOUNT in (interactively where the broker needs it)."""
    params = parse_options(options)
    if request_token:
        params["request_token"] = request_token
    profile = state().manager.login(account, params, ClickLoginIO())
    if as_json:
        print_json(profile.model_dump(mode="json"))
    else:
        click.echo(f"logged in {account} as {profile.user_id} ({profile.name or profile.broker})")


@cli.command()
@click.argument("account")
@click.argument("symbol")
@click.argument("side", type=click.Choice(["buy", "sell"], case_sensitive=False))
@click.argument("quantity", type=int, metavar="QTY")
@click.option("--limit", type=PRICE, help="Limit price (LIMIT; with --trigger, SL).")
@click.option("--trigger", type=PRICE, help="Trigger price (SL-M; with --limit, SL).")
@click.option("--product", type=click.Choice(["CNC", "MIS", "NRML"], case_sensitive=False),
              help="Default: CNC on NSE/BSE, NRML on derivatives.")
@click.option("--validity", type=click.Choice(["DAY", "IOC"], case_sensitive=False), default="DAY")
@click.option("--variety", type=click.Choice(["regular", "amo", "co", "iceberg"], case_sensitive=False),
              default="regular")
@click.option("--tag", help="Client order id (letters and digits); one is made if not given.")
@click.option("--client", "clients", multiple=True, metavar="CODE",
              help="Dealer logins: place for this client code; repeat to place one order for each.")
@json_option
def place(
    account: str, symbol: str, side: str, quantity: int, limit: Decimal | None, trigger: Decimal | None,
    product: str | None, validity: str, variety: str, tag: str | None, clients: tuple[str, ...], as_json: bool,
) -> None:
    """Place an order: MARKET, or LIMIT / SL / SL-M by the prices given.

    A cover order (--variety co) is a MARKET or LIMIT entry whose --trigger is its stop-loss.
    """
    from brokerplex.models import OrderRequest
    from brokerplex.validation import build

    stops = trigger is not None and variety.lower() != "co"
    kind = {(False, False): "MARKET", (True, False): "LIMIT", (True, True): "SL", (False, True): "SL-M"}[
        (limit is not None, stops)
    ]
    request = build(OrderRequest, {
        "symbol": symbol, "side": side.upper(), "quantity": quantity, "order_type": kind, "price": limit,
        "trigger_price": trigger, "product": product.upper() if product else None, "validity": validity.upper(),
        "variety": variety.lower(), "client_order_id": tag,
    })
    if len(clients) > 1:
        _place_for_clients(account, list(clients), request, as_json)
        return
    ack = state().manager.place_order(account, request, client=clients[0] if clients else None)
    if as_json:
        print_json(ack.model_dump(mode="json"))
    else:
        click.echo(_placed(ack))


def _placed(ack: OrderAck) -> str:
    status = f" {ack.status.value}" if ack.status else ""
    message = f" ({ack.status_message})" if ack.status_message else ""
    return f"order {ack.order_id}{status}{message}, client order id {ack.client_order_id}"


def _place_for_clients(account: str, clients: list[str], request: OrderRequest, as_json: bool) -> None:
    """One order per client code; every client's outcome is shown. Exit code 1 if any failed, 2 if every
    one was refused here as bad input."""
    results = state().manager.place_order_for_clients(account, clients, request)
    if as_json:
        print_json([{"client": r.client, **({"ack": r.value.model_dump(mode="json")} if r.value else
                                            {"error": str(r.error), "error_type": type(r.error).__name__})}
                    for r in results])
    else:
        for result in results:
            click.echo(f"{result.client}: " + (_placed(result.value) if result.value else f"error: {result.error}"))
    if failed := [r for r in results if not r.ok]:
        summary = f"{len(failed)} of {len(results)} orders failed (clients {', '.join(str(r.client) for r in failed)})"
        if len(failed) == len(results) and all(isinstance(r.error, InputError) for r in failed):
            raise InputError(summary)  # refused here for every client: bad input, exit code 2
        raise click.ClickException(summary)


@cli.command()
@click.argument("account")
@click.argument("order_id")
@click.option("--qty", "quantity", type=int, help="New quantity.")
@click.option("--limit", type=PRICE, help="New limit price.")
@click.option("--trigger", type=PRICE, help="New trigger price.")
@click.option("--type", "order_type", type=click.Choice(["MARKET", "LIMIT", "SL", "SL-M"], case_sensitive=False))
@client_option
@json_option
def modify(
    account: str, order_id: str, quantity: int | None, limit: Decimal | None, trigger: Decimal | None,
    order_type: str | None, client: str | None, as_json: bool,
) -> None:
    """Modify an open order."""
    from brokerplex.models import OrderModify
    from brokerplex.validation import build

    changes = build(OrderModify, {"quantity": quantity, "price": limit, "trigger_price": trigger,
                                  "order_type": order_type.upper() if order_type else None})
    _show_ack(state().manager.modify_order(account, order_id, changes, client=client), "modified", as_json)


@cli.command()
@click.argument("account")
@click.argument("order_id")
@client_option
@json_option
def cancel(account: str, order_id: str, client: str | None, as_json: bool) -> None:
    """Cancel an open order."""
    _show_ack(state().manager.cancel_order(account, order_id, client=client), "cancelled", as_json)


def _show_ack(ack: Any, verb: str, as_json: bool) -> None:
    if as_json:
        print_json(ack.model_dump(mode="json"))
    else:
        status = f": {ack.status.value}" if ack.status else ""
        click.echo(f"{verb} order {ack.order_id}{status}")


def output() -> ModuleType:
    """The table renderers, imported only by commands that print them."""
    from brokerplex import output as renderers

    return renderers


def _show(data: Any, as_json: bool, render: Callable[[Any], None]) -> None:
    if as_json:
        print_json([item.model_dump(mode="json") for item in data] if isinstance(data, list)
                   else data.model_dump(mode="json"))
    else:
        render(data)


def _all_clients(account: str, book: str) -> list[Any]:
    """One book across every client of a dealer account; a client that fails is reported, not hidden."""
    manager = state().manager
    read = getattr(manager.aio, book)
    results = manager.for_clients(account, None, lambda code: read(account, client=code))
    for result in results:
        if not result.ok:
            click.echo(f"warning: client {result.client}: {result.error}", err=True)
    if results and all(not result.ok for result in results):
        raise click.ClickException(f"no client's {book} could be read")
    return [row for result in results if result.value is not None for row in result.value]


def _book_command(name: str, help_text: str, render: Callable[[Any], None], *, across_clients: bool = True) -> None:
    @cli.command(name=name, help=help_text)
    @click.argument("account")
    @client_option
    @json_option
    def command(account: str, client: str | None, as_json: bool, all_clients: bool = False) -> None:
        if all_clients and client:
            raise InputError("give --client or --all-clients, not both")
        data = _all_clients(account, name) if all_clients else getattr(state().manager, name)(account, client=client)
        _show(data, as_json, render)

    if across_clients:
        all_clients_option(command)


_book_command("trades", "Show today's trades.", lambda d: output().trades(d))
_book_command("positions", "Show positions.", lambda d: output().positions(d))
_book_command("holdings", "Show holdings.", lambda d: output().holdings(d))
_book_command("funds", "Show funds and margin.", lambda d: output().funds(d), across_clients=False)


@cli.command()
@click.argument("account")
@click.argument("order_id", required=False)
@client_option
@all_clients_option
@json_option
def orders(account: str, order_id: str | None, client: str | None, all_clients: bool, as_json: bool) -> None:
    """Show the order book, or the history of ORDER_ID."""
    if all_clients and (client or order_id):
        raise InputError("--all-clients shows whole books: give no --client and no ORDER_ID with it")
    manager = state().manager
    if all_clients:
        found = _all_clients(account, "orders")
    else:
        found = manager.order_history(account, order_id, client=client) if order_id else manager.orders(
            account, client=client)
    _show(found, as_json, lambda data: output().orders(data, title=f"History of order {order_id}" if order_id
                                                          else "Orders"))


@cli.command()
@click.argument("account")
@json_option
def clients(account: str, as_json: bool) -> None:
    """List the client codes a dealer login may act for."""
    codes = state().manager.clients(account)
    if as_json:
        print_json(codes)
        return
    for code in codes:
        click.echo(code)


@cli.command()
@click.argument("account")
@click.argument("symbols", nargs=-1, required=True)
@json_option
def quote(account: str, symbols: tuple[str, ...], as_json: bool) -> None:
    """Show quotes with depth."""
    found = state().manager.quotes(account, symbols)
    from brokerplex.symbols import canonical

    missing = [s for s in map(canonical, symbols) if s not in found]
    if missing:
        click.echo(f"warning: no quote for {', '.join(missing)} (not listed?)", err=True)
    if as_json:
        print_json({symbol: q.model_dump(mode="json") for symbol, q in found.items()})
        return
    output().quotes(list(found.values()))


@cli.command()
@click.argument("account")
@click.argument("symbols", nargs=-1, required=True)
@click.option("--mode", type=click.Choice(["ltp", "quote", "full"]), default="quote", show_default=True)
@click.option("--count", type=click.IntRange(min=1), help="Stop after this many ticks.")
@json_option
def watch(account: str, symbols: tuple[str, ...], mode: str, count: int | None, as_json: bool) -> None:
    """Stream live ticks (and order updates) until Ctrl-C; --json prints one object per line."""
    from brokerplex.models import Tick
    from brokerplex.output import stream_event_line, stream_event_record

    ticks = 0
    try:
        for event in state().manager.watch(account, symbols, cast("TickMode", mode)):
            click.echo(json.dumps(stream_event_record(event), default=str) if as_json else stream_event_line(event))
            ticks += isinstance(event, Tick)
            if count is not None and ticks >= count:
                break
    except KeyboardInterrupt:
        pass  # the way to stop watching; the stream is closed on the way out


@cli.command()
@click.argument("account")
@json_option
def reconcile(account: str, as_json: bool) -> None:
    """Resolve orders whose outcome was unknown, by their client order ids."""
    results = state().manager.reconcile(account)
    rows = [{"client_order_id": r.entry.client_order_id, "was": r.entry.state.value, "now": r.state.value,
             "order_id": r.order.order_id if r.order else None} for r in results]
    if as_json:
        print_json(rows)
        return
    from brokerplex.tables import table

    table("Reconciled", ["client order id", "was", "now", "order id"],
          [[r["client_order_id"], r["was"], r["now"], r["order_id"] or "-"] for r in rows])


@cli.command()
@click.option("--keep", is_flag=True, help="Keep the demo's home folder and print its path.")
def demo(keep: bool) -> None:
    """Show the main job end to end on the paper broker, in a temporary home."""
    from brokerplex.demo import run_demo

    run_demo(state().home, keep=keep)


@cli.group()
def sim() -> None:
    """Run a broker's wire simulator on this machine (plugins add one command each)."""


def _load_plugin_commands() -> None:
    from brokerplex.plugins import get_plugin_manager

    get_plugin_manager().hook.register_commands(cli=cli)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get(ENV_DEBUG, "") not in ("", "0")
    try:
        _load_plugin_commands()
        code = cli.main(args=args, prog_name="brokerplex", standalone_mode=False)
    except click.exceptions.Abort:
        _fail("aborted", 1, debug)
    except click.UsageError as exc:
        hint = f" (try: {exc.ctx.command_path} --help)" if exc.ctx else ""
        _fail(f"{exc.format_message()}{hint}", 2, debug)
    except InputError as exc:
        _fail(str(exc), 2, debug)
    except BrokerplexError as exc:
        _fail(str(exc), 1, debug)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code, debug)
    except Exception as exc:
        _fail(f"unexpected {type(exc).__name__}: {exc}", 1, debug)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int, debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc()
    click.echo(f"error: {' '.join(message.split())}", err=True)
    sys.exit(code)
