"""Browser sign-in: ``POST /session`` sets the session cookie (HttpOnly, SameSite=Strict, Secure) and gives
the CSRF token that every unsafe request of the session must send in ``X-CSRF-Token``; ``GET /session``
says who is signed in; ``DELETE /session`` signs out.

A wrong password and an unknown user get the same answer; failures are limited per user name and per
address across workers (:class:`SignInGuard`), and every attempt is audited (never the password). A user
with a TOTP seed (``brokerplex users totp``) also sends the current ``totp`` code: without one, the right
password is answered 401 ``TotpRequired`` (ask for the code, send both again); a wrong code is a failure.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field, SecretStr

from brokerplex_server import audit
from brokerplex_server.auth.identify import SESSION_COOKIE, source_of
from brokerplex_server.auth.principal import Role
from brokerplex_server.auth.signin import SignInGuard
from brokerplex_server.auth.totp import UserTotp
from brokerplex_server.auth.users import SESSION_LIFETIME, User
from brokerplex_server.deps import CurrentUser, Manager, Users
from brokerplex_server.errors import ApiError

router = APIRouter(tags=["session"])


class SignIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    password: SecretStr = Field(min_length=1, max_length=1024)
    totp: SecretStr | None = Field(None, description="The current code of the user's authenticator app (users "
                                   "with TOTP only)", min_length=6, max_length=8)


class SessionView(BaseModel):
    user: str
    role: Role
    accounts: list[str]
    csrf_token: str | None = Field(description="Send it as X-CSRF-Token on every request that changes "
                                   "something (null for an API key, which needs none)")


def _view(user: User, csrf: str | None) -> SessionView:
    return SessionView(user=user.name, role=user.role, accounts=sorted(user.accounts), csrf_token=csrf)


@router.post("/session")
def sign_in(body: SignIn, request: Request, response: Response, manager: Manager, users: Users) -> SessionView:
    """Sign in with a user name and password: sets the session cookie; returns the CSRF token."""
    source = source_of(request)
    guard = SignInGuard(manager.store)
    wait = guard.retry_after(body.name, source)
    if wait is not None:
        audit.record(request, "sign_in", outcome="refused", user_name=body.name, detail={"reason": "rate limited"})
        raise ApiError(429, "RateLimitedError", f"too many failed sign-ins: try again in {wait} s",
                       headers={"Retry-After": str(wait)})
    user = users.verify_password(body.name, body.password.get_secret_value())
    if user is None:
        guard.failed(body.name, source)
        audit.record(request, "sign_in", outcome="refused", user_name=body.name)
        raise ApiError(401, "AuthenticationError", "wrong user name or password")
    second = UserTotp(manager.store)
    if second.required(user):
        if body.totp is None:
            audit.record(request, "sign_in", outcome="refused", user_name=body.name, detail={"reason": "no TOTP code"})
            raise ApiError(401, "TotpRequired", "this user signs in with a TOTP code too: send totp, the code "
                           "of the authenticator app")
        if not second.verify(user, body.totp.get_secret_value()):
            guard.failed(body.name, source)
            audit.record(request, "sign_in", outcome="refused", user_name=body.name,
                         detail={"reason": "wrong TOTP code"})
            raise ApiError(401, "AuthenticationError", "wrong or already used TOTP code")
    guard.succeeded(body.name)
    cookie, csrf = users.new_session(user, source)
    response.set_cookie(SESSION_COOKIE, cookie, max_age=int(SESSION_LIFETIME.total_seconds()), path="/",
                        httponly=True, samesite="strict", secure=request.app.state.config.secure_cookies)
    audit.record(request, "sign_in", user_name=user.name)
    return _view(user, csrf)


@router.get("/session")
def who_am_i(request: Request, caller: CurrentUser, users: Users) -> SessionView:
    """Who is asking; a signed-in browser gets its CSRF token again (after a reload, say)."""
    found = users.by_session(request.cookies[SESSION_COOKIE]) if caller.via_cookie else None
    user = found[0] if found else User(caller.user_id, caller.name, caller.role, caller.accounts)
    return _view(user, found[1] if found else None)


@router.delete("/session", status_code=204)
def sign_out(request: Request, response: Response, caller: CurrentUser, users: Users) -> None:
    """Sign out: the session ends here (the CSRF token is needed, as for every change)."""
    if not caller.via_cookie:
        raise ApiError(403, "PermissionDenied", "an API key has no session to end (an admin revokes keys: "
                       "DELETE /users/{name}/keys/{prefix})")
    users.end_session(request.cookies[SESSION_COOKIE])
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict",
                           secure=request.app.state.config.secure_cookies)
    audit.record(request, "sign_out")
