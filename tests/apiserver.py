"""``brokerplex serve`` as a child process, and API clients for it (``tests/`` is on pytest's path; the
``api`` fixture of tests/server/conftest.py starts one per test on SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from brokerplex.store import Store
from brokerplex_server.auth.principal import Role, Scope
from brokerplex_server.auth.users import UserStore
from processes import WAIT, Child


def api_client(url: str, key: str | None = None) -> httpx.Client:
    """An httpx client of the API served at ``url`` (``/api/v1`` prefixed), with ``key`` as its bearer token."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=f"{url}/api/v1", headers=headers, timeout=WAIT)


@dataclass
class ApiServer:
    """A running server: its URL, home and database; users and keys made straight in its store."""

    child: Child
    url: str
    home: Path
    database: str | None
    env: dict[str, str]
    clients: list[httpx.Client] = field(default_factory=list)
    _store: Store | None = None
    _auditor: httpx.Client | None = None

    @classmethod
    def start(cls, home: Path, database: str | None, *args: str, env: dict[str, str] | None = None) -> ApiServer:
        environment = {**os.environ, "BROKERPLEX_HOME": str(home), **(env or {})}
        environment.pop("BROKERPLEX_DATABASE", None)
        if database:
            environment["BROKERPLEX_DATABASE"] = database
        child = Child("serve", "--port", "0", *args, env=environment)
        first = child.record(lambda record: "url" in record)
        return cls(child, str(first["url"]), home, database, environment)

    def users(self) -> UserStore:
        """The users of the server's store (one store per test process, closed with the server)."""
        if self._store is None:
            self._store = Store(self.home, self.database)
        return UserStore(self._store)

    def key(self, name: str, role: Role = Role.ADMIN, accounts: tuple[str, ...] = (),
            scope: Scope = Scope.TRADE) -> str:
        """A new user ``name`` (password ``name-password``) with an API key of ``scope``: the key."""
        users = self.users()
        user = users.get(name) or users.add(name, f"{name}-password", role, frozenset(accounts))
        return users.new_key(user, scope)

    def client(self, key: str | None = None) -> httpx.Client:
        """An httpx client of the API (``/api/v1`` prefixed), with ``key`` as its bearer token."""
        client = api_client(self.url, key)
        self.clients.append(client)
        return client

    def audit(self) -> list[dict[str, Any]]:
        """The audit log, oldest first, read through ``GET /audit`` (which writes the server's newest
        entries first: they are written after their response)."""
        if self._auditor is None:
            self._auditor = self.client(self.key("auditor"))
        answer = self._auditor.get("/audit", params={"limit": 1000})
        answer.raise_for_status()
        return list(reversed(answer.json()))

    def stop(self) -> int:
        for client in self.clients:
            client.close()
        if self._store is not None:
            self._store.close()
        return self.child.stop(signal.SIGTERM)
