"""Reading broker payloads: strict JSON, and what an unreadable payload becomes.

Every plugin reads replies the same way: JSON without NaN/Infinity literals or runaway
nesting, mapping failures (:data:`READ_FAILURES`) turned into our :class:`ProtocolError`
with a short excerpt of the payload (:func:`unreadable`) so that a user can see what came.
"""

from __future__ import annotations

import json
from typing import Any

from brokerplex.errors import ProtocolError


def parse_json(content: bytes | str) -> Any:
    """Strict JSON: NaN and Infinity literals, nesting deeper than Python can follow, and bad bytes are ValueError.

    One decoder for every call: ``json.loads`` with options would build a new one each time, and ticks come
    through here by the thousand."""
    try:
        return _DECODER.decode(content.decode() if isinstance(content, bytes) else content)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_no_constant)


def excerpt(payload: bytes | str | None, limit: int = 120) -> str:
    """The start of a broker's reply for an error message: printable, short, never a whole payload.

    Callers leave it out of replies that carry secrets (login replies hold tokens)."""
    if not payload:
        return "an empty reply"
    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
    shown = " ".join(text[: limit * 2].split())  # one line
    return repr(shown[:limit] + ("…" if len(text) > limit or len(shown) > limit else ""))


#: What reading a malformed payload raises in Python: mappings turn these into ProtocolError.
READ_FAILURES: tuple[type[Exception], ...] = (
    KeyError, IndexError, TypeError, ValueError, AttributeError, ArithmeticError, RecursionError,
)


def unreadable(broker: str, what: str, payload: object, error: BaseException) -> ProtocolError:
    """The ProtocolError for a payload that could not be read: the reason and an excerpt of the payload."""
    try:
        shown = excerpt(payload if isinstance(payload, (bytes, str)) else json.dumps(payload, default=str))
    except (RecursionError, ValueError, TypeError):
        shown = "a payload too deep to show"
    if isinstance(error, ProtocolError):
        reason = error.message
    else:
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return ProtocolError(f"unreadable {what} ({' '.join(reason.split())[:160]}): {shown}", broker=broker)
