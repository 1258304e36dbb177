"""Who may log in to the simulator: investors (one account each) and dealers (many client codes).

Keys are derived from the seed, so a test or a demo that knows the seed knows the keys.
A dealer's proprietary book, reached with the client code ``*****``, is its own paper account.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PRO = "*****"  # the client code of a dealer's own (proprietary) book


@dataclass(frozen=True, slots=True)
class KeyPair:
    app_key: str
    secret_key: str = field(repr=False)  # printed by the CLI on purpose, never by a repr

    def as_json(self) -> dict[str, str]:
        return {"appKey": self.app_key, "secretKey": self.secret_key}


@dataclass(frozen=True, slots=True)
class User:
    user_id: str
    investor: bool
    client_codes: tuple[str, ...]
    interactive: KeyPair
    marketdata: KeyPair
    name: str

    @property
    def role(self) -> str:
        return "investor" if self.investor else "dealer"

    def account(self, client_code: str) -> str:
        """The paper account behind one of this user's client codes (``*****``: the dealer's own book)."""
        return f"{self.user_id}-PRO" if client_code == PRO else client_code

    def as_json(self) -> dict[str, object]:
        return {"role": self.role, "user_id": self.user_id, "client_codes": list(self.client_codes),
                "interactive": self.interactive.as_json(), "marketdata": self.marketdata.as_json()}


def activation_settings(root: str, account: Mapping[str, Any], **extra: str) -> dict[str, str]:
    """``brokerplex activate`` settings for one announced login (an item of ``accounts``)."""
    interactive, marketdata = account["interactive"], account["marketdata"]
    return {"root": root, "interactive_key": interactive["appKey"], "interactive_secret": interactive["secretKey"],
            "marketdata_key": marketdata["appKey"], "marketdata_secret": marketdata["secretKey"], **extra}


def _keys(seed: int, user_id: str, api: str) -> KeyPair:
    digest = hashlib.sha256(f"xts-sim:{seed}:{user_id}:{api}".encode()).hexdigest()
    return KeyPair(app_key=digest[:20], secret_key=f"Sim{digest[20:28]}@{digest[28:32]}")


def default_users(seed: int) -> list[User]:
    """Two investors and a dealer mapped to two clients (and its PRO book)."""
    def user(user_id: str, investor: bool, codes: tuple[str, ...], name: str) -> User:
        return User(user_id, investor, codes, _keys(seed, user_id, "interactive"), _keys(seed, user_id, "marketdata"),
                    name)

    return [
        user("XTS0001", True, ("XTS0001",), "Asha Investor"),
        user("XTS0002", True, ("XTS0002",), "Ravi Investor"),
        user("DLR001", False, ("CL1001", "CL1002"), "Dealer Desk One"),
    ]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint_token(secret: bytes, user: User, app_key: str, now: float | None = None) -> str:
    """A token shaped like the real ones: an HS256 JWT with userID, publicKey, iat and exp (+24 h)."""
    issued = int(time.time() if now is None else now)
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"userID": f"{user.user_id}_{app_key}", "publicKey": app_key, "iat": issued, "exp": issued + 86_400}
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signature = _b64(hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest())
    return f"{header}.{body}.{signature}"
