"""Every order's way to a broker: validate, journal, send once, record the outcome, reconcile.

:class:`~brokerplex.aiomanager.AsyncBrokerManager` finds the session and the account's rules; the
pipeline owns what happens to an order from then on, so that the rules of sending (never twice,
an ambiguous failure reconciled by client order id) live in one place.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import pluggy

from brokerplex.broker import Broker
from brokerplex.capabilities import Capabilities
from brokerplex.errors import (
    BrokerError,
    BrokerplexError,
    ClientCodeError,
    InputError,
    OutcomeUnknownError,
    RefusedError,
    VetoedError,
)
from brokerplex.ids import new_client_order_id
from brokerplex.journal import JournalState, OrderJournal
from brokerplex.models import Instrument, Order, OrderAck, OrderEvent, OrderModify, OrderRequest
from brokerplex.outcomes import Reconciled
from brokerplex.rules import modify_problem, order_problem
from brokerplex.validation import revalidated

log = logging.getLogger("brokerplex")
EventKind = Literal["sent", "rejected", "failed", "unknown", "reconciled", "modified", "cancelled", "update"]

#: An order still missing from the book this long after its intent is declared NOT_FOUND.
RECONCILE_GRACE = dt.timedelta(minutes=2)


class OrderPipeline:
    def __init__(self, journal: Callable[[], OrderJournal], plugins: pluggy.PluginManager,
                 rules: Callable[[str], Capabilities], instrument: Callable[[str, str], Awaitable[Instrument]],
                 guard: Callable[[str, Broker, OrderRequest, Instrument, bool], Awaitable[None]]) -> None:
        self._journal, self._plugins, self._rules, self._instrument = journal, plugins, rules, instrument
        self._guard = guard  # the account's limits and kill switch (brokerplex.ops.limits)

    # -- place ------------------------------------------------------------------
    async def place(self, account: str, broker: Broker, request: OrderRequest, *, reducing: bool = False) -> OrderAck:
        """Validate, journal, send once. An ambiguous failure is reconciled, never resent. ``reducing``: the
        order only reduces a position (an exit), which a halted account still lets through."""
        return await self.send(account, broker, await self.prepare(account, broker, request, reducing=reducing))

    async def send(self, account: str, broker: Broker, request: OrderRequest, *, autoslice: bool = False) -> OrderAck:
        """Journal a prepared request (:meth:`prepare`), then send it once (``autoslice``: for the broker to
        slice, one intent for all its slices)."""
        cid = request.client_order_id
        assert cid is not None  # prepare always assigns one
        journal = self._journal()
        journal.record_intent(cid, account, broker.context.broker, request.model_dump_json(),
                              client=broker.client_code)
        # Committed, the intent survives a crash of this process before the order leaves. Its fsync
        # (for power cuts) runs on a worker thread while the order is sent, instead of in front of
        # it, and the order is acknowledged only once both are done.
        durable = asyncio.ensure_future(asyncio.to_thread(journal.sync))
        try:
            return await self._send(account, broker, request, cid, autoslice)
        finally:
            await durable

    async def validate(self, account: str, broker: Broker, request: OrderRequest) -> tuple[OrderRequest, Instrument]:
        """``request`` checked against the broker's capabilities and the instrument's rules; nothing is sent."""
        request = revalidated(request)  # however it was built: model_copy(update=...) and model_construct skip it
        if problem := self._rules(account).refusal(request):
            raise InputError(f"{broker.context.broker} {problem}")
        instrument = await self._instrument(account, request.symbol)
        if problem := order_problem(request, instrument):
            raise InputError(problem)
        return request, instrument

    async def prepare(self, account: str, broker: Broker, request: OrderRequest, *,
                      reducing: bool = False) -> OrderRequest:
        """Validated, past the limits and the pre-trade checks, with a client order id: ready to send."""
        request, instrument = await self.validate(account, broker, request)
        await self._guard(account, broker, request, instrument, reducing)
        vetoes = self._plugins.hook.pretrade_check(
            account=account, broker=broker.context.broker, request=request, instrument=instrument
        )
        if vetoes:
            raise VetoedError(f"order vetoed: {vetoes[0]}", check="pretrade_check")
        if request.client_order_id is None:
            request = request.model_copy(update={"client_order_id": new_client_order_id()})
        return request

    async def _send(self, account: str, broker: Broker, request: OrderRequest, cid: str, autoslice: bool) -> OrderAck:
        try:
            ack = await (broker.place_autosliced if autoslice else broker.place_order)(request)
        except asyncio.CancelledError:  # interrupted (Ctrl-C) while the order may be on its way
            self._record(account, broker, cid, JournalState.UNKNOWN, "unknown",
                         message="interrupted while sending; it was not resent")
            raise
        except Exception as exc:
            if isinstance(exc, BrokerplexError) and exc.nothing_happened:
                refused = isinstance(exc, RefusedError)
                self._record(account, broker, cid, JournalState.REJECTED if refused else JournalState.FAILED,
                             "rejected" if refused else "failed", message=str(exc),
                             order_id=exc.order_id if isinstance(exc, BrokerError) else None)
                raise
            # A timeout after sending, an unreadable reply, a plugin's bug: the order may exist.
            return await self._after_unknown(account, broker, request, exc)
        self._record(account, broker, cid, JournalState.SENT, "sent", order_id=ack.order_id, request=request)
        return ack

    async def _after_unknown(self, account: str, broker: Broker, request: OrderRequest, exc: Exception) -> OrderAck:
        cid, name = request.client_order_id or "", broker.context.broker
        self._record(account, broker, cid, JournalState.UNKNOWN, "unknown", message=f"{type(exc).__name__}: {exc}")
        found = await self._find(broker, cid)
        if found is not None:
            self._record(account, broker, cid, JournalState.SENT, "reconciled", order_id=found.order_id, order=found)
            return OrderAck(order_id=found.order_id, client_order_id=cid, status=found.status)
        raise OutcomeUnknownError(
            f"order {cid} may or may not have reached {name}; it was not resent. "
            f"Check it with `brokerplex reconcile {account}` ({type(exc).__name__}: {exc})",
            broker=name,
            client_order_id=cid,
        ) from exc

    async def _find(self, broker: Broker, client_order_id: str) -> Order | None:
        try:
            return await broker.find_order(client_order_id)
        except Exception:  # the lookup failing leaves the order UNKNOWN, which is the truth
            log.info("looking up order %s failed", client_order_id, exc_info=True)
            return None

    # -- reconcile ----------------------------------------------------------------
    async def reconcile(self, account: str, broker: Broker, grace: dt.timedelta) -> list[Reconciled]:
        """Resolve UNKNOWN (and crashed INTENT) orders by looking their client ids up."""
        journal = self._journal()
        results = []
        for entry in journal.unresolved(account):
            # A dealer's order is looked for in the book of the client it was placed for.
            try:
                book = broker if entry.client is None else await broker.for_client(entry.client)
            except ClientCodeError:
                log.warning("order %s was placed for client %s, which account %s no longer holds; left %s",
                            entry.client_order_id, entry.client, account, entry.state.value)
                results.append(Reconciled(entry, entry.state, None))
                continue
            found = await book.find_order(entry.client_order_id)
            if found is not None:
                state = JournalState.SENT
                self._record(account, book, entry.client_order_id, state, "reconciled",
                             order_id=found.order_id, order=found)
            elif dt.datetime.now(dt.UTC) - entry.created_at >= grace:
                state = JournalState.NOT_FOUND
                journal.record_outcome(entry.client_order_id, state, message="not in the order book")
            else:
                state = entry.state
            results.append(Reconciled(entry, state, found))
        return results

    # -- modify and cancel ------------------------------------------------------------
    async def modify(self, account: str, broker: Broker, order: Order, changes: OrderModify) -> OrderAck:
        changes = revalidated(changes)
        if problem := modify_problem(order, changes, await self._instrument(account, order.symbol)):
            raise InputError(problem)
        ack = await broker.modify_order(order, changes)
        self._emit("modified", account, broker, order_id=order.order_id, client_order_id=ack.client_order_id)
        return ack

    async def cancel(self, account: str, broker: Broker, order: Order) -> OrderAck:
        ack = await broker.cancel_order(order)
        self._emit("cancelled", account, broker, order_id=order.order_id, client_order_id=ack.client_order_id)
        return ack

    # -- the record ------------------------------------------------------------------
    def _record(
        self, account: str, broker: Broker, cid: str, state: JournalState, kind: EventKind, *,
        order_id: str | None = None, message: str | None = None, request: OrderRequest | None = None,
        order: Order | None = None,
    ) -> None:
        """Journal an order's outcome and tell the observers."""
        self._journal().record_outcome(cid, state, order_id=order_id, message=message)
        self._emit(kind, account, broker, client_order_id=cid, order_id=order_id, message=message,
                   request=request, order=order)

    def _emit(self, kind: EventKind, account: str, broker: Broker, **fields: Any) -> None:
        if not self._plugins.hook.order_event.get_hookimpls():
            return  # nobody listens: building the event would only cost time on every order
        event = OrderEvent(kind=kind, account=account, broker=broker.context.broker, client_code=broker.client_code,
                           at=dt.datetime.now(dt.UTC), **fields)
        try:
            self._plugins.hook.order_event(event=event)
        except Exception:  # an observer must never change an order's outcome
            log.warning("an order_event observer failed on %s", kind, exc_info=True)
