"""What the trader-operation routes share: the ``dry_run`` query parameter, and running an action so that
the audit log records it, however it ends (a multi-order action by the worst of its legs)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Query
from starlette.requests import Request

from brokerplex.ops.models import LegOutcome, LegResult, outcome_of_error
from brokerplex_server.audit import record

T = TypeVar("T")

DryRun = Annotated[bool, Query(description="Validate and price it, say what would be sent, and send nothing.")]

#: An operation whose body is a question (a POST only because its input does not fit a query), not an
#: action: a viewer may call it. The mark in the OpenAPI document tells clients and checks so.
READ_ONLY = {"x-brokerplex-read-only": True}

#: How an action ended, in the audit log's words, from an error's leg outcome.
_AUDIT_OUTCOME = {LegOutcome.UNKNOWN: "unknown", LegOutcome.REFUSED: "refused", LegOutcome.FAILED: "failed"}


async def audited(request: Request, action: str, account: str, work: Awaitable[T], *,
                  asked: dict[str, Any] | None = None, target: str | None = None,
                  judge: Callable[[T], tuple[str, dict[str, Any]]] | None = None) -> T:
    """``work``'s result, with one audit entry saying what was ``asked`` and how it ended: ``judge`` reads
    the outcome (and what to keep of the result) from the result; an error is recorded, then raised for
    the error handler to answer."""
    asked = {key: value for key, value in (asked or {}).items() if value not in (None, False)}
    try:
        result = await work
    except Exception as exc:
        record(request, action, account=account, target=target, detail={**asked, "error": type(exc).__name__},
               outcome=_AUDIT_OUTCOME[outcome_of_error(exc)])
        raise
    outcome, kept = judge(result) if judge is not None else ("ok", {})
    record(request, action, account=account, target=target, detail={**asked, **kept} or None, outcome=outcome)
    return result


def judge_legs(legs: Sequence[LegResult]) -> tuple[str, dict[str, Any]]:
    """A multi-order action's outcome, the worst of its legs' (unknown, then failed, then refused), and
    each leg's order and outcome."""
    found = {leg.outcome for leg in legs}
    worst = next((_AUDIT_OUTCOME.get(outcome, "refused") for outcome in
                  (LegOutcome.UNKNOWN, LegOutcome.FAILED, LegOutcome.REFUSED, LegOutcome.SKIPPED) if outcome in found),
                 "ok")
    return worst, {"legs": [{"symbol": leg.symbol, "outcome": leg.outcome.value, "order_id": leg.order_id,
                             **({"client": leg.client_code} if leg.client_code else {})} for leg in legs]}
