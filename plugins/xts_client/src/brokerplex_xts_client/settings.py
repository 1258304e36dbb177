"""Account settings of an XTS login, and the hosts of the brokers that run XTS.

Every XTS broker runs the same API on its own host, so a broker is a preset of the
root URL, not a plugin of its own: ``-o broker=iifl`` fills in ``root``. Only roots
seen in real integrations are listed (spec section 1); for any other broker give
``-o root=https://…``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from brokerplex.broker import BrokerSettings

#: Preset name → root (scheme, host and port; no path). Sources: spec section 1.
PRESETS: dict[str, str] = {
    "iifl": "https://ttblaze.iifl.com",
    "compositedge": "https://xts.compositedge.com",
    "wisdom": "https://trade.wisdomcapital.in",
    "5paisa": "https://xtsmum.5paisa.com",
    "ibulls": "https://xts.ibullssecurities.com",
    "rmoney": "https://xts.rmoneyindia.co.in:3000",
    "jainam": "https://jtrade.jainam.in:5000",
    "symphony": "https://developers.symphonyfintech.in",
}


def known_presets() -> str:
    return ", ".join(sorted(PRESETS))


class XtsClientSettings(BrokerSettings):
    """What ``brokerplex activate xts_client ACCOUNT -o …`` takes."""

    broker: str | None = Field(default=None, description=f"host preset: {known_presets()} (fills in root)")
    root: str | None = Field(default=None, description="https://host[:port] of the broker's XTS server")
    interactive_key: str = Field(description="app key of the Interactive (trading) API")
    interactive_secret: SecretStr = Field(description="secret key of the Interactive API")
    marketdata_key: str = Field(description="app key of the Market Data API")
    marketdata_secret: SecretStr = Field(description="secret key of the Market Data API")
    source: str = Field(default="WEBAPI", description="login source sent to XTS")
    marketdata_prefix: Literal["apimarketdata", "marketdata"] = Field(
        default="apimarketdata", description="market-data path prefix; older hosts use 'marketdata'")
    broadcast_mode: Literal["Full", "Partial"] = Field(
        default="Full", description="market-data socket: whole messages (Full) or changed fields only (Partial)")
    orders_per_second: int = Field(default=10, ge=1, description="client-side pace of order writes")
    requests_per_second: int = Field(default=10, ge=1, description="client-side pace of other calls, per API")
    timeout: float = Field(default=10.0, gt=0, le=120, description="seconds a call may take, reply included")
    download_timeout: float = Field(default=60.0, gt=0, le=600,
                                    description="seconds the instrument master's download may take")

    @model_validator(mode="after")
    def _resolve_root(self) -> XtsClientSettings:
        if self.broker is not None:
            preset = PRESETS.get(self.broker.strip().lower())
            if preset is None:
                raise ValueError(f"unknown XTS broker preset {self.broker!r}; known presets: {known_presets()}")
            if self.root is None:
                object.__setattr__(self, "root", preset)
        if self.root is None:
            raise ValueError(f"give root=https://host[:port] or broker=<preset> ({known_presets()})")
        root = self.root.strip().rstrip("/")
        if not root.startswith(("http://", "https://")) or root.count("/") > 2:
            raise ValueError(f"root must be scheme://host[:port] with no path, e.g. {PRESETS['iifl']}")
        object.__setattr__(self, "root", root)
        return self

    @property
    def base_url(self) -> str:
        assert self.root is not None  # always filled in by validation
        return self.root

    @property
    def host(self) -> str:
        """Host and port, the key of the broker's rate limits (no secret in it)."""
        return self.base_url.split("://", 1)[1]
