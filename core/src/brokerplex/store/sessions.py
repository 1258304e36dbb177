"""A broker session (its tokens) in the store, sealed with the store's key; what ``context.session`` is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from brokerplex.store.secrets import SecretKeyError
from brokerplex.store.tables import broker_sessions

if TYPE_CHECKING:
    from brokerplex.store import Store


class StoredSession:
    """``load`` / ``save`` / ``clear`` of one account's session object (:class:`brokerplex.storage.SessionStorage`)."""

    def __init__(self, store: Store, account: str) -> None:
        self._store = store
        self.account = account

    def __repr__(self) -> str:
        return f"StoredSession({self.account!r})"  # never the tokens

    def load(self) -> dict[str, Any]:
        """The stored object; {} when the account has none."""
        with self._store.engine.connect() as connection:
            token = connection.execute(
                sa.select(broker_sessions.c.data).where(broker_sessions.c.account == self.account)).scalar()
        if token is None:
            return {}
        try:
            return self._store.cipher.open(token, f"the stored session of {self.account}")
        except SecretKeyError as exc:
            raise SecretKeyError(f"{exc}, or log in again (brokerplex login {self.account}), which replaces "
                                 "it") from None

    def save(self, data: dict[str, Any]) -> None:
        """Replace the session (the account must exist in the store)."""
        from brokerplex.store import now

        sealed = self._store.cipher.seal(data)
        update = (broker_sessions.update().where(broker_sessions.c.account == self.account)
                  .values(data=sealed, updated_at=now()))
        with self._store.engine.begin() as connection:
            if connection.execute(update).rowcount:
                return
        try:
            with self._store.engine.begin() as connection:
                connection.execute(broker_sessions.insert().values(account=self.account, data=sealed,
                                                                   updated_at=now()))
        except IntegrityError:  # another process saved it first: ours is the newer
            with self._store.engine.begin() as connection:
                connection.execute(update)

    def clear(self) -> None:
        with self._store.engine.begin() as connection:
            connection.execute(broker_sessions.delete().where(broker_sessions.c.account == self.account))
