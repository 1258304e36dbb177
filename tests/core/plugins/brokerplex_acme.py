"""A third-party broker plugin, as someone outside this repository would publish it.

The tests install it only through entry-point metadata on PYTHONPATH: nothing in the
core knows its name. Acme fills market orders at 100 and keeps its book in a file.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from decimal import Decimal

from pydantic import SecretStr

from brokerplex import Broker, BrokerSettings, BrokerSpec, Capabilities, hookimpl
from brokerplex.errors import AuthenticationError, InvalidOrderError
from brokerplex.models import (
    Exchange,
    Funds,
    Holding,
    Instrument,
    InstrumentType,
    Order,
    OrderAck,
    OrderModify,
    OrderRequest,
    OrderStatus,
    Position,
    Profile,
    Quote,
    Trade,
)

PRICE = Decimal(100)


class AcmeSettings(BrokerSettings):
    api_key: str
    api_secret: SecretStr


class AcmeBroker(Broker):
    settings_model = AcmeSettings

    @property
    def _book(self):  # type: ignore[no-untyped-def]
        return self.context.cache_dir / f"{self.context.account}-orders.json"

    def _load(self) -> list[Order]:
        if not self._book.exists():
            return []
        return [Order.model_validate(o) for o in json.loads(self._book.read_text())]

    async def connect(self) -> None:
        assert isinstance(self.settings, AcmeSettings)
        if self.settings.api_secret.get_secret_value() != "s3cret":
            raise AuthenticationError("invalid api secret", broker="acme", code=403)

    async def profile(self) -> Profile:
        return Profile(user_id="ACME1", broker="acme", exchanges=[Exchange.NSE])

    async def instruments(self) -> Sequence[Instrument]:
        return [Instrument(symbol="NSE:INFY", exchange=Exchange.NSE, tradingsymbol="INFY",
                           instrument_type=InstrumentType.EQ, exchange_token=1594)]

    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        return {s: Quote(symbol=s, last_price=PRICE) for s in symbols if s == "NSE:INFY"}

    async def place_order(self, request: OrderRequest) -> OrderAck:
        now = dt.datetime.now(dt.UTC)
        orders = self._load()
        order = Order(order_id=f"A{len(orders) + 1}", client_order_id=request.client_order_id, symbol=request.symbol,
                      side=request.side, order_type=request.order_type, product=request.resolved_product,
                      quantity=request.quantity, filled_quantity=request.quantity, average_price=PRICE,
                      status=OrderStatus.COMPLETE, placed_at=now, updated_at=now)
        self._book.parent.mkdir(parents=True, exist_ok=True)
        self._book.write_text(json.dumps([o.model_dump(mode="json") for o in [*orders, order]]))
        return OrderAck(order_id=order.order_id, client_order_id=request.client_order_id, status=order.status)

    async def orders(self) -> list[Order]:
        return self._load()

    async def order_history(self, order_id: str) -> list[Order]:
        return [o for o in self._load() if o.order_id == order_id]

    async def modify_order(self, order: Order, changes: OrderModify) -> OrderAck:
        raise InvalidOrderError(f"order {order.order_id} is complete", broker="acme")

    async def cancel_order(self, order: Order) -> OrderAck:
        raise InvalidOrderError(f"order {order.order_id} is complete", broker="acme")

    async def trades(self) -> list[Trade]:
        return []

    async def positions(self) -> list[Position]:
        return []

    async def holdings(self) -> list[Holding]:
        return []

    async def funds(self) -> Funds:
        return Funds(cash=Decimal(0), available_margin=Decimal(0), used_margin=Decimal(0))


@hookimpl
def register_brokers(register: Callable[[BrokerSpec], None]) -> None:
    register(BrokerSpec("acme", "Acme Securities", Capabilities(exchanges=("NSE",)), lambda: AcmeBroker))
