"""Admin only: users, their API keys, and the audit log. Every change is audited."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field, SecretStr

from brokerplex.errors import InputError
from brokerplex_server import audit
from brokerplex_server.auth.principal import Role, Scope
from brokerplex_server.auth.users import User, UserStore, UserView, key_prefix
from brokerplex_server.deps import Admin, Manager, Users
from brokerplex_server.errors import ApiError

router = APIRouter(tags=["admin"])


class NewUser(BaseModel):
    name: str
    password: SecretStr
    role: Role
    accounts: list[str] = Field(default_factory=list, description="The accounts granted (not for admins)")


class NewKey(BaseModel):
    scope: Scope = Scope.TRADE


class MadeKey(BaseModel):
    key: str = Field(description="Shown this once: only its hash is kept")
    prefix: str
    scope: Scope


class AuditEntry(BaseModel):
    id: int
    at: dt.datetime
    user: str | None
    action: str
    account: str | None
    target: str | None
    detail: dict[str, Any] | None
    source: str | None
    outcome: str


def _named(users: UserStore, name: str) -> User:
    user = users.get(name)
    if user is None:
        raise ApiError(404, "NotFound", f"no user {name!r}")
    return user


@router.get("/users")
def list_users(_admin: Admin, users: Users) -> list[UserView]:
    """Every user with their role, accounts and API keys (prefixes, never a key or a hash)."""
    return users.listing()


@router.post("/users", status_code=201)
def add_user(body: NewUser, request: Request, _admin: Admin, users: Users) -> UserView:
    """Add a user with a password, a role and (traders, viewers) the accounts granted."""
    users.add(body.name, body.password.get_secret_value(), body.role, frozenset(body.accounts))
    audit.record(request, "user.add", target=body.name, detail={"role": body.role.value,
                                                                 "accounts": sorted(body.accounts)})
    return next(user for user in users.listing() if user.name == body.name)


@router.delete("/users/{name}", status_code=204)
def remove_user(name: str, request: Request, admin: Admin, users: Users) -> None:
    """Remove a user, their API keys and sessions (not yourself: another admin must)."""
    if name == admin.name:
        raise ApiError(422, "InputError", "you cannot remove yourself: another admin must")
    users.remove(_named(users, name).name)
    audit.record(request, "user.remove", target=name)


@router.post("/users/{name}/keys", status_code=201)
def add_key(name: str, body: NewKey, request: Request, _admin: Admin, users: Users) -> MadeKey:
    """A new API key for the user: in this answer only."""
    made = users.new_key(_named(users, name), body.scope)
    audit.record(request, "key.add", target=name, detail={"scope": body.scope.value, "prefix": key_prefix(made)})
    return MadeKey(key=made, prefix=key_prefix(made), scope=body.scope)


@router.delete("/users/{name}/keys/{prefix}", status_code=204)
def revoke_key(name: str, prefix: str, request: Request, _admin: Admin, users: Users) -> None:
    """Revoke one of the user's API keys."""
    try:
        users.revoke_key(prefix, _named(users, name))
    except InputError as exc:
        raise ApiError(404, "NotFound", str(exc)) from None
    audit.record(request, "key.revoke", target=name, detail={"prefix": prefix})


@router.get("/audit")
async def audit_log(_admin: Admin, manager: Manager, request: Request,
              since: Annotated[dt.datetime | None, Query(description="Entries after this time")] = None,
              action: str | None = None, account: str | None = None, user: str | None = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[AuditEntry]:
    """The audit log, newest first: who did what, when, from where, and how it ended."""
    from brokerplex.store.tables import audit as table

    request.app.state.audit.flush()  # this worker's newest entries too
    query = sa.select(table).order_by(table.c.id.desc()).limit(limit)
    if since is not None:
        if since.tzinfo is None:
            raise ApiError(422, "InputError", "since: give a time with its zone, e.g. 2026-01-02T09:15:00Z")
        query = query.where(table.c.at > since)
    for column, wanted in ((table.c.action, action), (table.c.account, account), (table.c.user_name, user)):
        if wanted is not None:
            query = query.where(column == wanted)
    with manager.store.engine.connect() as db:
        rows = db.execute(query).all()
    return [AuditEntry(id=row.id, at=row.at, user=row.user_name, action=row.action, account=row.account,
                       target=row.target, detail=json.loads(row.detail) if row.detail else None,
                       source=row.source, outcome=row.outcome) for row in rows]
