"""The route-permission walk: every operation of the running server's OpenAPI document, called with no
credentials, with a viewer's key, and with a trader's key that lacks the account, answers only 401/403
with the one error shape and nothing else in the body.

It walks whatever routes exist when it runs; only routes public by design are exceptions (below).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from apiserver import ApiServer
from brokerplex_server.auth.principal import Role

ERROR_FIELDS = {"type", "message", "broker_code", "outcome_known"}
UNSAFE = {"post", "put", "patch", "delete"}
GRANTED, OTHER = "p2", "p1"  # the trader's account, and the one the walk calls
READ_ONLY_MARK = "x-brokerplex-read-only"  # a POST whose body is a question, not an action: a viewer may ask


@dataclass(frozen=True)
class Operation:
    method: str
    template: str  # /api/v1/accounts/{account}/orders
    url: str  # under /api/v1, path parameters filled in
    query: dict[str, str]
    has_body: bool
    tags: frozenset[str]
    read_only: bool  # marked so in the document (see READ_ONLY_MARK)

    @property
    def names_an_account(self) -> bool:
        return "{account}" in self.template or "account" in self.query or "accounts" in self.query

    @property
    def changes_something(self) -> bool:
        return self.method in UNSAFE and not self.read_only

    @property
    def admin_only(self) -> bool:
        return "admin" in self.tags

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.template}"


def is_public(operation: Operation) -> bool:
    """Public by design: signing in, and a broker's login redirect (it carries its own sealed state)."""
    return (operation.method, operation.template) == ("post", "/api/v1/session") or (
        operation.method == "get" and "callback" in operation.template)


def operations(document: dict[str, Any]) -> list[Operation]:
    """Every operation, its account parameters naming OTHER and every other parameter a dummy."""
    found = []
    for template, methods in document["paths"].items():
        for method, spec in methods.items():
            parameters = spec.get("parameters", [])
            query = {parameter["name"]: _value(parameter["name"]) for parameter in parameters
                     if parameter["in"] == "query" and (parameter.get("required")
                                                        or parameter["name"] in ("account", "accounts"))}
            url = re.sub(r"\{([^}]+)\}", lambda match: _value(match.group(1)), template).removeprefix("/api/v1")
            found.append(Operation(method, template, url, query, has_body="requestBody" in spec,
                                   tags=frozenset(spec.get("tags", ())), read_only=bool(spec.get(READ_ONLY_MARK))))
    return found


def _value(name: str) -> str:
    return OTHER if name in ("account", "accounts") else "1"


def call(client: httpx.Client, operation: Operation) -> httpx.Response:
    return client.request(operation.method.upper(), operation.url, params=operation.query,
                          json={} if operation.has_body else None)


def refusal(answer: httpx.Response, wanted: int) -> str | None:
    """None if ``answer`` is the refusal wanted with the error shape and nothing else; else what is wrong."""
    if answer.status_code != wanted:
        return f"{answer.status_code} (wanted {wanted}): {answer.text[:200]}"
    try:
        body = answer.json()
    except ValueError:
        return f"a body that is not JSON: {answer.text[:200]}"
    if set(body) != {"error"} or set(body["error"]) != ERROR_FIELDS:
        return f"not exactly the error shape: {answer.text[:200]}"
    return None


def test_every_route_refuses_callers_without_the_right(api: ApiServer) -> None:
    document = httpx.get(f"{api.url}/api/v1/openapi.json").json()
    walked = [operation for operation in operations(document) if not is_public(operation)]
    assert len(walked) >= 10, [str(operation) for operation in walked]
    anonymous = api.client()
    viewer = api.client(api.key("viewer", Role.VIEWER, (GRANTED, OTHER)))
    trader = api.client(api.key("trader", Role.TRADER, (GRANTED,)))
    wrong: list[str] = []

    def expect(who: str, client: httpx.Client, operation: Operation, status: int) -> None:
        problem = refusal(call(client, operation), status)
        if problem:
            wrong.append(f"{who}: {operation}: {problem}")

    for operation in walked:
        expect("no credentials", anonymous, operation, 401)
        if operation.changes_something or operation.admin_only:
            expect("viewer", viewer, operation, 403)
        if operation.names_an_account or operation.admin_only:
            expect(f"trader of {GRANTED} only", trader, operation, 403)
    assert not wrong, "\n".join(wrong)


def test_public_routes_are_only_the_ones_meant_to_be(api: ApiServer) -> None:
    document = httpx.get(f"{api.url}/api/v1/openapi.json").json()
    public = sorted(str(operation) for operation in operations(document) if is_public(operation))
    assert "POST /api/v1/session" in public
    assert all(name == "POST /api/v1/session" or "callback" in name for name in public), public
