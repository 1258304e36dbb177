"""Accounts: list, activate (admins), read, deactivate (admins), log in, profile.

Settings are validated by the broker plugin's model; secret settings are write-only (masked wherever an
account is shown). A redirect login (Kite) is finished by the server itself: ``POST …/login`` answers the
broker's login URL carrying a sealed, expiring ``state``; the broker redirects the browser to
``GET …/login/callback``, which accepts only that state — any worker can open it (the store's key seals
it), and each worker takes it once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from brokerplex.aiomanager import AsyncBrokerManager
from brokerplex.errors import BrokerplexError, InputError
from brokerplex.models import Profile
from brokerplex_server import audit
from brokerplex_server.auth.principal import Principal
from brokerplex_server.deps import Admin, CurrentUser, Manager, ReadableAccount, TradableAccount
from brokerplex_server.errors import ApiError
from brokerplex_server.routes.schemas import AccountInfo, LoginRequest, LoginStarted, NewAccount

router = APIRouter(tags=["accounts"])
LOGIN_SECONDS = 600  # how long a begun redirect login may take to come back
_taken_states: dict[str, float] = {}  # nonce → expiry: a state comes back once (per worker)


def account_info(manager: AsyncBrokerManager, name: str) -> AccountInfo:
    """An account with its masked settings, or why it cannot be used (its plugin is not installed, …), and
    its session's state."""
    row = manager.account_row(name)
    session = None
    if row.get("problem") is None:
        # A stored session that cannot be read (a changed secret key) is said when the account is used.
        with contextlib.suppress(BrokerplexError):
            session = manager.session_state(name)
    return AccountInfo(**row, session=session)


@router.get("/accounts")
def accounts(manager: Manager, user: CurrentUser) -> list[AccountInfo]:
    """The accounts the caller may read (secrets masked)."""
    return [account_info(manager, name) for name in manager.account_store.names() if user.may_read(name)]


@router.post("/accounts", status_code=201)
def activate(new: NewAccount, request: Request, manager: Manager, _admin: Admin) -> AccountInfo:
    """Activate an account (admins): 422 with the plugin's message on bad settings, 409 if the name is taken
    (unless ``replace``). Missing secret settings are refused, never prompted for."""
    if not new.replace and new.name in manager.account_store.names():
        raise ApiError(409, "AccountExists", f"account {new.name!r} exists: send replace: true to replace it "
                       "(nothing changed)")
    options = {name: value if isinstance(value, str) else json.dumps(value) for name, value in new.settings.items()}
    try:
        activated = manager.activate(new.broker, new.name, options)
    except BrokerplexError as exc:
        audit.record(request, "account.activate", account=new.name, outcome="refused",
                     detail={"broker": new.broker, "error": str(exc)})
        raise
    audit.record(request, "account.activate", account=new.name,
                 detail={"broker": new.broker, "replace": new.replace, "settings": sorted(options)})
    return account_info(manager, activated.name)


@router.get("/accounts/{account}")
def account(account: ReadableAccount, manager: Manager) -> AccountInfo:
    return account_info(manager, account)


@router.delete("/accounts/{account}", status_code=204)
async def deactivate(account: str, request: Request, manager: Manager, _admin: Admin) -> Response:
    """Forget an account and its stored session (admins)."""
    await manager.deactivate(account)
    audit.record(request, "account.deactivate", account=account)
    return Response(status_code=204)


@router.get("/accounts/{account}/profile")
async def profile(account: ReadableAccount, manager: Manager) -> Profile:
    return await manager.profile(account)


# -- logins ------------------------------------------------------------------------------------------------
class ServerLoginIO:
    """A login's words go to the log of the request; a login that asks for more is refused, not hung."""

    def show(self, text: str) -> None:
        pass  # the profile answered says who logged in

    def prompt(self, text: str, *, hidden: bool = False) -> str:
        raise InputError(f"this login asks for {text.strip().rstrip(':')!r}: give it in params")


@router.post("/accounts/{account}/login")
async def login(account: TradableAccount, request: Request, manager: Manager, user: CurrentUser,
                body: LoginRequest | None = None) -> Profile | LoginStarted:
    """Log the account in with ``params`` (XTS: none) and answer its profile. A redirect login (Kite) without
    a ``request_token`` answers ``login_url`` instead: the broker sends the browser back to ``callback_url``
    (set the account's redirect_url, and the broker app's, to it), where the server finishes the login."""
    params = body.params if body is not None else {}
    if not params and (page := manager.login_page(account)) is not None:
        return _begin_redirect(request, manager, user, account, page, body.return_to if body is not None else None)
    return await audited_login(request, manager, account, params)


def _begin_redirect(request: Request, manager: AsyncBrokerManager, user: Principal, account: str,
                    page: str, return_to: str | None) -> LoginStarted:
    expires = time.time() + LOGIN_SECONDS
    state = manager.store.cipher.seal({"purpose": "login", "account": account, "user": user.name,
                                       "nonce": secrets.token_urlsafe(16), "expires": expires, "return_to": return_to})
    separator = "&" if "?" in page else "?"
    login_url = f"{page}{separator}redirect_params={quote(urlencode({'state': state}), safe='')}"
    audit.record(request, "account.login", account=account, outcome="ok", detail={"step": "redirect begun"})
    return LoginStarted(login_url=login_url, callback_url=str(request.url_for("login_callback", account=account)),
                        expires_at=dt.datetime.fromtimestamp(expires, dt.UTC))


async def audited_login(request: Request, manager: AsyncBrokerManager, account: str, params: dict[str, str],
                        user_name: str | None = None) -> Profile:
    try:
        found = await manager.login(account, params, ServerLoginIO())
    except BrokerplexError as exc:
        audit.record(request, "account.login", account=account, outcome="refused" if exc.nothing_happened
                     else "failed", detail={"error": f"{type(exc).__name__}: {exc}"}, user_name=user_name)
        raise
    audit.record(request, "account.login", account=account, detail={"user_id": found.user_id}, user_name=user_name)
    return found


@router.get("/accounts/{account}/login/callback", name="login_callback", response_model=Profile,
            responses={303: {"description": "The login began with return_to: back to that page, with login=ok or "
                                            "login=failed&error=TYPE and account=NAME in its query"}})
async def login_callback(account: str, request: Request, manager: Manager) -> Profile | Response:
    """Where the broker sends the browser after a redirect login (public: the redirect carries no API key;
    only the ``state`` this server sealed for this account's login, once and before it expires, is taken)."""
    begun = _take_state(manager, account, _state_of(request.query_params.get("state"),
                                                    request.query_params.get("redirect_params")))
    return_to = begun.get("return_to")
    query = request.query_params
    try:
        if query.get("status", "success") != "success" or not query.get("request_token"):
            raise InputError(f"the broker's redirect says the login did not succeed (status {query.get('status')!r})")
        found = await audited_login(request, manager, account, {"request_token": query["request_token"]},
                                    user_name=str(begun.get("user")))
    except BrokerplexError as exc:
        if not return_to:
            raise
        return _back(str(return_to), account, {"login": "failed", "error": type(exc).__name__})
    return _back(str(return_to), account, {"login": "ok"}) if return_to else found


def _back(path: str, account: str, outcome: dict[str, str]) -> Response:
    """The browser sent back to the page the login began on (a path of this site: checked when it began)."""
    separator = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{separator}{urlencode({**outcome, 'account': account})}", status_code=303)


def _state_of(state: str | None, redirect_params: str | None) -> str | None:
    """The state, given back as its own parameter or inside ``redirect_params`` (Kite gives it either way)."""
    if state:
        return state
    found = parse_qs(redirect_params or "").get("state")
    return found[0] if found else None


def _take_state(manager: AsyncBrokerManager, account: str, state: str | None) -> dict[str, Any]:
    refused = ApiError(403, "PermissionDenied", "this login callback carries no valid state: begin the login "
                       f"again with POST /api/v1/accounts/{account}/login")
    if not state:
        raise refused
    try:
        begun = manager.store.cipher.open(state, "a login state")
    except BrokerplexError:
        raise refused from None
    now = time.time()
    for nonce in [nonce for nonce, expiry in _taken_states.items() if expiry < now]:
        del _taken_states[nonce]
    if (begun.get("purpose") != "login" or begun.get("account") != account or float(begun.get("expires", 0)) < now
            or begun.get("nonce") in _taken_states):
        raise refused
    _taken_states[str(begun["nonce"])] = float(begun["expires"])
    return begun
