"""Place and modify forms, validated the way Kite validates them (with Kite's wording).

Parameters Kite ignores for an order type (a price on a MARKET order, a trigger on a LIMIT
order) are dropped rather than refused, as Kite does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl

from pydantic import ValidationError
from starlette.requests import Request

from brokerplex.models import OrderModify, OrderRequest, OrderType, Product, Side, Validity, Variety
from brokerplex_zerodha.sim.catalog import SEGMENT_CODES, Catalog
from brokerplex_zerodha.sim.envelope import UNKNOWN_INSTRUMENT, KiteError, input_error, invalid

VARIETIES = ("regular", "amo", "co", "iceberg")
PRODUCTS = ("CNC", "NRML", "MIS", "CO")
TAG_MAX = 20
ICEBERG_LEGS = (2, 10)
MAX_MODIFICATIONS = 25


@dataclass(frozen=True, slots=True)
class Placing:
    """A checked place-order form: the paper request and what only Kite shows."""

    request: OrderRequest
    tag: str | None
    product: str  # as sent (CO for cover orders; the paper exchange books them as MIS)
    meta: dict[str, Any] = field(default_factory=dict)


async def read_form(request: Request) -> dict[str, str]:
    """A form body as Kite reads it (blank values kept, undecodable bytes replaced)."""
    return dict(parse_qsl((await request.body()).decode(errors="replace"), keep_blank_values=True))


def _required(form: dict[str, str], name: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise input_error(f"Missing `{name}`.")
    return value


def _choice(form: dict[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = _required(form, name)
    if value not in choices:
        raise invalid(name)
    return value


def _integer(form: dict[str, str], name: str, default: int | None = None) -> int | None:
    raw = form.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise invalid(name) from None


def _price(form: dict[str, str], name: str) -> Decimal | None:
    """A positive price, or None where absent or zero (Kite's "no price")."""
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise invalid(name) from None
    if not value.is_finite() or value < 0:
        raise invalid(name)
    return value or None


def _pydantic_message(error: ValidationError) -> str:
    first = error.errors()[0]
    return str(first.get("msg", "Invalid input.")).removeprefix("Value error, ")


def parse_place(variety: str, form: dict[str, str], catalog: Catalog) -> Placing:
    if variety not in VARIETIES:
        raise invalid("variety")
    exchange = _choice(form, "exchange", tuple(SEGMENT_CODES))
    tradingsymbol = _required(form, "tradingsymbol")
    side = _choice(form, "transaction_type", ("BUY", "SELL"))
    kind = OrderType(_choice(form, "order_type", tuple(kind.value for kind in OrderType)))
    quantity = _integer(form, "quantity")
    if quantity is None or quantity <= 0:
        raise invalid("quantity")
    product = _choice(form, "product", PRODUCTS)
    validity = form.get("validity", "DAY").strip() or "DAY"
    if validity not in ("DAY", "IOC"):
        raise invalid("validity")
    tag = form.get("tag") or None
    if tag is not None and len(tag) > TAG_MAX:
        raise input_error(f"Tag length should be less than or equal to {TAG_MAX} characters.")
    entry = catalog.find(f"{exchange}:{tradingsymbol}")
    if entry is None:
        raise input_error(UNKNOWN_INSTRUMENT)
    price, trigger = _price(form, "price"), _price(form, "trigger_price")
    if kind in (OrderType.LIMIT, OrderType.SL) and price is None:
        raise invalid("price")
    if kind in (OrderType.SL, OrderType.SL_M) and trigger is None:
        raise invalid("trigger_price")
    meta: dict[str, Any] = {}
    if variety == "co":
        product = _cover_order(kind, trigger, product)
        trigger = None  # the stop-loss leg is not modelled; the main leg trades as MIS
    elif product == "CO":
        raise invalid("product")
    if variety == "iceberg":
        meta = {"iceberg": _iceberg(form, quantity)}
    paper_product = Product.MIS if product == "CO" else Product(product)
    try:
        request = OrderRequest(
            symbol=entry.key, side=Side(side), quantity=quantity, order_type=kind, product=paper_product,
            price=price if kind in (OrderType.LIMIT, OrderType.SL) else None,
            trigger_price=trigger if kind in (OrderType.SL, OrderType.SL_M) else None,
            validity=Validity(validity), variety=Variety(variety),
            disclosed_quantity=_integer(form, "disclosed_quantity", 0) or 0,
            client_order_id=tag if tag and tag.isascii() and tag.isalnum() else None,
        )
    except ValidationError as error:
        raise input_error(_pydantic_message(error)) from None
    return Placing(request, tag, product, meta)


def _cover_order(kind: OrderType, trigger: Decimal | None, product: str) -> str:
    if kind not in (OrderType.MARKET, OrderType.LIMIT):
        raise input_error("Cover orders can only be MARKET or LIMIT orders.")
    if trigger is None:
        raise input_error("Trigger price is required for cover orders.")
    if product not in ("CO", "MIS"):
        raise invalid("product")
    return "CO"


def _iceberg(form: dict[str, str], quantity: int) -> dict[str, int]:
    legs = _integer(form, "iceberg_legs")
    if legs is None or not ICEBERG_LEGS[0] <= legs <= ICEBERG_LEGS[1]:
        raise input_error(f"Iceberg legs should be between {ICEBERG_LEGS[0]} and {ICEBERG_LEGS[1]}.")
    leg_quantity = _integer(form, "iceberg_quantity")
    if leg_quantity is None or leg_quantity <= 0 or leg_quantity > quantity:
        raise invalid("iceberg_quantity")
    if leg_quantity * legs < quantity:
        raise input_error("Iceberg quantity multiplied by legs should be at least the order quantity.")
    return {"leg": 1, "legs": legs, "leg_quantity": leg_quantity, "total_quantity": quantity,
            "remaining_quantity": quantity}


def parse_modify(form: dict[str, str]) -> OrderModify:
    kind_raw = form.get("order_type", "").strip()
    if kind_raw and kind_raw not in tuple(kind.value for kind in OrderType):
        raise invalid("order_type")
    kind = OrderType(kind_raw) if kind_raw else None
    validity = form.get("validity", "").strip() or None
    if validity is not None and validity not in ("DAY", "IOC"):
        raise invalid("validity")
    quantity = _integer(form, "quantity")
    if quantity is not None and quantity <= 0:
        raise invalid("quantity")
    price, trigger = _price(form, "price"), _price(form, "trigger_price")
    if kind in (OrderType.MARKET, OrderType.SL_M):
        price = None
    if kind in (OrderType.MARKET, OrderType.LIMIT):
        trigger = None
    try:
        return OrderModify(quantity=quantity, price=price, trigger_price=trigger, order_type=kind,
                           validity=Validity(validity) if validity else None)
    except ValidationError as error:
        raise input_error(_pydantic_message(error)) from None


def refusal(reason: str, message: str) -> KiteError:
    """Kite's error for an order the paper exchange refused (``reason`` is its RejectReason).

    Funds and holdings get Kite's own error types and wording (the official client raises
    GeneralException for both, so the message is what tells them apart); exchange rules
    (tick, lot, freeze, circuit band, trigger side) are InputException."""
    text = message[:1].upper() + message[1:]
    if reason == "funds":
        # Kite: "Insufficient funds. Required margin is X but available margin is Y."
        required, _, available = text.removeprefix("Insufficient funds: required margin is ").partition(
            " but available margin is ")
        return KiteError(400, "MarginException",
                         f"Insufficient funds. Required margin is {required} but available margin is {available}.")
    if reason == "holdings":
        detail = text.removeprefix("Insufficient holdings: ")
        return KiteError(400, "HoldingException", f"Insufficient holdings. {detail[:1].upper()}{detail[1:]}.")
    return input_error(text if text.endswith(".") else text + ".")
