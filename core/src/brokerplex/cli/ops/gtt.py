"""``brokerplex gtt place|list|modify|delete``: good-till-triggered orders, as Kite defines them.

One --trigger makes a single trigger; two make a two-leg (OCO) trigger: the lower is the stop-loss, the
upper the target, each with its own --limit (in the same order). The last price is read from a quote
unless --last gives it. Brokers without GTT refuse clearly (exit 2, nothing sent).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import click

from brokerplex.cli.app import PRICE, cli, json_option, print_json, state
from brokerplex.cli.ops.common import PRODUCTS
from brokerplex.cli.orders import waiting
from brokerplex.errors import InputError

if TYPE_CHECKING:
    from brokerplex.ops.models import Gtt, GttRequest

F = TypeVar("F", bound=Callable[..., Any])


@cli.group()
def gtt() -> None:
    """Good-till-triggered orders: place, list, modify, delete."""


def _trigger_options(required: bool) -> Callable[[F], F]:
    def decorate(command: F) -> F:
        for option in reversed([
            click.option("--trigger", "triggers", type=PRICE, multiple=True, required=required,
                         help="Trigger price; twice for a two-leg (OCO) trigger: lower (stop-loss), then upper."),
            click.option("--side", type=click.Choice(["buy", "sell"], case_sensitive=False), required=required,
                         help="The side of the order(s) it places."),
            click.option("--qty", "quantity", type=click.IntRange(min=1), required=required,
                         help="The quantity of the order(s) it places."),
            click.option("--limit", "limits", type=PRICE, multiple=True, required=required,
                         help="The limit price of the order it places; one per --trigger, in the same order."),
            click.option("--product", type=click.Choice(PRODUCTS, case_sensitive=False),
                         help="The product of the order(s) it places (default CNC)."),
            click.option("--last", type=PRICE, help="The last price (default: read from a quote)."),
        ]):
            command = option(command)
        return command

    return decorate


def _request(account: str, symbol: str, triggers: tuple[Decimal, ...], side: str, quantity: int,
             limits: tuple[Decimal, ...], product: str | None, last: Decimal | None) -> GttRequest:
    from brokerplex.ops.models import GttRequest
    from brokerplex.validation import build

    if len(triggers) > 2:
        raise InputError("a GTT has one trigger, or two (a two-leg OCO: lower, then upper)")
    if len(limits) != len(triggers):
        raise InputError(f"give one --limit per --trigger ({len(triggers)} trigger(s), {len(limits)} limit(s))")
    if last is None:
        last = _last_price(account, symbol)
    orders = [{"side": side.upper(), "quantity": quantity, "price": limit,
               **({"product": product.upper()} if product else {})} for limit in limits]
    return build(GttRequest, {"symbol": symbol, "type": "single" if len(triggers) == 1 else "two-leg",
                              "trigger_prices": list(triggers), "last_price": last, "orders": orders})


def _last_price(account: str, symbol: str) -> Decimal:
    from brokerplex.symbols import canonical

    name = canonical(symbol)
    quote = state().manager.quotes(account, [name]).get(name)
    if quote is None:
        raise InputError(f"no quote for {name}: give its last price with --last")
    return quote.last_price


@gtt.command(name="place")
@click.argument("account")
@click.argument("symbol")
@_trigger_options(required=True)
@json_option
def place_gtt(account: str, symbol: str, triggers: tuple[Decimal, ...], side: str, quantity: int,
              limits: tuple[Decimal, ...], product: str | None, last: Decimal | None, as_json: bool) -> None:
    """Place a GTT on SYMBOL: it places its LIMIT order when the last price crosses a trigger."""
    request = _request(account, symbol, triggers, side, quantity, limits, product, last)
    with waiting(f"placing a GTT at {account}…"):
        gtt_id = state().manager.place_gtt(account, request)
    if as_json:
        print_json({"gtt_id": gtt_id})
    else:
        click.echo(f"placed GTT {gtt_id} ({request.type.value}) on {request.symbol}")


@gtt.command(name="list")
@click.argument("account")
@json_option
def list_gtts(account: str, as_json: bool) -> None:
    """The account's GTT triggers, active and finished."""
    found = state().manager.gtts(account)
    if as_json:
        print_json([item.model_dump(mode="json") for item in found])
        return
    from brokerplex.cli.ops.render import gtts

    gtts(found)


@gtt.command(name="modify")
@click.argument("account")
@click.argument("gtt_id")
@_trigger_options(required=False)
@json_option
def modify_gtt(account: str, gtt_id: str, triggers: tuple[Decimal, ...], side: str | None, quantity: int | None,
               limits: tuple[Decimal, ...], product: str | None, last: Decimal | None, as_json: bool) -> None:
    """Change a GTT: what is not given stays as it is (--trigger and --limit replace all of theirs)."""
    if not (triggers or side or quantity or limits or product or last):
        raise InputError("nothing to change: give --trigger, --limit, --qty, --side, --product or --last")
    manager = state().manager
    existing = _find(manager.gtts(account), gtt_id, account)
    first = existing.orders[0]
    request = _request(account, existing.symbol, triggers or tuple(existing.trigger_prices),
                       side or first.side.value, quantity or first.quantity,
                       limits or tuple(order.price for order in existing.orders),
                       product or first.product.value, last)
    with waiting(f"modifying GTT {gtt_id} at {account}…"):
        manager.modify_gtt(account, gtt_id, request)
    if as_json:
        print_json({"gtt_id": gtt_id})
    else:
        click.echo(f"modified GTT {gtt_id}")


@gtt.command(name="delete")
@click.argument("account")
@click.argument("gtt_id")
@json_option
def delete_gtt(account: str, gtt_id: str, as_json: bool) -> None:
    """Delete a GTT trigger."""
    if not gtt_id.strip():
        raise InputError("give a GTT id")
    with waiting(f"deleting GTT {gtt_id} at {account}…"):
        state().manager.delete_gtt(account, gtt_id)
    if as_json:
        print_json({"gtt_id": gtt_id})
    else:
        click.echo(f"deleted GTT {gtt_id}")


def _find(found: list[Gtt], gtt_id: str, account: str) -> Gtt:
    for item in found:
        if item.gtt_id == gtt_id:
            return item
    raise InputError(f"no GTT {gtt_id!r} at account {account} (`brokerplex gtt list {account}` lists them)")
