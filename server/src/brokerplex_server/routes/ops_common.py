"""What the trader-operation routes share: the ``dry_run`` query parameter, the read-only mark, and how a
multi-order action is judged for the audit log (by the worst of its legs)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Query

from brokerplex.ops.models import LegOutcome, LegResult
from brokerplex_server.audit import OUTCOMES

T = TypeVar("T")

DryRun = Annotated[bool, Query(description="Validate and price it, say what would be sent, and send nothing.")]

#: An operation whose body is a question (a POST only because its input does not fit a query), not an
#: action: a viewer may call it. The mark in the OpenAPI document tells clients and checks so.
READ_ONLY = {"x-brokerplex-read-only": True}

def judge_legs(legs: Sequence[LegResult]) -> tuple[str, dict[str, Any]]:
    """A multi-order action's outcome, the worst of its legs' (unknown, then failed, then refused), and
    each leg's order and outcome."""
    found = {leg.outcome for leg in legs}
    worst = next((OUTCOMES[outcome] for outcome in
                  (LegOutcome.UNKNOWN, LegOutcome.FAILED, LegOutcome.REFUSED, LegOutcome.SKIPPED) if outcome in found),
                 "ok")
    return worst, {"legs": [{"symbol": leg.symbol, "outcome": leg.outcome.value, "order_id": leg.order_id,
                             **({"client": leg.client_code} if leg.client_code else {})} for leg in legs]}
