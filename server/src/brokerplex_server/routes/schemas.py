"""The API's own request and response bodies, where the library has no model (accounts, logins, fan-out,
reconcile results). Orders, books and quotes travel as the library's models (brokerplex.models)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field, StrictBool, StrictFloat, StrictInt, StrictStr

from brokerplex.models import OrderAck, OrderRequest, SessionState
from brokerplex_server.errors import ErrorDetail

#: ``client=`` on the order and book routes: the client code a dealer login acts for (default: its own).
Client = Annotated[str | None, Query(description="Dealer logins: the client code to act for (default: the "
                                                 "account's default client)")]


class AccountInfo(BaseModel):
    """An account as listed: its broker and settings with secrets masked, or why it cannot be used; whether
    its stored session may be used and until when (Kite: 06:00 IST; XTS: the IST day's end; paper: always)."""

    account: str
    broker: str
    settings: dict[str, Any] | None = None
    problem: str | None = None
    session: SessionState | None = Field(None, description="null when it cannot be told (see problem)")


class NewAccount(BaseModel):
    """``POST /accounts``: validated by the broker plugin's settings model; secret settings are write-only."""

    name: StrictStr
    broker: StrictStr
    settings: dict[str, StrictStr | StrictInt | StrictFloat | StrictBool] = {}
    replace: bool = False  # an account of this name is refused (409) unless this is true


class LoginRequest(BaseModel):
    """``POST /accounts/{account}/login``: what the broker's login takes (as ``brokerplex login -o``); none for
    XTS. Kite without a ``request_token`` answers its login URL instead (the server takes the redirect)."""

    params: dict[str, StrictStr] = {}
    return_to: str | None = Field(
        None, max_length=512, pattern=r"^/([^/\\\s][^\s\\]*)?$",
        description="A redirect login only: a path of this site the browser is sent back to once the server has "
                    "taken the broker's redirect, with login=ok or login=failed (and error=TYPE) and account=NAME "
                    "added to its query (the console's own page); without it the callback answers the profile")


class LoginStarted(BaseModel):
    """A redirect login begun: open ``login_url`` in a browser; the broker redirects to ``callback_url`` (the
    account's redirect URL must be it), where the server finishes the login."""

    login_url: str
    callback_url: str
    expires_at: dt.datetime


class ReconciledOrder(BaseModel):
    client_order_id: str
    was: str  # the journal's state before: UNKNOWN, or INTENT after a crash
    now: str
    order_id: str | None = None


class UnresolvedOrder(BaseModel):
    """A journalled order whose outcome is not known yet (``reconcile`` settles it)."""

    client_order_id: str
    state: str
    order_id: str | None = None
    client: str | None = None
    message: str | None = None
    request: OrderRequest
    created_at: dt.datetime


class FanOutRequest(BaseModel):
    """One order to several accounts, or (``clients``) to several client codes of one dealer account. Each
    order gets its own client order id: do not set one."""

    order: OrderRequest
    accounts: list[StrictStr] = Field(min_length=1)
    clients: list[StrictStr] | None = None  # with exactly one (dealer) account


class FanOutItem(BaseModel):
    """One target's outcome: the broker's acknowledgement, or the error (as the API reports errors)."""

    account: str
    client: str | None = None
    ack: OrderAck | None = None
    status: int = 200  # the HTTP status this target's order alone would have had
    error: ErrorDetail | None = None
