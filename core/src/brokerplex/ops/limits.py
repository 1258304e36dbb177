"""Per-account limits and the kill switch, checked before every order is sent.

An optional file ``$BROKERPLEX_HOME/limits/ACCOUNT.json`` sets the limits (any subset)::

    {"max_order_value": "500000", "max_quantity": {"NSE:INFY": 500, "*": 5000},
     "allowed_products": ["MIS", "NRML"], "daily_loss_stop": "25000"}

``brokerplex halt ACCOUNT`` writes ``limits/ACCOUNT.halted.json``: every new order is refused until
``brokerplex resume ACCOUNT``. Exits (orders that only reduce a position) always pass, so that a halted
account can still be flattened. A day P&L at or below minus ``daily_loss_stop`` halts the account by
itself. The check runs in the order pipeline, after validation and before the plugins' pre-trade checks:
it needs asynchronous reads (the last price to value a market order, the positions for the loss stop)
that the synchronous ``pretrade_check`` hook cannot make.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from brokerplex.broker import Broker
from brokerplex.errors import SettingsError, VetoedError
from brokerplex.models import Instrument, OrderRequest, Product
from brokerplex.ops.market import MarketViews
from brokerplex.storage import write_private
from brokerplex.validation import describe


class AccountLimits(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    max_order_value: Decimal | None = Field(default=None, gt=0)
    max_quantity: dict[str, int] = {}  # per canonical symbol; "*" for any other
    allowed_products: list[Product] | None = None
    daily_loss_stop: Decimal | None = Field(default=None, gt=0)


class Halt(BaseModel):
    model_config = ConfigDict(frozen=True)

    reason: str
    at: dt.datetime


class TradingLimits(MarketViews):
    # -- files ---------------------------------------------------------------------------
    def _limits_path(self, account: str, suffix: str = "") -> Path:
        return self.home / "limits" / f"{account}{suffix}.json"

    def limits(self, account: str) -> AccountLimits | None:
        """The account's limits, or None without a limits file; a bad file is a SettingsError naming it."""
        path = self._limits_path(account)
        try:
            return AccountLimits.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except ValidationError as exc:
            raise SettingsError(f"limits file {path} is not valid: {describe(exc)}") from None
        except ValueError as exc:
            raise SettingsError(f"limits file {path} is not JSON: {exc}") from None

    def halted(self, account: str) -> Halt | None:
        try:
            return Halt.model_validate_json(self._limits_path(account, ".halted").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValidationError:  # a damaged marker still halts: failing open would trade
            return Halt(reason="halted (the halt file is damaged)", at=dt.datetime.now(dt.UTC))

    def halt(self, account: str, reason: str = "halted by hand") -> Halt:
        """Refuse every new order of ``account`` (exits still pass) until :meth:`resume`."""
        self.account(account)  # an unknown account fails here
        halt = Halt(reason=reason, at=dt.datetime.now(dt.UTC))
        write_private(self._limits_path(account, ".halted"), halt.model_dump_json().encode())
        return halt

    def resume(self, account: str) -> bool:
        """Lift a halt; False if the account was not halted."""
        try:
            self._limits_path(account, ".halted").unlink()
        except FileNotFoundError:
            return False
        return True

    # -- the check -------------------------------------------------------------------------
    async def _pretrade_guard(self, account: str, broker: Broker, request: OrderRequest, instrument: Instrument,
                              reducing: bool) -> None:
        if reducing or not self._limits_path(account).parent.is_dir():  # one stat when no account has limits
            return
        if (halt := self.halted(account)) is not None:
            raise VetoedError(f"account {account} is halted ({halt.reason}); `brokerplex resume {account}` "
                              "lifts it", check="halt")
        limits = self.limits(account)
        if limits is None:
            return
        if problem := await self._limit_problem(account, broker, request, instrument, limits):
            raise VetoedError(f"order refused by the limits of account {account}: {problem}", check="limits")

    async def _limit_problem(self, account: str, broker: Broker, request: OrderRequest, instrument: Instrument,
                             limits: AccountLimits) -> str | None:
        product = request.resolved_product
        if limits.allowed_products is not None and product not in limits.allowed_products:
            return f"product {product} is not allowed (allowed: {', '.join(limits.allowed_products)})"
        cap = limits.max_quantity.get(request.symbol, limits.max_quantity.get("*"))
        if cap is not None and request.quantity > cap:
            return f"quantity {request.quantity} is above the {cap} allowed for {request.symbol}"
        if limits.max_order_value is not None:
            price = request.price or request.trigger_price or await self._last_price(broker, request.symbol)
            if price is None:
                return f"a market order's value needs the last price of {request.symbol}, which is not quoted"
            value = price * request.quantity * instrument.multiplier
            if value > limits.max_order_value:
                return f"order value {value} is above the {limits.max_order_value} allowed"
        if limits.daily_loss_stop is not None:
            day = (await self.pnl(account, client=broker.client_code)).day
            if day <= -limits.daily_loss_stop:
                self.halt(account, f"daily loss stop: the day's P&L {day} reached -{limits.daily_loss_stop}")
                return f"the day's P&L {day} reached the daily loss stop -{limits.daily_loss_stop}; account halted"
        return None

    @staticmethod
    async def _last_price(broker: Broker, symbol: str) -> Decimal | None:
        quote = (await broker.quotes([symbol])).get(symbol)
        return quote.last_price if quote is not None else None
