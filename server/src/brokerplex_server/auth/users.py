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
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from brokerplex.errors import InputError
from brokerplex.store import Store, now
from brokerplex.store.tables import api_keys, users, web_sessions
from brokerplex_server.auth.principal import Role, Scope

USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
KEY_PREFIX = "bpx_"
SESSION_LIFETIME = dt.timedelta(hours=12)
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    role: Role
    accounts: frozenset[str]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_user_name(name: str) -> str:
    if not USER_NAME.fullmatch(name):
        raise InputError(f"invalid user name {name!r}: use 1-64 letters, digits, '_', '.', '@' or '-'")
    return name


def check_password(password: str) -> str:
    if len(password) < 8:
        raise InputError("a password needs at least 8 characters")
    return password


class UserStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    # -- users ------------------------------------------------------------------
    def add(self, name: str, password: str, role: Role, accounts: frozenset[str] = frozenset()) -> User:
        check_user_name(name)
        hashed = _hasher.hash(check_password(password))
        with self._store.engine.begin() as connection:
            if connection.execute(sa.select(users.c.id).where(users.c.name == name)).first() is not None:
                raise InputError(f"user {name!r} exists: remove it first, or change its password (users passwd)")
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
        """The owner and scope of a live key; None for anything else."""
        if not key.startswith(KEY_PREFIX):
            return None
        prefix = key[len(KEY_PREFIX):].partition("_")[0]
        query = (sa.select(api_keys.c.key_hash, api_keys.c.scope, users)
                 .join(users, users.c.id == api_keys.c.user_id)
                 .where(api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None)))
        with self._store.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None or not hmac.compare_digest(row.key_hash, _digest(key)):
            return None
        return _user(row), Scope(row.scope)

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
        query = (sa.select(web_sessions.c.csrf_token, web_sessions.c.expires_at, users)
                 .join(users, users.c.id == web_sessions.c.user_id)
                 .where(web_sessions.c.id_hash == _digest(cookie)))
        with self._store.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None or row.expires_at <= now():
            return None
        return _user(row), str(row.csrf_token)

    def end_session(self, cookie: str) -> None:
        with self._store.engine.begin() as connection:
            connection.execute(web_sessions.delete().where(web_sessions.c.id_hash == _digest(cookie)))


def _user(row: sa.Row[object]) -> User:
    mapping = row._mapping
    return User(int(mapping[users.c.id]), str(mapping[users.c.name]), Role(mapping[users.c.role]),
                frozenset(json.loads(str(mapping[users.c.accounts]))))


_UNKNOWN_USER_HASH = _hasher.hash(secrets.token_urlsafe(16))
