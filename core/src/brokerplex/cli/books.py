"""Commands that read books and quotes: orders, trades, positions, holdings, funds, clients, quote."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import click

from brokerplex.cli.app import all_clients_option, cli, client_option, json_option, print_json, state
from brokerplex.errors import InputError


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


def _all_clients(account: str, method: str, book: str | None = None, **filters: Any) -> list[Any]:
    """One book across every client of a dealer account; a client that fails is reported, not hidden."""
    manager = state().manager
    read, book = getattr(manager.aio, method), book or method
    results = manager.for_clients(account, None, lambda code: read(account, client=code, **filters))
    for result in results:
        if not result.ok:
            click.echo(f"warning: client {result.client}: {result.error}", err=True)
    if results and all(not result.ok for result in results):
        raise click.ClickException(f"no client's {book} could be read")
    return [row for result in results if result.value is not None for row in result.value]


def _book_command(name: str, help_text: str, render: Callable[[Any], None], *, across_clients: bool = True,
                  read: str | None = None) -> None:
    """A command showing one book; ``read`` names the manager's method when it is not the command's name."""
    method = read or name

    @cli.command(name=name, help=help_text)
    @click.argument("account")
    @client_option
    @json_option
    def command(account: str, client: str | None, as_json: bool, all_clients: bool = False) -> None:
        if all_clients and client:
            raise InputError("give --client or --all-clients, not both")
        data = (_all_clients(account, method, name) if all_clients
                else getattr(state().manager, method)(account, client=client))
        _show(data, as_json, render)

    if across_clients:
        all_clients_option(command)


_book_command("trades", "Show today's trades.", lambda d: output().trades(d))
_book_command("positions", "Show positions.", lambda d: output().positions(d))
_book_command("holdings", "Show holdings, with their P&L and the day's change.", lambda d: output().holdings(d),
              read="holdings_view")
_book_command("funds", "Show funds and margin.", lambda d: output().funds(d), across_clients=False)


@cli.command()
@click.argument("account")
@click.argument("order_id", required=False)
@click.option("--status", type=click.Choice(["open", "complete", "rejected", "cancelled", "unknown"],
                                            case_sensitive=False),
              help="Only orders in this state; unknown: orders whose outcome is not known yet (see reconcile).")
@click.option("--symbol", help="Only this symbol's orders.")
@client_option
@all_clients_option
@json_option
def orders(account: str, order_id: str | None, status: str | None, symbol: str | None, client: str | None,
           all_clients: bool, as_json: bool) -> None:
    """Show the order book (narrowed by --status and --symbol), or the history of ORDER_ID."""
    if all_clients and (client or order_id):
        raise InputError("--all-clients shows whole books: give no --client and no ORDER_ID with it")
    if order_id and (status or symbol):
        raise InputError("an order's history is not filtered: give ORDER_ID or --status/--symbol, not both")
    status = status.lower() if status else None
    if status == "unknown":
        from brokerplex.cli.ops.views import unresolved

        unresolved(account, symbol, client, all_clients, as_json)
        return
    manager = state().manager
    if all_clients:
        found = _all_clients(account, "orders", status=status, symbol=symbol)
    elif order_id:
        found = manager.order_history(account, order_id, client=client)
    else:
        found = manager.orders(account, client=client, status=status, symbol=symbol)  # type: ignore[arg-type]
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
    if not found:
        broker = state().manager.account(account).broker
        raise InputError(f"no quote for {', '.join(missing)}: not listed at {broker} "
                         f"(`brokerplex instruments {account} TEXT` lists what is)")
    if missing:
        click.echo(f"warning: no quote for {', '.join(missing)} (not listed?)", err=True)
    if as_json:
        print_json({symbol: q.model_dump(mode="json") for symbol, q in found.items()})
        return
    output().quotes(list(found.values()))




@cli.command()
@click.argument("account")
@click.argument("match", required=False, default="")
@click.option("--type", "kind", type=click.Choice(["EQ", "INDEX", "FUT", "CE", "PE"], case_sensitive=False),
              help="Only this kind of instrument.")
@json_option
def instruments(account: str, match: str, kind: str | None, as_json: bool) -> None:
    """List the instruments listed today whose symbol contains MATCH (e.g. NIFTY --type FUT)."""
    import datetime as dt

    found = [i for i in state().manager.instruments(account)
             if match.upper() in i.symbol and (kind is None or i.instrument_type.value == kind.upper())]
    found.sort(key=lambda i: (i.exchange.value, i.underlying or i.tradingsymbol, i.expiry or dt.date.min,
                              i.strike or 0, i.symbol))
    if as_json:
        print_json([i.model_dump(mode="json") for i in found])
        return
    output().instruments(found)
