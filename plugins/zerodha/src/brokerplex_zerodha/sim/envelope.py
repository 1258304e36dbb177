"""Kite's JSON envelopes and the errors the simulator answers with.

The official client raises the exception class named by ``error_type`` (or
GeneralException for names it lacks, such as MarginException), so every error carries one.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

# Real Kite wording the plugin can recognise (the client turns MarginException and
# HoldingException into GeneralException, so the message is what is left to go by).
BAD_TOKEN = "Incorrect `api_key` or `access_token`."
BAD_CHECKSUM = "Invalid `checksum`."
BAD_REQUEST_TOKEN = "Token is invalid or has expired."
TOO_MANY_REQUESTS = "Too many requests"
ORDER_NOT_FOUND = "Couldn't find that `order_id`."
UNKNOWN_INSTRUMENT = "The instrument you are placing an order for has either expired or does not exist."


class KiteError(Exception):
    """An error envelope: HTTP status, Kite ``error_type`` and message."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message


def input_error(message: str) -> KiteError:
    return KiteError(400, "InputException", message)


def invalid(field: str) -> KiteError:
    return input_error(f"Invalid `{field}`.")


def token_error(message: str = BAD_TOKEN) -> KiteError:
    return KiteError(403, "TokenException", message)


def json_response(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, separators=(",", ":")), status, media_type="application/json")


def success(data: Any) -> Response:
    return json_response({"status": "success", "data": data})


def failure(error: KiteError) -> Response:
    body = {"status": "error", "message": error.message, "data": None, "error_type": error.error_type}
    return json_response(body, error.status)
