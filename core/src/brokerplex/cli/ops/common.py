"""What the trader-operation commands share: reporting every leg of a multi-order command (exit code 1
if any leg did not go through), the dry run's margin line, and order lists read from JSON files."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from brokerplex.cli.app import print_json, state
from brokerplex.errors import InputError

if TYPE_CHECKING:
    from brokerplex.models import OrderRequest
    from brokerplex.ops.models import LegResult, Margin

PRODUCTS = ("CNC", "MIS", "NRML")
product_option = click.option("--product", type=click.Choice(PRODUCTS, case_sensitive=False),
                              help="Default: CNC on NSE/BSE, NRML on derivatives.")
dry_run_option = click.option("--dry-run", is_flag=True,
                              help="Validate and price it, print what would be sent, and send nothing.")


def report_legs(legs: Sequence[LegResult], as_json: bool, title: str, *, account: str, footer: str | None = None,
                quiet: bool = False) -> None:
    """Every leg, as a table (``--json``: a list of the legs' records; ``quiet``: printed already), then
    ``footer`` (on stderr with ``--json``); exit 1 when any leg did not go through, saying how many and
    whether any may have reached the broker."""
    if as_json and not quiet:
        print_json([leg.model_dump(mode="json") for leg in legs])
    elif not as_json:
        from brokerplex.cli.ops.render import legs as table

        table(legs, title)
    if footer:
        if as_json:
            click.echo(footer, err=True)
        else:
            from brokerplex.output import print_line

            print_line(footer)
    failed = [leg for leg in legs if not leg.ok]
    if not failed:
        return
    unknown = sum(1 for leg in failed if leg.sent)
    hint = (f"; {unknown} may have reached the broker: `brokerplex reconcile {account}` finds out"
            if unknown else "")
    raise click.ClickException(f"{len(failed)} of {len(legs)} legs did not go through{hint}")


def dry_run_margin(account: str, requests: Sequence[OrderRequest], *, client: str | None) -> Margins | None:
    """What ``requests`` would block, where the broker prices margins natively (else None)."""
    manager = state().manager
    if not requests or manager.operation_modes(account).get("margins") != "native":
        return None
    found = manager.margins(account, requests, client=client)
    return Margins(found)


class Margins:
    """The margins of a dry run's orders: their total, as a line for people and a record for scripts."""

    def __init__(self, found: Sequence[Margin]) -> None:
        self.found = list(found)
        self.total = sum((margin.total for margin in found), Decimal(0))
        charges = [margin.charges for margin in found if margin.charges is not None]
        self.charges = sum(charges, Decimal(0)) if charges else None

    @property
    def line(self) -> str:
        from brokerplex.tables import cell

        charges = f", charges {cell(self.charges)}" if self.charges is not None else ""
        return f"margin needed {cell(self.total)}{charges}"

    def record(self) -> dict[str, Any]:
        from brokerplex.formats import money_text

        return {"total": money_text(self.total), "charges": None if self.charges is None else money_text(self.charges),
                "legs": [margin.model_dump(mode="json") for margin in self.found]}


def read_requests(source: str) -> list[OrderRequest]:
    """A JSON list of order objects (the fields of :class:`~brokerplex.models.OrderRequest`) from a file, or
    from stdin for ``-``; every one validated, and a bad one named by its leg number (from 1)."""
    from brokerplex.models import OrderRequest
    from brokerplex.validation import build

    where = "stdin" if source == "-" else source
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {where}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text, parse_float=Decimal)  # a JSON number is read from its digits: 800.05 exactly
    except ValueError as exc:
        raise InputError(f"{where} is not JSON: {exc}") from None
    if not isinstance(data, list) or not data:
        raise InputError(f"{where} must hold a JSON list of orders (objects with symbol, side, quantity, …)")
    requests = []
    for number, leg in enumerate(data, start=1):
        if not isinstance(leg, dict):
            raise InputError(f"leg {number}: an order is a JSON object (symbol, side, quantity, …)")
        try:
            requests.append(build(OrderRequest, _upper_enums(leg)))
        except InputError as exc:
            raise InputError(f"leg {number}: {exc}") from None
    return requests


def _upper_enums(leg: dict[str, Any]) -> dict[str, Any]:
    """Sides, order types, products and validities as typed on the command line: any case."""
    return {key: value.upper() if key in ("side", "order_type", "product", "validity") and isinstance(value, str)
            else value.lower() if key == "variety" and isinstance(value, str) else value for key, value in leg.items()}
