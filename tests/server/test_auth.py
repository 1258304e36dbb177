"""Browser sessions over the real server: sign-in sets a Secure HttpOnly SameSite cookie, unsafe requests
need the CSRF token, sign-out ends the session, failed sign-ins are limited and audited, CORS is closed."""

from __future__ import annotations

import re

import httpx

from apiserver import ApiServer
from brokerplex_server.auth.identify import CSRF_HEADER, SESSION_COOKIE
from brokerplex_server.auth.principal import Role
from brokerplex_server.auth.signin import PER_NAME, PER_SOURCE


def sign_in(api: ApiServer, name: str, password: str) -> httpx.Response:
    return api.client().post("/session", json={"name": name, "password": password})


def session_client(api: ApiServer, signed_in: httpx.Response) -> httpx.Client:
    """A client that sends the session cookie back (httpx's jar keeps a Secure cookie off plain HTTP, as a
    browser would: the test sends it itself)."""
    cookie = signed_in.cookies[SESSION_COOKIE]
    client = api.client()
    client.headers["Cookie"] = f"{SESSION_COOKIE}={cookie}"
    return client


def audit_entries(api: ApiServer, admin_key: str, **filters: str) -> list[dict[str, object]]:
    answer = api.client(admin_key).get("/audit", params=filters)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def test_sign_in_sets_a_secure_httponly_strict_cookie_and_gives_the_csrf_token(api: ApiServer) -> None:
    api.users().add("alice", "alice-password", Role.TRADER, frozenset({"p1"}))
    signed_in = sign_in(api, "alice", "alice-password")
    assert signed_in.status_code == 200, signed_in.text
    body = signed_in.json()
    assert (body["user"], body["role"], body["accounts"]) == ("alice", "trader", ["p1"])
    assert body["csrf_token"]
    set_cookie = signed_in.headers["set-cookie"]
    attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")}
    assert {"httponly", "secure", "path"} <= attributes
    assert "samesite=strict" in set_cookie.lower()
    assert "alice-password" not in signed_in.text

    browser = session_client(api, signed_in)
    me = browser.get("/session")
    assert me.status_code == 200
    assert me.json() == body


def test_a_cookie_request_that_changes_something_needs_its_csrf_token(api: ApiServer) -> None:
    api.users().add("root", "root-password", Role.ADMIN)
    signed_in = sign_in(api, "root", "root-password")
    browser = session_client(api, signed_in)
    new_user = {"name": "bob", "password": "bob-password", "role": "viewer", "accounts": ["p1"]}

    refused = browser.post("/users", json=new_user)
    assert refused.status_code == 403
    assert refused.json()["error"]["type"] == "CSRFError"
    wrong = browser.post("/users", json=new_user, headers={CSRF_HEADER: "not-the-token"})
    assert wrong.status_code == 403
    assert api.users().get("bob") is None

    made = browser.post("/users", json=new_user, headers={CSRF_HEADER: signed_in.json()["csrf_token"]})
    assert made.status_code == 201, made.text
    assert made.json()["name"] == "bob"
    assert browser.get("/users").status_code == 200  # reading needs no token


def test_sign_out_needs_the_token_and_ends_the_session(api: ApiServer) -> None:
    api.users().add("alice", "alice-password", Role.VIEWER, frozenset({"p1"}))
    signed_in = sign_in(api, "alice", "alice-password")
    browser = session_client(api, signed_in)
    assert browser.delete("/session").status_code == 403
    assert browser.get("/session").status_code == 200
    out = browser.delete("/session", headers={CSRF_HEADER: signed_in.json()["csrf_token"]})
    assert out.status_code == 204
    assert browser.get("/session").status_code == 401


def test_unknown_user_and_wrong_password_get_the_same_answer_and_are_audited_without_the_password(
        api: ApiServer) -> None:
    api.users().add("alice", "alice-password", Role.TRADER, frozenset({"p1"}))
    wrong = sign_in(api, "alice", "guessed-password")
    unknown = sign_in(api, "mallory", "guessed-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert "set-cookie" not in wrong.headers
    assert sign_in(api, "alice", "alice-password").status_code == 200

    root = api.key("root", Role.ADMIN)
    entries = audit_entries(api, root, action="sign_in")
    assert [(entry["user"], entry["outcome"]) for entry in entries] == [
        ("alice", "ok"), ("mallory", "refused"), ("alice", "refused")]  # newest first
    assert all(entry["source"] == "127.0.0.1" for entry in entries)
    assert not {"guessed-password", "alice-password"} & set(re.findall(r"[\w-]+", str(entries)))


def test_failed_sign_ins_are_limited_per_name_then_per_address(api: ApiServer) -> None:
    api.users().add("alice", "alice-password", Role.TRADER, frozenset({"p1"}))
    for _ in range(PER_NAME):
        assert sign_in(api, "alice", "guessed-password").status_code == 401
    limited = sign_in(api, "alice", "alice-password")  # even the right password: the name is locked a while
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.json()["error"]["type"] == "RateLimitedError"
    assert "set-cookie" not in limited.headers

    for attempt in range(PER_SOURCE - PER_NAME):  # other names from the same address
        assert sign_in(api, f"guess{attempt}", "guessed-password").status_code == 401
    from_here = sign_in(api, "someone-else", "guessed-password")
    assert from_here.status_code == 429
    assert int(from_here.headers["Retry-After"]) > 0


def test_a_bearer_key_has_no_csrf_token_and_no_session_to_end(api: ApiServer) -> None:
    client = api.client(api.key("alice", Role.TRADER, ("p1",)))
    me = client.get("/session")
    assert me.status_code == 200
    assert me.json() == {"user": "alice", "role": "trader", "accounts": ["p1"], "csrf_token": None}
    assert client.delete("/session").status_code == 403


def test_cors_is_closed_by_default(api: ApiServer) -> None:
    key = api.key("root", Role.ADMIN)
    preflight = httpx.options(f"{api.url}/api/v1/users", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-credentials" not in preflight.headers
    simple = httpx.get(f"{api.url}/api/v1/users", headers={"Origin": "https://elsewhere.example",
                                                            "Authorization": f"Bearer {key}"})
    assert "access-control-allow-origin" not in simple.headers
