"""An account's limits and its kill switch: read them, halt (optionally cancelling and exiting
everything), resume; and which trader operations its broker does natively."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from brokerplex.errors import BrokerplexError
from brokerplex.ops import Mode, modes
from brokerplex.ops.limits import AccountLimits, Halt
from brokerplex.ops.models import LegResult, outcome_of_error
from brokerplex_server.audit import audited
from brokerplex_server.deps import Manager, ReadableAccount, TradableAccount
from brokerplex_server.routes.ops_common import judge_legs

router = APIRouter(prefix="/accounts/{account}", tags=["limits"])


class LimitsView(BaseModel):
    limits: AccountLimits | None  # None: the account has no limits file
    halted: Halt | None  # None: new orders are accepted


class HaltRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="halted by hand", min_length=1, max_length=500,
                        description="Why (shown when an order is refused).")
    exit_all: bool = Field(default=False, description="Also cancel every open order and exit every position.")


class HaltResult(BaseModel):
    account: str
    reason: str
    at: dt.datetime
    legs: list[LegResult] = Field(default_factory=list)  # exit_all: the cancels, then the exits


class ResumeResult(BaseModel):
    account: str
    was_halted: bool


@router.get("/limits")
async def limits(account: ReadableAccount, manager: Manager) -> LimitsView:
    """The account's limits (checked before every new order) and its halt, if any."""
    manager.account(account)  # an unknown account is a 404, not "no limits"
    return LimitsView(limits=manager.limits(account), halted=manager.halted(account))


@router.post("/halt")
async def halt(request: Request, account: TradableAccount, manager: Manager, body: HaltRequest) -> HaltResult:
    """The kill switch: every new order of the account is refused until ``resume``; exits still pass. With
    ``exit_all``, every open order is cancelled and every position exited (one result each). The halt
    stands even when cancelling or exiting fails: that failure is a leg of the answer, not its error."""
    async def halting() -> HaltResult:
        halted = manager.halt(account, body.reason)
        legs = []
        if body.exit_all:
            legs = await _or_failed_leg(manager.cancel_all(account)) + await _or_failed_leg(
                manager.exit_positions(account))
        return HaltResult(account=account, reason=halted.reason, at=halted.at, legs=legs)

    return await audited(request, "account.halt", halting(), account=account, detail=body.model_dump(),
                         judge=lambda result: judge_legs(result.legs) if body.exit_all else ("ok", {}))


@router.post("/resume")
async def resume(request: Request, account: TradableAccount, manager: Manager) -> ResumeResult:
    """Lift the halt: new orders are accepted again."""
    async def resuming() -> ResumeResult:
        manager.account(account)  # an unknown account is a 404, not "was not halted"
        return ResumeResult(account=account, was_halted=manager.resume(account))

    return await audited(request, "account.resume", resuming(), account=account,
                         judge=lambda result: ("ok", {"was_halted": result.was_halted}))


@router.get("/operations")
async def operation_modes(account: ReadableAccount, manager: Manager) -> dict[str, Mode]:
    """Every trader operation → ``native``, ``emulated`` or ``unsupported`` at this account's broker."""
    return modes(manager.brokers()[manager.account(account).broker].spec.capabilities)


async def _or_failed_leg(work: Awaitable[list[LegResult]]) -> list[LegResult]:
    """The legs of ``work``, or one leg saying why it failed as a whole."""
    try:
        return await work
    except BrokerplexError as exc:
        return [LegResult(symbol="-", outcome=outcome_of_error(exc), message=str(exc))]
