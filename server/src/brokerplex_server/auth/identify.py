"""Who is asking: ``Authorization: Bearer <API key>`` for scripts, the session cookie for browsers.

A cookie session must send its CSRF token in ``X-CSRF-Token`` on every request that changes something
(and in the WebSocket's first message is not needed: the socket's Origin is checked instead).
"""

from __future__ import annotations

import hmac

from starlette.requests import HTTPConnection

from brokerplex_server.auth.principal import Principal, Scope
from brokerplex_server.auth.users import UserStore
from brokerplex_server.errors import ApiError

SESSION_COOKIE = "brokerplex_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def source_of(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else "unknown"


def identify(connection: HTTPConnection, users: UserStore, *, method: str = "GET") -> Principal:
    """The caller, or ApiError 401 (no or bad credentials) / 403 (a cookie request without its CSRF token)."""
    header = connection.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if header:
        found = users.by_key(credential.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            raise ApiError(401, "AuthenticationError", "the API key is not valid (Authorization: Bearer <key>)",
                           headers={"WWW-Authenticate": "Bearer"})
        user, scope = found
        return Principal(user.id, user.name, user.role, user.accounts, scope, source_of(connection))
    cookie = connection.cookies.get(SESSION_COOKIE)
    session = users.by_session(cookie) if cookie else None
    if session is None:
        raise ApiError(401, "AuthenticationError", "sign in (POST /api/v1/session) or send an API key "
                       "(Authorization: Bearer <key>)", headers={"WWW-Authenticate": "Bearer"})
    user, csrf = session
    if method not in SAFE_METHODS and not hmac.compare_digest(connection.headers.get(CSRF_HEADER, ""), csrf):
        raise ApiError(403, "CSRFError", f"a signed-in browser must send its {CSRF_HEADER} header")
    return Principal(user.id, user.name, user.role, user.accounts, Scope.TRADE, source_of(connection),
                     via_cookie=True)
