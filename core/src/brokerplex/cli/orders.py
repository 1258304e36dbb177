"""Commands that send orders: place, modify, cancel, and reconcile what was left unknown."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from brokerplex.cli.app import PRICE, cli, client_option, json_option, print_json, state
from brokerplex.errors import InputError

if TYPE_CHECKING:
    from brokerplex.models import OrderAck, OrderRequest

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


