"""Settings of a Zerodha account (``brokerplex activate zerodha NAME -o key=value``).

Kept apart from the broker so that ``activate`` validates settings without importing
``kiteconnect`` (Twisted makes that import cost a third of a second).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from brokerplex.broker import BrokerSettings
from brokerplex.ratelimit import Limit

# Kite's order caps: the docs' note says 200/minute and 3000/day; a later copy of it says
# 400 and 5000. The lower, documented pair is the default; accounts with the higher caps raise them.
DEFAULT_ORDERS_PER_MINUTE = 200
DEFAULT_ORDERS_PER_DAY = 3000


def _http_url(value: str, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{name} must be an http(s) URL, not {value!r}")
    return value


class ZerodhaSettings(BrokerSettings):
    api_key: str = Field(min_length=1, description="Kite Connect app's API key")
    api_secret: SecretStr = Field(description="Kite Connect app's API secret")
    root: str = Field(default="https://api.kite.trade", description="REST root")
    ws_root: str = Field(default="wss://ws.kite.trade", description="ticker WebSocket root")
    login_url: str = Field(default="https://kite.zerodha.com/connect/login", description="browser login page")
    redirect_url: str = Field(default="http://127.0.0.1:5000/",
                              description="the app's redirect URL; login listens there for the request token")
    timeout: float = Field(default=7.0, gt=0, le=120, description="seconds a REST call may take, reply included")
    download_timeout: float = Field(default=60.0, gt=0, le=600,
                                    description="seconds the instrument dump's download may take")
    login_timeout: float = Field(default=300.0, gt=0, description="seconds to wait for the browser login")
    ticker_silence: float = Field(default=5.0, gt=0, description="seconds without a ticker message before "
                                  "reconnecting (Kite sends a heartbeat each second)")
    orders_per_second: int = Field(default=10, ge=1, description="order placements per second")
    orders_per_minute: int = Field(default=DEFAULT_ORDERS_PER_MINUTE, ge=1, description="order placements per minute")
    orders_per_day: int = Field(default=DEFAULT_ORDERS_PER_DAY, ge=1, description="order placements per day")
    requests_per_second: int = Field(default=10, ge=1, description="other REST calls per second (per API key)")
    quotes_per_second: int = Field(default=1, ge=1, description="quote calls per second")
    historical_per_second: int = Field(default=3, ge=1, description="historical-candle calls per second")

    @field_validator("root", "login_url", "redirect_url")
    @classmethod
    def _http(cls, value: str) -> str:
        return _http_url(value, "this URL")

    @field_validator("ws_root")
    @classmethod
    def _ws(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            raise ValueError(f"ws_root must be a ws(s) URL, not {value!r}")
        return value

    @field_validator("api_key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not value.isascii() or not value.replace("_", "").isalnum():
            raise ValueError("api_key is letters, digits and underscores")
        return value

    def limits(self) -> dict[str, tuple[Limit, ...]]:
        """Rate-limit buckets; every account with this API key in the process shares them."""
        return {
            "orders": (Limit(self.orders_per_second, 1.0), Limit(self.orders_per_minute, 60.0),
                       Limit(self.orders_per_day, 86_400.0)),
            "quote": (Limit(self.quotes_per_second, 1.0),),
            "historical": (Limit(self.historical_per_second, 1.0),),
            "other": (Limit(self.requests_per_second, 1.0),),
        }
