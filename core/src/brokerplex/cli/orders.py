"""Commands that send orders: place, modify, cancel, and reconcile what was left unknown.

``place`` reports the broker's first verdict the same way on every broker: some answer a placement
with the order's outcome, others (XTS) accept it and refuse it a moment later, so ``place`` waits a
little (``--wait``) for the order to leave PENDING. A refusal exits 1 wherever it came from.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import click

from brokerplex.cli.app import PRICE, cli, client_option, json_option, print_json, state
from brokerplex.errors import InputError, InvalidOrderError

if TYPE_CHECKING:
    from brokerplex.manager import BrokerManager
    from brokerplex.models import Order, OrderAck, OrderRequest
    from brokerplex.outcomes import FanOutResult

T = TypeVar("T")
INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C
_NEGATIVE = re.compile(r"-\d+(\.\d*)?")


class OrderCommand(click.Command):
    """A command whose numbers may be typed negative by mistake: ``-5`` is a bad quantity, not an option."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            if _NEGATIVE.fullmatch(exc.option_name):
                raise click.UsageError(f"quantity {exc.option_name} is negative: give a positive number of shares "
                                       "(or units); the side says buy or sell", ctx) from None
            raise


class Interrupted(click.ClickException):
    exit_code = INTERRUPTED


@contextmanager
def waiting(text: str) -> Iterator[None]:
    """A spinner with the seconds waited, on stderr while it is a terminal; gone when the wait is over."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        progress.add_task(text, total=None)
        yield


def interruptible(manager: BrokerManager, account: str, client_order_id: str, work: Callable[[], T]) -> T:
    """``work()``; on Ctrl-C, say truthfully how far the order got (the journal knows) and exit 130."""
    try:
        return work()
    except KeyboardInterrupt:
        entry = manager.journal.get(client_order_id)
        if entry is None or entry.state.value in ("REJECTED", "FAILED"):
            raise Interrupted(f"interrupted: order {client_order_id} was not sent") from None
        if entry.state.value == "SENT":
            raise Interrupted(f"interrupted after the order was placed: order {entry.order_id} (client order id "
                              f"{client_order_id}) stands at {entry.broker}") from None
        raise Interrupted(f"interrupted: order {client_order_id} may have reached {entry.broker}; it was not "
                          f"resent. Check it with `brokerplex reconcile {account}`") from None


def order_fields(symbol: str, side: str, quantity: int, *, limit: Decimal | None = None,
                 trigger: Decimal | None = None, product: str | None = None, validity: str = "DAY",
                 variety: str = "regular", tag: str | None = None, **bracket: Decimal | None) -> dict[str, Any]:
    """An order request's fields as typed on the command line: MARKET, or LIMIT / SL / SL-M by the prices given
    (a cover order's --trigger is its stop-loss, not an SL order's)."""
    stops = trigger is not None and variety.lower() != "co"
    kind = {(False, False): "MARKET", (True, False): "LIMIT", (True, True): "SL", (False, True): "SL-M"}[
        (limit is not None, stops)
    ]
    return {"symbol": symbol, "side": side.upper(), "quantity": quantity, "order_type": kind, "price": limit,
            "trigger_price": trigger, "product": product.upper() if product else None, "validity": validity.upper(),
            "variety": variety.lower(), "client_order_id": tag,
            **{name: value for name, value in bracket.items() if value is not None}}


@cli.command(cls=OrderCommand)
@click.argument("account")
@click.argument("symbol")
@click.argument("side", type=click.Choice(["buy", "sell"], case_sensitive=False))
@click.argument("quantity", type=int, metavar="QTY")
@click.option("--limit", type=PRICE, help="Limit price (LIMIT; with --trigger, SL).")
@click.option("--trigger", type=PRICE, help="Trigger price (SL-M; with --limit, SL).")
@click.option("--product", type=click.Choice(["CNC", "MIS", "NRML"], case_sensitive=False),
              help="Default: CNC on NSE/BSE, NRML on derivatives.")
@click.option("--validity", type=click.Choice(["DAY", "IOC"], case_sensitive=False), default="DAY")
@click.option("--variety", type=click.Choice(["regular", "amo", "co", "bo", "iceberg"], case_sensitive=False),
              default="regular")
@click.option("--target", "target_points", type=PRICE, metavar="POINTS",
              help="Bracket orders (--variety bo): the target, in points from the entry price.")
@click.option("--stop-loss", type=PRICE, metavar="POINTS",
              help="Bracket orders (--variety bo): the stop-loss, in points from the entry price.")
@click.option("--trailing", type=PRICE, metavar="POINTS", help="Bracket orders: a trailing stop-loss, in points.")
@click.option("--tag", help="Client order id (letters and digits); one is made if not given.")
@click.option("--client", "clients", multiple=True, metavar="CODE",
              help="Dealer logins: place for this client code; repeat to place one order for each.")
@click.option("--wait", type=click.FloatRange(min=0), default=3.0, show_default=True, metavar="SECONDS",
              help="How long to wait for the broker's verdict (open, complete or rejected); 0: do not wait.")
@click.option("--slice", "sliced", is_flag=True,
              help="Above the freeze quantity, place freeze-sized child orders (each its own client order id).")
@click.option("--dry-run", is_flag=True, help="Validate and price it, print what would be sent, and send nothing.")
@json_option
def place(
    account: str, symbol: str, side: str, quantity: int, limit: Decimal | None, trigger: Decimal | None,
    product: str | None, validity: str, variety: str, target_points: Decimal | None, stop_loss: Decimal | None,
    trailing: Decimal | None, tag: str | None, clients: tuple[str, ...], wait: float, sliced: bool, dry_run: bool,
    as_json: bool,
) -> None:
    """Place an order: MARKET, or LIMIT / SL / SL-M by the prices given.

    A cover order (--variety co) is a MARKET or LIMIT entry whose --trigger is its stop-loss; a bracket order
    (--variety bo) has --target and --stop-loss (and --trailing), in points from its entry. Exit code 1 when
    the broker rejects the order, now or within --wait (with --slice: when any child did not go through).
    """
    from brokerplex.ids import new_client_order_id
    from brokerplex.models import OrderRequest
    from brokerplex.validation import build

    fields = order_fields(symbol, side, quantity, limit=limit, trigger=trigger, product=product, validity=validity,
                          variety=variety, tag=tag, target=target_points, stop_loss=stop_loss,
                          trailing_stop_loss=trailing)
    if (sliced or dry_run) and len(clients) > 1:
        raise InputError("--slice and --dry-run act for one client at a time: give at most one --client")
    if sliced or dry_run:
        from brokerplex.cli.ops.trading import place_legs

        place_legs(account, build(OrderRequest, fields), clients[0] if clients else None, sliced,
                    dry_run, as_json)
        return
    if len(clients) > 1:
        _place_for_clients(account, list(clients), build(OrderRequest, fields), wait, as_json)
        return
    # The id is made here, so that an interruption can still name the order and look it up.
    request = build(OrderRequest, {**fields, "client_order_id": tag or new_client_order_id()})
    manager, client = state().manager, clients[0] if clients else None
    cid = request.client_order_id or ""

    def send() -> tuple[OrderAck, Order | None]:
        with waiting(f"placing {cid} at {account}…"):
            ack = manager.place_order(account, request, client=client)
            return ack, (manager.verdict(account, ack.order_id, client=client, timeout=wait) if wait else None)

    try:
        record = placed_record(*interruptible(manager, account, cid, send))
    except InvalidOrderError as refused:  # refused as it was placed: reported like a rejection that comes later
        record = {"order_id": refused.order_id, "client_order_id": cid, "status": "REJECTED",
                  "status_message": refused.broker_message, "filled_quantity": 0, "average_price": None}
    if as_json:
        print_json(record)
    elif record["status"] != "REJECTED":
        click.echo(placed_line(record))
    if record["status"] == "REJECTED":
        reason, broker = record["status_message"] or "no reason given", manager.account(account).broker
        raise click.ClickException(f"order {record['order_id'] or cid} was rejected by {broker}: {reason}")


def placed_record(ack: OrderAck, order: Order | None) -> dict[str, Any]:
    """What ``place`` reports, with the same fields on every broker: the verdict when there is one."""
    record: dict[str, Any] = {"order_id": ack.order_id, "client_order_id": ack.client_order_id,
                              "status": ack.status.value if ack.status else None,
                              "status_message": ack.status_message, "filled_quantity": None, "average_price": None}
    if order is not None:
        dumped = order.model_dump(mode="json")
        record.update({name: dumped[name] for name in ("status", "status_message", "filled_quantity",
                                                       "average_price")})
    return record


def placed_line(record: dict[str, Any]) -> str:
    status = record["status"] or "sent (no verdict yet)"
    filled = (f", {record['filled_quantity']} filled at {record['average_price']}"
              if record["filled_quantity"] and record["average_price"] else "")
    message = f" ({record['status_message']})" if record["status_message"] else ""
    return f"order {record['order_id']} {status}{message}{filled}, client order id {record['client_order_id']}"


def _place_for_clients(account: str, clients: list[str], request: OrderRequest, wait: float, as_json: bool) -> None:
    """One order per client code; every client's outcome is shown. Exit code 1 if any failed or was rejected, 2
    if every one was refused here as bad input."""
    manager = state().manager
    with waiting(f"placing for {len(clients)} clients at {account}…"):
        results = manager.place_order_for_clients(account, clients, request)
        records = [_client_record(manager, account, result, wait) for result in results]
    if as_json:
        print_json(records)
    else:
        for record in records:
            click.echo(f"{record['client']}: " + (placed_line(record["ack"]) if "ack" in record
                                                  else f"error: {record['error']}"))
    failed = [r for r in records if "error" in r or r["ack"]["status"] == "REJECTED"]
    if failed:
        summary = f"{len(failed)} of {len(records)} orders failed (clients {', '.join(r['client'] for r in failed)})"
        if len(failed) == len(results) and all(isinstance(r.error, InputError) for r in results):
            raise InputError(summary)  # refused here for every client: bad input, exit code 2
        raise click.ClickException(summary)


def _client_record(manager: BrokerManager, account: str, result: FanOutResult[OrderAck],
                   wait: float) -> dict[str, Any]:
    if result.value is None:
        return {"client": result.client, "error": str(result.error), "error_type": type(result.error).__name__}
    order = manager.verdict(account, result.value.order_id, client=result.client, timeout=wait) if wait else None
    return {"client": result.client, "ack": placed_record(result.value, order)}


@cli.command(cls=OrderCommand)
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
    """Modify an open order. Options that contradict each other (--type MARKET --limit …) are refused."""
    from brokerplex.models import OrderModify
    from brokerplex.validation import build

    changes = build(OrderModify, {"quantity": quantity, "price": limit, "trigger_price": trigger,
                                  "order_type": order_type.upper() if order_type else None})
    with waiting(f"modifying {order_id} at {account}…"):
        ack = state().manager.modify_order(account, order_id, changes, client=client)
    _show_ack(ack, "modified", as_json)


@cli.command()
@click.argument("account")
@click.argument("order_id", required=False)
@click.option("--all", "everything", is_flag=True, help="Cancel every open order (of --symbol).")
@click.option("--symbol", help="With --all: only this symbol's open orders.")
@client_option
@json_option
def cancel(account: str, order_id: str | None, everything: bool, symbol: str | None, client: str | None,
           as_json: bool) -> None:
    """Cancel an open order, or with --all every open order (one result each; exit code 1 if any failed)."""
    if everything == (order_id is not None):
        raise InputError("give an ORDER_ID or --all, not both" if everything else "give an ORDER_ID, or --all")
    if symbol is not None and not everything:
        raise InputError("--symbol narrows --all: give --all with it")
    manager = state().manager
    if everything:
        from brokerplex.cli.ops.common import report_legs

        with waiting(f"cancelling open orders at {account}…"):
            legs = manager.cancel_all(account, symbol=symbol, client=client)
        report_legs(legs, as_json, "Cancelled", account=account)
        return
    assert order_id is not None
    with waiting(f"cancelling {order_id} at {account}…"):
        ack = manager.cancel_order(account, order_id, client=client)
    _show_ack(ack, "cancelled", as_json)


def _show_ack(ack: OrderAck, verb: str, as_json: bool) -> None:
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
    with waiting(f"looking up unresolved orders at {account}…"):
        results = state().manager.reconcile(account)
    rows = [{"client_order_id": r.entry.client_order_id, "was": r.entry.state.value, "now": r.state.value,
             "order_id": r.order.order_id if r.order else None} for r in results]
    if as_json:
        print_json(rows)
        return
    from brokerplex.tables import table

    table("Reconciled", ["client order id", "was", "now", "order id"],
          [[r["client_order_id"], r["was"], r["now"], r["order_id"] or "-"] for r in rows])
