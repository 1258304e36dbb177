"""What routes ask for: the caller checked for what the route needs, the manager, the user store.

They are coroutines, run on the event loop: FastAPI runs a plain function dependency on a worker thread,
and those hops cost more than the work (the caller's lookup is one indexed query).

A route names an account by its path parameter ``account``; asking for ``ReadableAccount`` or
``TradableAccount`` refuses with 403 a caller without that right, before anything is looked up (so a
refusal tells nothing about whether the account exists).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from brokerplex.aiomanager import AsyncBrokerManager
from brokerplex_server.auth.identify import identify
from brokerplex_server.auth.principal import Principal
from brokerplex_server.auth.users import UserStore
from brokerplex_server.errors import ApiError


async def manager(request: Request) -> AsyncBrokerManager:
    return request.app.state.manager  # type: ignore[no-any-return]


async def user_store(request: Request) -> UserStore:
    return request.app.state.users  # type: ignore[no-any-return]


Manager = Annotated[AsyncBrokerManager, Depends(manager)]
Users = Annotated[UserStore, Depends(user_store)]


async def current_user(request: Request) -> Principal:
    principal = identify(request, request.app.state.users, method=request.method)
    request.state.principal = principal  # for the audit log
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


async def readable_account(account: str, user: CurrentUser) -> str:
    if not user.may_read(account):
        raise ApiError(403, "PermissionDenied", f"{user.name} may not read account {account!r}")
    return account


async def tradable_account(account: str, user: CurrentUser) -> str:
    if not user.may_trade(account):
        what = "this API key is read-only" if user.may_read(account) and user.role.value != "viewer" else (
            f"{user.name} may not trade on account {account!r}")
        raise ApiError(403, "PermissionDenied", what)
    return account


async def admin_user(user: CurrentUser) -> Principal:
    if not user.is_admin:
        raise ApiError(403, "PermissionDenied", "only an admin (with a trade-scope key or a signed-in session) "
                       "may do this")
    return user


ReadableAccount = Annotated[str, Depends(readable_account)]
TradableAccount = Annotated[str, Depends(tradable_account)]
Admin = Annotated[Principal, Depends(admin_user)]
