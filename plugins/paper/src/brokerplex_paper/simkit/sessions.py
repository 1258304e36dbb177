"""``SessionStore``: a simulator's tokens and what each one stands for.

Every simulator keeps its own session object (a user id, a dataclass with subscriptions, ...);
the store keeps them by token, forgets them all when sessions expire, and carries the
``refusing`` flag that ``refuse_keys`` sets and the simulator's login route checks.
"""

from __future__ import annotations

import secrets
import string
import threading
from typing import Generic, TypeVar

S = TypeVar("S")
_ALPHABET = string.ascii_letters + string.digits


def new_token(length: int = 32) -> str:
    """A fresh random token of letters and digits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


class SessionStore(Generic[S]):
    """Token → session. Thread-safe: tests expire sessions from their own thread."""

    def __init__(self) -> None:
        self._sessions: dict[str, S] = {}
        self._lock = threading.Lock()
        #: While set, the app's keys count as revoked: logins and stream upgrades are refused.
        self.refusing = False

    def __repr__(self) -> str:  # never the tokens
        return f"<SessionStore {len(self)} live{', refusing' if self.refusing else ''}>"

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def issue(self, session: S, token: str | None = None) -> str:
        """Keep ``session`` under ``token`` (a new random one if None); returns the token."""
        token = new_token() if token is None else token
        with self._lock:
            self._sessions[token] = session
        return token

    def find(self, token: str | None) -> S | None:
        """The session of ``token``; None when it was never issued, was revoked or has expired."""
        if not token:
            return None
        with self._lock:
            return self._sessions.get(token)

    def revoke(self, token: str) -> None:
        """End one session (a logout)."""
        with self._lock:
            self._sessions.pop(token, None)

    def expire_all(self) -> None:
        """End every session: each token is refused from now on."""
        with self._lock:
            self._sessions.clear()

    def values(self) -> list[S]:
        """The live sessions, now."""
        with self._lock:
            return list(self._sessions.values())
