"""What a broker plugin declares it can do: data, not probing.

Kept free of pydantic so that listing brokers stays fast; the values are the string
values of the enums in :mod:`brokerplex.models`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from brokerplex.models import OrderRequest


@dataclass(frozen=True, slots=True)
class Capabilities:
    exchanges: tuple[str, ...] = ("NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX")
    order_types: tuple[str, ...] = ("MARKET", "LIMIT", "SL", "SL-M")
    products: tuple[str, ...] = ("CNC", "MIS", "NRML")
    varieties: tuple[str, ...] = ("regular",)
    validities: tuple[str, ...] = ("DAY", "IOC")
    streaming: tuple[str, ...] = ()  # tick modes: "ltp", "quote", "full"
    interactive_login: bool = False  # login needs a person (a browser redirect, an OTP)
    dealer: bool = False  # trades for many client codes
    #: Trader operations the broker does on its own wire (``brokerplex.ops.NATIVE``: "exit", "cancel_all",
    #: "convert", "margins", "basket_margins", "gtt", "candles"); the manager emulates what it can of the rest.
    operations: tuple[str, ...] = ()
    quote_batch: int = 500  # instruments one quote request may name
    #: Streaming limits the broker enforces, None where it has none: connections per login, instruments per
    #: connection, and instruments subscribed per login over all its connections. The hub keeps within them.
    stream_connections: int | None = None
    stream_instruments: int | None = None
    stream_subscriptions: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v for f in fields(self)}

    def refusal(self, request: OrderRequest) -> str | None:
        """What of ``request`` the broker declares it cannot do ("does not support …"), or None."""
        for label, value, supported in (
            ("exchange", request.symbol.partition(":")[0], self.exchanges),
            ("order type", request.order_type.value, self.order_types),
            ("product", request.resolved_product.value, self.products),
            ("variety", request.variety.value, self.varieties),
            ("validity", request.validity.value, self.validities),
        ):
            if value not in supported:
                return f"does not support {label} {value} (it supports {', '.join(supported)})"
        return None

    def mode_refusal(self, mode: str) -> str | None:
        """Why the broker cannot stream ticks in ``mode`` ("streams only ltp/quote ticks, not 'full'"), or None."""
        if mode in self.streaming:
            return None
        what = f"only {'/'.join(self.streaming)} ticks" if self.streaming else "no market data"
        return f"streams {what}, not {mode!r}"

    def summary(self) -> str:
        """One short line for tables: the things that tell brokers apart."""
        parts = ["varieties " + "/".join(self.varieties)]
        if self.streaming:
            parts.append("stream " + "/".join(self.streaming))
        parts += [flag.replace("_", " ") for flag in ("interactive_login", "dealer") if getattr(self, flag)]
        if self.operations:
            parts.append("native " + "/".join(self.operations))
        return ", ".join(parts)
