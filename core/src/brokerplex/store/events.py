"""Order updates and trades as this platform saw them, in the store's ``order_events`` table.

The in-process hub records each order or trade event as it passes it on, and the row's id becomes the
event's ``id``; a consumer made with ``after=ID`` is first given the account's later events from here.
So order events resume from an id without a bus too (with one, the bus's Redis Stream ids serve).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import sqlalchemy as sa

from brokerplex.errors import InputError
from brokerplex.hub.events import Event
from brokerplex.models import Order, Trade
from brokerplex.store.tables import order_events

if TYPE_CHECKING:
    from brokerplex.store import Store

log = logging.getLogger(__name__)
_INSERT = order_events.insert()
_SAME = (sa.select(order_events.c.id)
         .where(order_events.c.account == sa.bindparam("account"), order_events.c.order_id == sa.bindparam("order_id"),
                order_events.c.kind == sa.bindparam("kind"), order_events.c.event == sa.bindparam("event"))
         .limit(1))


def check_after(after: str) -> int:
    """The row id of an ``after`` given by a client; InputError if it is not one."""
    if not after.isdigit():
        raise InputError(f"{after!r} is not an order event id of this store (a whole number; with a bus, "
                         "resume with the bus's ids)")
    return int(after)


class OrderEventLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    def record(self, event: Event) -> None:
        """Write ``event`` (an order update or a trade) and give it its id; one written already (by another
        process following the account) keeps that one's id. A failure is a warning: the event still reaches
        every consumer, without an id to resume after."""
        from brokerplex.store import now

        data = event.data
        assert isinstance(data, Order | Trade)
        said = data.model_dump_json()
        values = {"account": event.account, "order_id": data.order_id, "kind": event.type, "event": said}
        try:
            with self._store.engine.begin() as connection:
                if (written := connection.execute(_SAME, values).scalar()) is not None:
                    event.id = str(written)
                    return
                inserted = connection.execute(_INSERT, {**values, "at": now()}).inserted_primary_key
        except Exception as error:  # the store is down or locked: the live event matters more than its record
            log.warning("the order event of %s could not be stored (%s: %s)", event.account, type(error).__name__,
                        error)
            return
        assert inserted is not None
        event.id = str(inserted[0])

    def since(self, account: str, after: str) -> list[Event]:
        """The order updates and trades of ``account`` recorded after the event ``after``, oldest first."""
        query = (sa.select(order_events.c.id, order_events.c.kind, order_events.c.event)
                 .where(order_events.c.account == account, order_events.c.id > check_after(after))
                 .order_by(order_events.c.id))
        with self._store.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [Event(account, (Order if row.kind == "order" else Trade).model_validate_json(row.event), id=str(row.id))
                for row in rows]
