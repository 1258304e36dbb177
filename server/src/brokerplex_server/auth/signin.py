"""Failed sign-ins, counted in the store's ``sign_in_failures`` so that every worker process sees them:
after ``PER_NAME`` failures for one user name, or ``PER_SOURCE`` from one address, within ``WINDOW``,
sign-ins are refused (429) until the oldest of those failures leaves the window."""

from __future__ import annotations

import datetime as dt
import math

import sqlalchemy as sa

from brokerplex.store import Store, now
from brokerplex.store.tables import sign_in_failures

WINDOW = dt.timedelta(minutes=15)
PER_NAME = 5  # guessing one user's password
PER_SOURCE = 20  # trying many names from one address


class SignInGuard:
    def __init__(self, store: Store) -> None:
        self._store = store

    def retry_after(self, name: str, source: str) -> int | None:
        """Seconds to wait before ``name`` may try again from ``source``; None: it may try now."""
        since = now() - WINDOW
        waits = []
        with self._store.engine.connect() as connection:
            for column, value, limit in ((sign_in_failures.c.user_name, name, PER_NAME),
                                         (sign_in_failures.c.source, source, PER_SOURCE)):
                times = connection.execute(sa.select(sign_in_failures.c.at)
                                           .where(column == value, sign_in_failures.c.at > since)
                                           .order_by(sign_in_failures.c.at.desc()).limit(limit)).scalars().all()
                if len(times) >= limit:  # the limit-th newest failure must leave the window
                    waits.append(math.ceil((times[-1] + WINDOW - now()).total_seconds()))
        return max(1, *waits) if waits else None

    def failed(self, name: str, source: str) -> None:
        with self._store.engine.begin() as connection:
            connection.execute(sign_in_failures.delete().where(sign_in_failures.c.at <= now() - WINDOW))
            connection.execute(sign_in_failures.insert().values(user_name=name[:64], source=source[:64], at=now()))

    def succeeded(self, name: str) -> None:
        """A right password clears the name's failures (the address's stay: they may be other names')."""
        with self._store.engine.begin() as connection:
            connection.execute(sign_in_failures.delete().where(sign_in_failures.c.user_name == name))
