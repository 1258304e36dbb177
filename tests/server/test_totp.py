"""TOTP for users: ``brokerplex users add … --totp`` / ``users totp NAME`` print the otpauth URI once; then
``POST /session`` needs the current code besides the password, and takes each code once."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest

from apiserver import ApiServer
from brokerplex_server.auth.identify import SESSION_COOKIE

if TYPE_CHECKING:
    from tests.conftest import Cli

PASSWORD = "tina-password"
pytestmark = pytest.mark.parametrize("database", [None])  # the CLI and the server share the home's SQLite


def sign_in(server: ApiServer, code: str | None = None) -> httpx.Response:
    body = {"name": "tina", "password": PASSWORD, **({"totp": code} if code is not None else {})}
    return server.client().post("/session", json=body)


def refused(answer: httpx.Response, kind: str) -> None:
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"]["type"] == kind
    assert SESSION_COOKIE not in answer.cookies


def seed_of(uri: str) -> pyotp.TOTP:
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth"
    assert parts.netloc == "totp"
    assert parts.path == "/brokerplex:tina"
    query = parse_qs(parts.query)
    assert query["issuer"] == ["brokerplex"]
    return pyotp.TOTP(query["secret"][0])


def test_a_user_with_totp_signs_in_with_the_code_once(cli: Cli, api: ApiServer) -> None:
    added = cli("users", "add", "tina", "--role", "trader", "--accounts", "p1", "--totp", "--password-stdin",
                input=f"{PASSWORD}\n")
    assert added.returncode == 0, added.stderr
    (uri,) = added.stdout.splitlines()  # the URI alone on stdout, once
    totp = seed_of(uri)

    refused(sign_in(api), "TotpRequired")  # the right password: now the code
    taken = {totp.at(time.time() + seconds) for seconds in range(-90, 91, 30)}  # whatever the server's step
    refused(sign_in(api, next(code for code in ("000000", "111111", "222222") if code not in taken)),
            "AuthenticationError")
    now = time.time()
    code = totp.at(now)
    signed = sign_in(api, code)
    assert signed.status_code == 200, signed.text
    assert signed.json()["user"] == "tina"
    refused(sign_in(api, code), "AuthenticationError")  # a code signs in once
    assert sign_in(api, totp.at(now + 30)).status_code == 200  # the next step's (a phone's clock ahead)
    refused(sign_in(api, code), "AuthenticationError")  # an older step after a newer one

    assert totp.secret not in cli("users", "list", "--json").stdout
    audit = api.client(api.key("root")).get("/audit", params={"limit": 1000}).text
    assert totp.secret not in audit
    assert f"\"{code}\"" not in audit  # every attempt is audited, never a code


def listed(cli: Cli) -> dict[str, dict[str, object]]:
    return {user["name"]: user for user in json.loads(cli("users", "list", "--json").stdout)}


def test_totp_is_given_later_replaced_and_removed(cli: Cli, api: ApiServer) -> None:
    assert cli("users", "add", "tina", "--role", "viewer", "--password-stdin", input=f"{PASSWORD}\n").returncode == 0
    assert sign_in(api).status_code == 200  # the password alone, until a seed is given
    assert not listed(cli)["tina"]["totp"]
    first = cli("users", "totp", "tina")
    assert first.returncode == 0, first.stderr
    refused(sign_in(api), "TotpRequired")
    assert listed(cli)["tina"]["totp"]  # that it is on, never the seed
    second = cli("users", "totp", "tina")  # a new seed: the old one's codes are worth nothing
    old, new = seed_of(first.stdout.strip()), seed_of(second.stdout.strip())
    assert old.secret != new.secret
    if old.now() != new.now():
        refused(sign_in(api, old.now()), "AuthenticationError")
    assert sign_in(api, new.now()).status_code == 200
    off = cli("users", "totp", "tina", "--off")
    assert off.returncode == 0, off.stderr
    assert off.stdout == ""
    assert sign_in(api).status_code == 200
    assert not listed(cli)["tina"]["totp"]
    assert cli("users", "totp", "nobody").returncode != 0
