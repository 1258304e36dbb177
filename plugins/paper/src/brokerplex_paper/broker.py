"""The paper broker: the :class:`~brokerplex.broker.Broker` interface over a PaperExchange."""

from __future__ import annotations

import datetime as dt
import shlex
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from pydantic import Field, ValidationError

from brokerplex.broker import AccountContext, Broker, BrokerSettings
from brokerplex.errors import (
    InputError,
    InsufficientFundsError,
    InsufficientHoldingsError,
    InvalidOrderError,
    SymbolError,
)
from brokerplex.models import (
    Exchange,
    Funds,
    Holding,
    Instrument,
    Order,
    OrderAck,
    OrderModify,
    OrderRequest,
    OrderType,
    Position,
    Product,
    Profile,
    Quote,
    Side,
    Trade,
)
from brokerplex.ops.models import BasketMargin, Candle, Gtt, GttOrder, GttRequest, Interval, Margin
from brokerplex.storage import DamagedFileError
from brokerplex.streaming import Stream
from brokerplex_paper import conversion, margins
from brokerplex_paper.candles import MINUTES, exchange_candles
from brokerplex_paper.checks import RejectReason
from brokerplex_paper.exchange import DEFAULT_CASH, PaperExchange
from brokerplex_paper.gtt import Gtt as Trigger
from brokerplex_paper.gtt import GttBook, GttNotFoundError

_REFUSALS: dict[RejectReason, type[InvalidOrderError]] = {
    RejectReason.FUNDS: InsufficientFundsError,
    RejectReason.HOLDINGS: InsufficientHoldingsError,
}


class PaperSettings(BrokerSettings):
    opening_cash: Decimal = Field(default=DEFAULT_CASH, gt=0, description="cash a new paper account starts with")
    seed: int = Field(default=7, description="seed of the market's random walk")
    market_hours: bool = Field(default=False, description="reject orders outside real exchange hours")
    exchange_file: str | None = Field(default=None, description="SQLite file of the exchange (default: under home)")
    tick_interval: float = Field(default=0.5, gt=0, description="seconds between a stream's looks at the market "
                                 "and the order book")


_exchanges: dict[tuple[str, int, bool], PaperExchange] = {}
_exchanges_lock = threading.Lock()


def shared_exchange(path: Path, seed: int, market_hours: bool) -> PaperExchange:
    """One exchange object per file in a process: accounts on it share one market."""
    key = (str(path.resolve()), seed, market_hours)
    with _exchanges_lock:
        if key not in _exchanges:
            try:
                _exchanges[key] = PaperExchange(path, seed=seed, market_hours=market_hours)
            except sqlite3.DatabaseError as exc:  # never rebuilt silently: it holds the paper accounts
                move = f"mv {shlex.quote(str(path))} {shlex.quote(f'{path}.damaged')}"
                raise DamagedFileError(f"the paper exchange {path} cannot be read ({exc}); move it aside ({move}) to "
                                       "start the paper accounts afresh", path=path) from None
        return _exchanges[key]


class PaperBroker(Broker):
    """The paper exchange as a broker. Its GTT triggers live in the exchange's file with everything else, and
    are looked at on every call (each CLI command is a process of its own: there is no loop to watch them)."""

    settings_model = PaperSettings
    settings: PaperSettings
    #: Candles one request may cover: about three thousand (the paper market trades round the clock).
    candle_ranges: ClassVar[Mapping[Interval, dt.timedelta]] = {
        "1m": dt.timedelta(days=2), "3m": dt.timedelta(days=6), "5m": dt.timedelta(days=10),
        "10m": dt.timedelta(days=20), "15m": dt.timedelta(days=30), "30m": dt.timedelta(days=60),
        "1h": dt.timedelta(days=120), "1d": dt.timedelta(days=2000),
    }

    def __init__(self, context: AccountContext, settings: BrokerSettings) -> None:
        super().__init__(context, settings)
        assert isinstance(settings, PaperSettings)
        path = Path(settings.exchange_file) if settings.exchange_file else context.home / "paper" / "exchange.sqlite"
        self.exchange = shared_exchange(path, settings.seed, settings.market_hours)
        self.gtt_book = GttBook(self.exchange)

    async def connect(self) -> None:
        self.exchange.ensure_account(self.context.account, self.settings.opening_cash)

    async def profile(self) -> Profile:
        return Profile(
            user_id=self.context.account, name="Paper trader", broker=self.context.broker,
            exchanges=[Exchange(e) for e in ("NSE", "BSE", "NFO", "CDS", "MCX")], products=list(Product),
        )

    async def instruments(self) -> Sequence[Instrument]:
        return self.exchange.instruments()

    async def instrument(self, symbol: str) -> Instrument | None:
        listing = self.exchange.listing(symbol)
        return listing.instrument if listing else None

    async def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        self.gtt_book.check()
        return self.exchange.quotes(symbols)

    async def orders(self) -> list[Order]:
        self.gtt_book.check()
        return self.exchange.orders(self.context.account)

    async def order_history(self, order_id: str) -> list[Order]:
        self.gtt_book.check()
        return self.exchange.order_history(self.context.account, order_id)

    async def trades(self) -> list[Trade]:
        self.gtt_book.check()
        return self.exchange.trades(self.context.account)

    async def positions(self) -> list[Position]:
        self.gtt_book.check()
        return self.exchange.positions(self.context.account)

    async def holdings(self) -> list[Holding]:
        self.gtt_book.check()
        return self.exchange.holdings(self.context.account)

    async def funds(self) -> Funds:
        self.gtt_book.check()
        return self.exchange.funds(self.context.account)

    async def place_order(self, request: OrderRequest) -> OrderAck:
        self.gtt_book.check()
        placement = self.exchange.place(self.context.account, request)
        order = placement.order
        if placement.reject is not None:
            error = _REFUSALS.get(placement.reject, InvalidOrderError)
            raise error(order.status_message or "rejected", broker="paper", code=placement.reject.value,
                        order_id=order.order_id, client_order_id=request.client_order_id)
        assert request.client_order_id is not None
        return OrderAck(order_id=order.order_id, client_order_id=request.client_order_id, status=order.status,
                        status_message=order.status_message)

    async def modify_order(self, order: Order, changes: OrderModify) -> OrderAck:
        self.gtt_book.check()
        return self._ack(self.exchange.modify(self.context.account, order.order_id, changes))

    async def cancel_order(self, order: Order) -> OrderAck:
        self.gtt_book.check()
        return self._ack(self.exchange.cancel(self.context.account, order.order_id))

    @staticmethod
    def _ack(order: Order) -> OrderAck:
        return OrderAck(order_id=order.order_id, client_order_id=order.client_order_id, status=order.status,
                        status_message=order.status_message)

    async def stream(self) -> Stream:
        """Ticks from the exchange's price path and an update for every change of this account's orders
        (another process's included), looked at every ``tick_interval`` seconds."""
        from brokerplex_paper.stream import PaperStream

        stream = PaperStream(self.exchange, self.context.account, interval=self.settings.tick_interval,
                             before_poll=self.gtt_book.check)
        await stream.start()
        return stream

    # -- trader operations ------------------------------------------------------------------------------
    async def convert_position(self, position: Position, quantity: int, to: Product) -> None:
        """Move ``quantity`` of the day's open ``position`` to product ``to`` (MIS ↔ CNC on cash, MIS ↔ NRML
        on derivatives), its cash or margin following; a refusal (more than is held, the same product, a
        product the instrument has not) is an InvalidOrderError and changes nothing."""
        if position.quantity == 0:
            raise InvalidOrderError(f"there is no open {position.product} position in {position.symbol} to convert")
        side = Side.BUY if position.quantity > 0 else Side.SELL
        conversion.convert_position(self.exchange, self.context.account, position.symbol, side, quantity,
                                    position.product, to)

    async def order_margins(self, requests: Sequence[OrderRequest]) -> list[Margin]:
        """What placing each order alone would block now, by the exchange's own margin check. The paper
        exchange books no brokerage, taxes or fees (a fill costs exactly its price), so charges are zero."""
        return [_margin(preview) for preview in margins.order_margins(self.exchange, self.context.account, requests)]

    async def basket_margins(self, requests: Sequence[OrderRequest]) -> BasketMargin:
        """The orders as one basket: opposite legs in one symbol and product net off. Charges are zero (see
        :meth:`order_margins`)."""
        basket = margins.basket_margins(self.exchange, self.context.account, requests)
        return BasketMargin(initial=basket.initial, final=basket.final, charges=basket.charges,
                            legs=[_margin(preview) for preview in basket.orders])

    async def candles(self, symbol: str, interval: Interval, start: dt.datetime, end: dt.datetime) -> list[Candle]:
        """Candles from the exchange's own price path; the one still forming closes at the last traded price."""
        if start.tzinfo is None or end.tzinfo is None:
            raise InputError("candle ranges are given as aware datetimes (with a time zone)")
        if end < start:
            raise InputError(f"the range ends ({end}) before it starts ({start})")
        if interval not in self.candle_ranges:
            raise InputError(f"no candle interval {interval!r}; the intervals are {', '.join(self.candle_ranges)}")
        if end - start > self.candle_ranges[interval]:
            raise InputError(f"{interval} candles are given for at most {self.candle_ranges[interval].days} days "
                             "a request")
        listing = self.exchange.listing(symbol)
        if listing is None:
            raise SymbolError(f"{symbol} is not listed on the paper exchange")
        return exchange_candles(self.exchange, listing, MINUTES[interval], start, end,
                                sessions=self.settings.market_hours)

    async def gtts(self) -> list[Gtt]:
        return [_gtt(trigger) for trigger in self.gtt_book.triggers(self.context.account)]

    async def place_gtt(self, request: GttRequest) -> str:
        trigger = self.gtt_book.place(self.context.account, request.type, request.symbol, request.trigger_prices,
                                      _legs(request), last_price=request.last_price)
        return str(trigger.id)

    async def modify_gtt(self, gtt_id: str, request: GttRequest) -> None:
        self.gtt_book.modify(self.context.account, _gtt_number(gtt_id), request.type, request.symbol,
                             request.trigger_prices, _legs(request), last_price=request.last_price)

    async def delete_gtt(self, gtt_id: str) -> None:
        self.gtt_book.delete(self.context.account, _gtt_number(gtt_id))


def _margin(preview: margins.MarginPreview) -> Margin:
    request = preview.request
    return Margin(symbol=request.symbol, side=request.side, quantity=request.quantity, total=preview.margin,
                  charges=preview.charges)


def _legs(request: GttRequest) -> list[OrderRequest]:
    """The LIMIT orders a trigger places, checked as orders are (a CNC leg on a derivative is refused)."""
    try:
        return [OrderRequest(symbol=request.symbol, side=order.side, quantity=order.quantity,
                             order_type=OrderType.LIMIT, price=order.price, product=order.product)
                for order in request.orders]
    except ValidationError as error:
        raise InvalidOrderError(f"a trigger's order is refused: {error.errors()[0]['msg']}") from None


def _gtt_number(gtt_id: str) -> int:
    if not gtt_id.isdigit():
        raise GttNotFoundError(f"no trigger {gtt_id} in this account")
    return int(gtt_id)


def _gtt(trigger: Trigger) -> Gtt:
    return Gtt(
        gtt_id=str(trigger.id), status=trigger.status, symbol=trigger.symbol, type=trigger.type,
        trigger_prices=list(trigger.trigger_values), last_price=trigger.last_price,
        orders=[GttOrder(side=leg.request.side, quantity=leg.request.quantity, price=leg.request.price,
                         product=leg.request.resolved_product) for leg in trigger.legs],
        created_at=trigger.created_at, updated_at=trigger.updated_at, expires_at=trigger.expires_at,
        triggered_order_ids=[leg.result.order_id for leg in trigger.legs if leg.result and leg.result.order_id],
    )
