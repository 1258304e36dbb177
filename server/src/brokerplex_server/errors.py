"""One error shape for every failure: ``{"error": {"type", "message", "broker_code", "outcome_known"}}``.

The status says who must act: 422 bad input (nothing sent), 401/403 who is asking, 404 no such thing,
409 an order whose outcome is unknown (reconcile, never resend), 429 slow down (``Retry-After``),
502 the broker failed, 503 the broker cannot be reached or the account must log in again.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from brokerplex import errors

log = logging.getLogger("brokerplex.server")


class ErrorDetail(BaseModel):
    type: str
    message: str
    broker_code: str | None = None
    outcome_known: bool = True


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(Exception):
    """A refusal of the API itself (not of a broker): its status, type and message."""

    def __init__(self, status: int, type_: str, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.type, self.message, self.headers = status, type_, message, headers


def status_of(exc: errors.BrokerplexError) -> int:
    """The HTTP status of a library error: most specific class first."""
    table: list[tuple[type[errors.BrokerplexError], int]] = [
        (errors.UnknownAccountError, 404), (errors.OrderNotFoundError, 404), (errors.InputError, 422),
        (errors.VetoedError, 422), (errors.OutcomeUnknownError, 409), (errors.RateLimitedError, 429),
        (errors.AuthenticationError, 503), (errors.RefusedError, 422), (errors.UnreachableError, 503),
        (errors.BrokerUnavailableError, 503), (errors.BrokerError, 502),
    ]
    return next((status for kind, status in table if isinstance(exc, kind)), 500)


def error_response(status: int, type_: str, message: str, *, outcome_known: bool = True,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """An answer of the API itself (no broker code: the broker's errors go through :func:`detail_of`)."""
    detail = ErrorDetail(type=type_, message=message, outcome_known=outcome_known)
    return JSONResponse({"error": detail.model_dump()}, status_code=status, headers=headers)


def detail_of(exc: errors.BrokerplexError) -> ErrorDetail:
    """A library error in the one shape (a route's answer, a fan-out's item, a socket's error message)."""
    code = getattr(exc, "code", None)
    return ErrorDetail(type=type(exc).__name__, message=str(exc), broker_code=None if code is None else str(code),
                       outcome_known=exc.nothing_happened or status_of(exc) == 404)


def library_error(exc: errors.BrokerplexError) -> JSONResponse:
    status = status_of(exc)
    headers = None
    if isinstance(exc, errors.RateLimitedError):
        headers = {"Retry-After": str(max(1, math.ceil(exc.retry_after or 1)))}
    if status == 500:
        log.error("request failed: %s: %s", type(exc).__name__, exc)
    return JSONResponse({"error": detail_of(exc).model_dump()}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Every failure leaves in the one shape; nothing else (no traceback, no secret) leaves."""

    @app.exception_handler(errors.BrokerplexError)
    async def _library(_request: Request, exc: errors.BrokerplexError) -> JSONResponse:
        return library_error(exc)

    @app.exception_handler(ApiError)
    async def _api(_request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.type, exc.message, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "InputError", validation_message(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, "HTTPError", str(exc.detail),
                              headers=dict(exc.headers) if exc.headers else None)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected %s while serving a request", type(exc).__name__, exc_info=exc)
        return error_response(500, "InternalError", "unexpected server error (logged)", outcome_known=False)


def validation_message(problems: Any) -> str:
    """One line naming each bad field, like the library's pydantic messages."""
    parts = []
    for problem in problems:
        where = ".".join(str(part) for part in problem.get("loc", ()) if part not in ("body", "query", "path"))
        message = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "invalid request"

