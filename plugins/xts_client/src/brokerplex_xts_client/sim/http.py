"""HTTP plumbing of the simulator: envelopes, errors, body parsing, case-insensitive routing."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from brokerplex_xts_client.sim.state import INTERACTIVE, MARKETDATA, Session

# Path prefixes → API. Market data answers under its current, legacy and binary prefixes.
PREFIXES = {"interactive": INTERACTIVE, "apimarketdata": MARKETDATA, "marketdata": MARKETDATA,
            "apibinarymarketdata": MARKETDATA}


class Refusal(Exception):
    """An error envelope to send: raised anywhere in a handler."""

    def __init__(self, description: str, *, status: int = 400, code: str = "e-request-0001",
                 errors: list[str] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.description, self.status, self.code, self.errors, self.headers = description, status, code, errors, headers

    def response(self) -> Response:
        result: Any = {"errors": self.errors} if self.errors is not None else {}
        body = {"type": "error", "code": self.code, "description": self.description, "result": result}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


class MissingRoute(Refusal):
    """A route this host does not serve: answered like an unknown path."""

    def __init__(self) -> None:
        super().__init__("Not Found", status=404)

    def response(self) -> Response:
        return not_found()


def bad_request(*errors: str) -> Refusal:
    return Refusal("Bad Request", code="e-request-0001", errors=list(errors))


def invalid_token() -> Refusal:
    return Refusal("Invalid Token", code="e-session-0002")


def no_data() -> Refusal:
    return Refusal("Data Not Available", code="e-data-0001")


def success(code: str, description: str, result: Any) -> JSONResponse:
    return JSONResponse({"type": "success", "code": code, "description": description, "result": result})


def not_found() -> Response:
    # Express's page for an unknown path (spec 2.2): HTML, status 404.
    return HTMLResponse("<!DOCTYPE html><html><body><h1>Unable to connect provided url</h1></body></html>", 404)


@dataclass(slots=True)
class Call:
    """One request, parsed: the fields of the body (JSON or form) and of the query string."""

    request: Request
    body: dict[str, Any]
    query: dict[str, str]
    session: Session | None = None

    def field(self, name: str) -> Any:
        """A field from the body, else the query (clients put clientID in either)."""
        if name in self.body:
            return self.body[name]
        return self.query.get(name)

    @property
    def token(self) -> str | None:
        return self.request.headers.get("authorization")


async def parse_call(request: Request) -> Call:
    raw = await request.body()
    body: dict[str, Any] = {}
    if raw.strip():
        try:
            parsed = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            # Python SDKs post their logins form-encoded, whatever Content-Type they claim.
            parsed = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        if not isinstance(parsed, dict):
            raise bad_request("request body must be a JSON object")
        body = parsed
    return Call(request, body, dict(request.query_params))


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Route:
    handler: Handler
    bucket: str  # rate-limit bucket
    api: str
    authenticated: bool = True


def route_key(method: str, path: str) -> tuple[str, str, str] | None:
    """(method, api, rest of the path) with case and trailing slashes ignored, or None."""
    parts = [part for part in path.lower().split("/") if part]
    if not parts or parts[0] not in PREFIXES:
        return None
    return method.upper(), PREFIXES[parts[0]], "/" + "/".join(parts[1:])
