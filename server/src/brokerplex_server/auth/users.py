"""Users, their API keys and browser sessions, in the store's ``users``, ``api_keys`` and ``web_sessions``.

Passwords are argon2 hashes; an API key is shown once and kept as a SHA-256 hash (the key itself has 256
random bits, so a fast hash is enough); a session cookie is kept as a hash too, so that reading the
database gives no way in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from brokerplex.errors import InputError
from brokerplex.store import Store, now
from brokerplex.store.tables import accounts as account_table
from brokerplex.store.tables import api_keys, users, web_sessions
from brokerplex_server.auth.principal import Role, Scope

USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
KEY_PREFIX = "bpx_"
SESSION_LIFETIME = dt.timedelta(hours=12)
KEY_USE_RESOLUTION = dt.timedelta(minutes=1)  # a key's last use is written at most this often
#: How long a worker trusts a key it has checked: looking it up on every request took 0.2 ms of a busy
#: worker's order (benchmarks/api_order_overhead.py). A key revoked or a user removed by another process
#: (the CLI, another worker) is refused within this time; by the worker that did it, at once.
KEY_TRUST_SECONDS = 1.0
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: Role
    accounts: frozenset[str]


class KeyView(BaseModel):
    """An API key as lists show it: never the key, never its hash."""

    prefix: str
    scope: Scope
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class UserView(BaseModel):
    """A user as ``users list`` and ``GET /users`` show it: never a password hash."""

    name: str
    role: Role
    accounts: list[str]
    created_at: dt.datetime
    keys: list[KeyView]
    totp: bool  # whether signing in asks for a TOTP code (never the seed)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def key_prefix(key: str) -> str:
    """The part of a key that lists show and that finds its row: ``bpx_<prefix>_<secret>``."""
    return key.removeprefix(KEY_PREFIX).partition("_")[0]


def check_user_name(name: str) -> str:
    if not USER_NAME.fullmatch(name):
        raise InputError(f"invalid user name {name!r}: use 1-64 letters, digits, '_', '.', '@' or '-'")
    return name


def check_password(password: str) -> str:
    if len(password) < 8:
        raise InputError("a password needs at least 8 characters")
    return password


# Built once: every request looks its caller up, and building the statement cost more than running it.
_KEY_OWNER = (sa.select(api_keys.c.key_hash, api_keys.c.scope, api_keys.c.last_used_at, users)
              .join(users, users.c.id == api_keys.c.user_id)
              .where(api_keys.c.prefix == sa.bindparam("prefix"), api_keys.c.revoked_at.is_(None)))
_SESSION_OWNER = (sa.select(web_sessions.c.csrf_token, web_sessions.c.expires_at, users)
                  .join(users, users.c.id == web_sessions.c.user_id)
                  .where(web_sessions.c.id_hash == sa.bindparam("id_hash")))


class UserStore:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._trusted: dict[str, tuple[float, User, Scope]] = {}  # key digest: (checked at, owner, scope)

    # -- users ------------------------------------------------------------------
    def add(self, name: str, password: str, role: Role, accounts: frozenset[str] = frozenset()) -> User:
        check_user_name(name)
        hashed = _hasher.hash(check_password(password))
        with self._store.engine.begin() as connection:
            if connection.execute(sa.select(users.c.id).where(users.c.name == name)).first() is not None:
                raise InputError(f"user {name!r} exists: remove it first, or change its password (users passwd)")
            _check_grants(connection, role, accounts)
            row_id = connection.execute(users.insert().values(
                name=name, password_hash=hashed, role=role.value, accounts=json.dumps(sorted(accounts)),
                created_at=now(), password_changed_at=now())).inserted_primary_key
        assert row_id is not None
        return User(int(row_id[0]), name, role, accounts)

    def get(self, name: str) -> User | None:
        with self._store.engine.connect() as connection:
            row = connection.execute(sa.select(users).where(users.c.name == name)).first()
        return None if row is None else _user(row)

    def by_id(self, user_id: int) -> User | None:
        with self._store.engine.connect() as connection:
            row = connection.execute(sa.select(users).where(users.c.id == user_id)).first()
        return None if row is None else _user(row)

    def known(self, name: str) -> User:
        """The user ``name``, or InputError naming the way to see who exists."""
        user = self.get(name)
        if user is None:
            raise InputError(f"no user {name!r} (brokerplex users list shows the users)")
        return user

    def listing(self) -> list[UserView]:
        """Every user with their keys, by name."""
        with self._store.engine.connect() as connection:
            rows = connection.execute(sa.select(users).order_by(users.c.name)).all()
            keys = connection.execute(sa.select(api_keys).order_by(api_keys.c.id)).all()
        return [UserView(name=row.name, role=Role(row.role), accounts=json.loads(row.accounts),
                         created_at=row.created_at, totp=row.totp_secret is not None,
                         keys=[KeyView(prefix=key.prefix, scope=Scope(key.scope), created_at=key.created_at,
                                       last_used_at=key.last_used_at, revoked_at=key.revoked_at)
                               for key in keys if key.user_id == row.id])
                for row in rows]

    def remove(self, name: str) -> None:
        """Remove ``name`` with their keys and sessions."""
        user = self.known(name)
        with self._store.engine.begin() as connection:
            connection.execute(web_sessions.delete().where(web_sessions.c.user_id == user.id))
            connection.execute(api_keys.delete().where(api_keys.c.user_id == user.id))
            connection.execute(users.delete().where(users.c.id == user.id))
        self._trusted.clear()

    def set_password(self, name: str, password: str) -> User:
        """A new password for ``name``; their browser sessions end (their API keys stay)."""
        user = self.known(name)
        hashed = _hasher.hash(check_password(password))
        with self._store.engine.begin() as connection:
            connection.execute(users.update().where(users.c.id == user.id)
                               .values(password_hash=hashed, password_changed_at=now()))
            connection.execute(web_sessions.delete().where(web_sessions.c.user_id == user.id))
        return user

    def verify_password(self, name: str, password: str) -> User | None:
        """The user if ``password`` is theirs (the hash is checked even for an unknown name: no timing tell)."""
        with self._store.engine.connect() as connection:
            row = connection.execute(sa.select(users).where(users.c.name == name)).first()
        stored = row.password_hash if row is not None else _UNKNOWN_USER_HASH
        try:
            _hasher.verify(stored, password)
        except VerificationError:
            return None
        return None if row is None else _user(row)

    # -- API keys ---------------------------------------------------------------
    def new_key(self, user: User, scope: Scope) -> str:
        """A new API key for ``user``: returned once, stored only as its hash."""
        prefix = secrets.token_hex(4)
        key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        with self._store.engine.begin() as connection:
            connection.execute(api_keys.insert().values(user_id=user.id, prefix=prefix, key_hash=_digest(key),
                                                        scope=scope.value, created_at=now()))
        return key

    def by_key(self, key: str) -> tuple[User, Scope] | None:
        """The owner and scope of a live key; None for anything else. Notes when the key was used."""
        if not key.startswith(KEY_PREFIX):
            return None
        digest = _digest(key)
        trusted = self._trusted.get(digest)
        if trusted is not None and time.monotonic() - trusted[0] < KEY_TRUST_SECONDS:
            return trusted[1], trusted[2]
        prefix = key_prefix(key)
        with self._store.engine.connect() as connection:
            row = connection.execute(_KEY_OWNER, {"prefix": prefix}).first()
        if row is None or not hmac.compare_digest(row.key_hash, digest):
            self._trusted.pop(digest, None)
            return None
        if row.last_used_at is None or now() - row.last_used_at >= KEY_USE_RESOLUTION:
            with self._store.engine.begin() as connection:
                connection.execute(api_keys.update().where(api_keys.c.prefix == prefix).values(last_used_at=now()))
        owner, scope = _user(row), Scope(row.scope)
        self._trusted[digest] = (time.monotonic(), owner, scope)
        return owner, scope

    def revoke_key(self, prefix: str, owner: User | None = None) -> str:
        """Revoke the live key ``prefix`` (of ``owner`` when given): the name of its owner."""
        query = (sa.select(users.c.name, api_keys.c.id).join(users, users.c.id == api_keys.c.user_id)
                 .where(api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None)))
        if owner is not None:
            query = query.where(api_keys.c.user_id == owner.id)
        with self._store.engine.begin() as connection:
            row = connection.execute(query).first()
            if row is None:
                whose = f" of {owner.name}" if owner is not None else ""
                raise InputError(f"no live API key{whose} with prefix {prefix!r} (users list shows the keys)")
            connection.execute(api_keys.update().where(api_keys.c.id == row.id).values(revoked_at=now()))
        self._trusted.clear()
        return str(row.name)

    # -- browser sessions ---------------------------------------------------------
    def new_session(self, user: User, source: str) -> tuple[str, str]:
        """(cookie value, CSRF token) of a new session."""
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self._store.engine.begin() as connection:
            connection.execute(web_sessions.insert().values(
                id_hash=_digest(cookie), user_id=user.id, csrf_token=csrf, source=source[:64], created_at=now(),
                expires_at=now() + SESSION_LIFETIME))
        return cookie, csrf

    def by_session(self, cookie: str) -> tuple[User, str] | None:
        """(user, CSRF token) of a live session cookie."""
        with self._store.engine.connect() as connection:
            row = connection.execute(_SESSION_OWNER, {"id_hash": _digest(cookie)}).first()
        if row is None or row.expires_at <= now():
            return None
        return _user(row), str(row.csrf_token)

    def end_session(self, cookie: str) -> None:
        with self._store.engine.begin() as connection:
            connection.execute(web_sessions.delete().where(web_sessions.c.id_hash == _digest(cookie)))


def _check_grants(connection: Connection, role: Role, granted: Iterable[str]) -> None:
    """Admins see every account (a grant would mean nothing); others get accounts that exist."""
    granted = sorted(granted)
    if role is Role.ADMIN and granted:
        raise InputError("an admin reads and trades every account: give no accounts to an admin")
    known = set(connection.execute(sa.select(account_table.c.name)).scalars())
    unknown = [name for name in granted if name not in known]
    if unknown:
        raise InputError(f"no account {', '.join(map(repr, unknown))} (brokerplex accounts lists them)")


def _user(row: sa.Row[object]) -> User:
    mapping = row._mapping
    return User(int(mapping[users.c.id]), str(mapping[users.c.name]), Role(mapping[users.c.role]),
                frozenset(json.loads(str(mapping[users.c.accounts]))))


_UNKNOWN_USER_HASH = _hasher.hash(secrets.token_urlsafe(16))
