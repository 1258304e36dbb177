"""Commands that send several orders or change positions: exit, convert, basket, target, margin, halt, resume.

Every multi-order command prints every leg (``--json``: a list of the legs' records) and exits 1 when
any leg did not go through; bad input exits 2 before anything is sent. ``--dry-run`` validates,
prices the margin where the broker offers it, and prints what would be sent. A halted account
refuses new orders (exit 1: a check refused them, the input was fine) but still exits positions.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from brokerplex.cli.app import (
    PRICE,
    all_clients_option,
    cli,
    client_option,
    json_option,
    print_json,
    state,
)
from brokerplex.cli.ops.common import (
    PRODUCTS,
    dry_run_margin,
    dry_run_option,
    product_option,
    read_requests,
    report_legs,
)
from brokerplex.cli.orders import OrderCommand, waiting
from brokerplex.errors import InputError

if TYPE_CHECKING:
    from brokerplex.models import OrderRequest, Product
    from brokerplex.ops.models import LegResult


def _product(name: str | None) -> Product | None:
    from brokerplex.models import Product

    return Product(name.upper()) if name else None


@cli.command(name="exit")
@click.argument("account")
@click.argument("symbols", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every open position.")
@product_option
@click.option("--limit-offset", type=PRICE, metavar="RUPEES",
              help="Exit with LIMIT orders this far through the last price (default: at market).")
@click.option("--keep-orders", is_flag=True, help="Do not cancel the symbol's open orders first.")
@client_option
@all_clients_option
@dry_run_option
@json_option
def exit_positions(account: str, symbols: tuple[str, ...], everything: bool, product: str | None,
                   limit_offset: Decimal | None, keep_orders: bool, client: str | None, all_clients: bool,
                   dry_run: bool, as_json: bool) -> None:
    """Flatten net positions: SYMBOL… or --all. Each symbol's open orders are cancelled first (unless
    --keep-orders); one result per position, exit code 1 if any exit did not go through."""
    if bool(symbols) == everything:
        raise InputError("name the positions to exit (SYMBOL…) or give --all, not both" if everything
                         else "name the positions to exit (SYMBOL…), or give --all for every open position")
    if all_clients and client:
        raise InputError("give --client or --all-clients, not both")
    manager = state().manager
    options: dict[str, Any] = {"product": _product(product), "limit_offset": limit_offset,
                               "keep_orders": keep_orders, "dry_run": dry_run}
    wanted = list(symbols) or None
    with waiting(f"exiting positions at {account}…"):
        if all_clients:
            legs = _across_clients(account, lambda code: manager.aio.exit_positions(account, wanted, client=code,
                                                                                    **options))
        else:
            legs = manager.exit_positions(account, wanted, client=client, **options)
    report_legs(legs, as_json, "Exits (dry run: nothing sent)" if dry_run else "Exits", account=account)


def _across_clients(account: str, operation: Any) -> list[LegResult]:
    """One operation for every client of a dealer account, its legs together; a client whose operation
    failed as a whole is one failed leg, never hidden."""
    from brokerplex.ops.models import LegResult, outcome_of_error

    legs: list[LegResult] = []
    for result in state().manager.for_clients(account, None, operation):
        if result.value is not None:
            legs += result.value
        else:
            legs.append(LegResult(symbol="-", outcome=outcome_of_error(result.error or Exception()),
                                  message=str(result.error), client_code=result.client))
    return legs


@cli.command(cls=OrderCommand)
@click.argument("account")
@click.argument("symbol")
@click.argument("quantity", type=int, metavar="QTY")
@click.option("--from", "from_product", type=click.Choice(PRODUCTS, case_sensitive=False), required=True,
              help="The position's product now.")
@click.option("--to", "to_product", type=click.Choice(PRODUCTS, case_sensitive=False), required=True,
              help="The product to move it to.")
@client_option
@json_option
def convert(account: str, symbol: str, quantity: int, from_product: str, to_product: str, client: str | None,
            as_json: bool) -> None:
    """Convert QTY of a position from one product to another (e.g. --from MIS --to CNC); shows the symbol's
    positions afterwards."""
    from brokerplex.models import Product

    with waiting(f"converting {symbol} at {account}…"):
        after = state().manager.convert_position(account, symbol, quantity, from_product=Product(from_product.upper()),
                                                 to_product=Product(to_product.upper()), client=client)
    if as_json:
        print_json([position.model_dump(mode="json") for position in after])
        return
    from brokerplex.output import positions

    click.echo(f"converted {quantity} {symbol} from {from_product.upper()} to {to_product.upper()}")
    positions(after)


@cli.command()
@click.argument("account")
@click.argument("source", metavar="FILE.json|-")
@client_option
@dry_run_option
@json_option
def basket(account: str, source: str, client: str | None, dry_run: bool, as_json: bool) -> None:
    """Place a basket: a JSON list of orders (objects with symbol, side, quantity, order_type, price,
    product, …) from a file, or stdin for -. Every leg is validated, and the basket's margin checked
    where the broker offers basket margins, before the first is sent: a bad leg exits 2 naming it."""
    requests = read_requests(source)
    manager = state().manager
    with waiting(f"placing a basket of {len(requests)} at {account}…"):
        result = manager.place_basket(account, requests, client=client, dry_run=dry_run)
    footer = None
    if result.margin is not None:
        from brokerplex.cli.ops.render import basket_margin_line

        footer = basket_margin_line(result.margin)
    report_legs(result.legs, as_json, "Basket (dry run: nothing sent)" if dry_run else "Basket", account=account,
                footer=footer)


class SignedCommand(click.Command):
    """A command whose QTY may be negative (a net short position): ``-10`` is a number, not an option; any
    other unknown option is still refused by name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context_settings.setdefault("ignore_unknown_options", True)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        known = {name for param in self.get_params(ctx) for name in (*param.opts, *param.secondary_opts)}
        for arg in args[:args.index("--")] if "--" in args else args:
            if arg.startswith("-") and not _NUMBER.fullmatch(arg) and arg.partition("=")[0] not in known:
                raise click.NoSuchOption(arg.partition("=")[0], ctx=ctx)
        return super().parse_args(ctx, args)


_NUMBER = re.compile(r"-\d+")


@cli.command(cls=SignedCommand)
@click.argument("account")
@click.argument("symbol")
@click.argument("quantity", metavar="QTY", type=int)
@product_option
@client_option
@dry_run_option
@json_option
def target(account: str, symbol: str, quantity: int, product: str | None, client: str | None, dry_run: bool,
           as_json: bool) -> None:
    """Buy or sell what takes the net position in SYMBOL to QTY (negative: short; 0: flat), counting open
    orders as if filled. Two at once for one symbol never overshoot."""
    manager = state().manager
    with waiting(f"reaching {quantity} {symbol} at {account}…"):
        legs = manager.target_position(account, symbol, quantity, product=_product(product), client=client,
                                       dry_run=dry_run)
    footer = None
    if dry_run:
        margin = dry_run_margin(account, [leg.request for leg in legs if leg.request is not None], client=client)
        footer = margin.line if margin is not None else None
    report_legs(legs, as_json, "Target (dry run: nothing sent)" if dry_run else "Target", account=account,
                footer=footer)


@cli.command(cls=OrderCommand)
@click.argument("account")
@click.argument("symbol", required=False)
@click.argument("side", required=False, type=click.Choice(["buy", "sell"], case_sensitive=False))
@click.argument("quantity", required=False, type=int, metavar="QTY")
@click.option("--limit", type=PRICE, help="Limit price (default: at market).")
@click.option("--trigger", type=PRICE, help="Trigger price (SL-M; with --limit, SL).")
@product_option
@click.option("--basket", "source", metavar="FILE.json|-", help="The margin of a basket (a JSON list of orders).")
@client_option
@json_option
def margin(account: str, symbol: str | None, side: str | None, quantity: int | None, limit: Decimal | None,
           trigger: Decimal | None, product: str | None, source: str | None, client: str | None,
           as_json: bool) -> None:
    """The margin an order (SYMBOL buy|sell QTY) or a basket (--basket) would block, and its charges where the
    broker says; nothing is placed."""
    manager = state().manager
    if source is not None:
        if symbol or side or quantity is not None or limit or trigger or product:
            raise InputError("--basket takes its orders from the file: give no SYMBOL, side, QTY or prices with it")
        requests = read_requests(source)
        with waiting(f"pricing a basket of {len(requests)} at {account}…"):
            found = manager.basket_margin(account, requests, client=client)
        if as_json:
            print_json(found.model_dump(mode="json"))
        else:
            from brokerplex.cli.ops.render import basket_margin

            basket_margin(found)
        return
    if symbol is None or side is None or quantity is None:
        raise InputError("give SYMBOL, buy or sell, and QTY (or --basket FILE.json)")
    from brokerplex.cli.orders import order_fields
    from brokerplex.models import OrderRequest
    from brokerplex.validation import build

    request = build(OrderRequest, order_fields(symbol, side, quantity, limit=limit, trigger=trigger, product=product))
    with waiting(f"pricing {symbol} at {account}…"):
        found_one = manager.margins(account, [request], client=client)
    if as_json:
        print_json([m.model_dump(mode="json") for m in found_one])
        return
    from brokerplex.cli.ops.render import margins

    margins(found_one)


def place_legs(account: str, request: OrderRequest, client: str | None, sliced: bool, dry_run: bool,
                as_json: bool) -> None:
    """``place --slice`` (every child, as legs) and ``place --dry-run`` (what would be sent, and its margin)."""
    manager = state().manager
    if sliced:
        with waiting(f"placing {request.symbol} in slices at {account}…"):
            legs = manager.place_sliced(account, request, client=client, dry_run=dry_run)
        margin = dry_run_margin(account, [leg.request for leg in legs if leg.request], client=client) if dry_run \
            else None
        report_legs(legs, as_json, "Slices (dry run: nothing sent)" if dry_run else "Slices", account=account,
                    footer=margin.line if margin is not None else None)
        return
    leg = manager.place_dry_run(account, request, client=client)
    priced = dry_run_margin(account, [leg.request or request], client=client)
    if as_json:
        print_json({**leg.model_dump(mode="json"), "margin": priced.record() if priced is not None else None})
        return
    from brokerplex.cli.ops.render import would_send

    click.echo(f"dry run: {would_send(leg)}; nothing sent")
    if priced is not None:
        click.echo(priced.line)


@cli.command()
@click.argument("account")
@click.option("--exit-all", is_flag=True, help="Also cancel every open order and exit every position.")
@click.option("--reason", default="halted by hand", show_default=True, help="Why (shown when an order is refused).")
@json_option
def halt(account: str, exit_all: bool, reason: str, as_json: bool) -> None:
    """The kill switch: refuse every new order of ACCOUNT until `brokerplex resume`. Exits still pass; a refused
    order exits 1. With --exit-all, every open order is cancelled and every position exited."""
    manager = state().manager
    halted = manager.halt(account, reason)
    legs: list[LegResult] = []
    if exit_all:
        with waiting(f"cancelling and exiting everything at {account}…"):
            legs = manager.cancel_all(account) + manager.exit_positions(account)
    record = {"account": account, "reason": halted.reason, "at": halted.at.isoformat()}
    if as_json:
        print_json({**record, "legs": [leg.model_dump(mode="json") for leg in legs]} if exit_all else record)
    else:
        click.echo(f"halted {account} ({halted.reason}): new orders are refused until `brokerplex resume {account}`")
    if exit_all:
        report_legs(legs, as_json, "Cancelled and exited", account=account, quiet=as_json)


@cli.command()
@click.argument("account")
def resume(account: str) -> None:
    """Lift the halt of ACCOUNT: new orders are accepted again."""
    manager = state().manager
    manager.account(account)  # an unknown account is bad input, not "was not halted"
    click.echo(f"resumed {account}" if manager.resume(account) else f"{account} was not halted")
