"""The store's tables (SQLAlchemy Core): one schema for SQLite and PostgreSQL.

The migrations under ``migrations/versions`` create these; a test checks that the two agree.
Secret-bearing columns (``accounts.secrets``, ``broker_sessions.data``, ``users.totp_secret``) hold
Fernet tokens (:mod:`brokerplex.store.secrets`), never plain text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every database (SQLite keeps no zone: stored naive UTC, read back aware)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored: give it a zone")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

# Facts about the store itself: when an old home was imported, the check value of the secret key.
meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

accounts = Table(
    "accounts", metadata,
    Column("name", String(32), primary_key=True),
    Column("broker", String(64), nullable=False),
    Column("settings", Text, nullable=False),  # JSON of the settings that are not secret
    Column("secrets", Text),  # Fernet token of the JSON of the secret settings
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

broker_sessions = Table(
    "broker_sessions", metadata,
    Column("account", String(32), ForeignKey("accounts.name", ondelete="CASCADE"), primary_key=True),
    Column("data", Text, nullable=False),  # Fernet token of the session's JSON (tokens)
    Column("updated_at", UTCDateTime, nullable=False),
)

journal = Table(
    "journal", metadata,
    Column("client_order_id", String(64), primary_key=True),
    Column("account", String(32), nullable=False),
    Column("broker", String(64), nullable=False),
    Column("request", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("order_id", String(64)),
    Column("message", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("client", String(64)),
    Index(None, "account", "state"),
    Index(None, "account", "order_id"),
)

# Order updates and trades as the in-process hub passed them on, in arrival order (store/events.py).
order_events = Table(
    "order_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(32), nullable=False),
    Column("order_id", String(64)),
    Column("kind", String(16), nullable=False),  # order | trade
    Column("event", Text, nullable=False),  # the Order's or Trade's JSON
    Column("at", UTCDateTime, nullable=False),
    Index(None, "account", "id"),
    Index(None, "account", "order_id"),
)

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),  # argon2
    Column("role", String(16), nullable=False),  # admin | trader | viewer
    Column("accounts", Text, nullable=False),  # JSON list of granted accounts ([] for admins: all)
    Column("totp_secret", Text),  # Fernet token
    Column("created_at", UTCDateTime, nullable=False),
    Column("password_changed_at", UTCDateTime, nullable=False),
)

api_keys = Table(
    "api_keys", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("prefix", String(16), nullable=False, unique=True),  # shown in lists; finds the row
    Column("key_hash", String(128), nullable=False),  # SHA-256 of the whole key
    Column("scope", String(8), nullable=False),  # read | trade
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime),
    Column("revoked_at", UTCDateTime),
)

web_sessions = Table(
    "web_sessions", metadata,
    Column("id_hash", String(128), primary_key=True),  # SHA-256 of the cookie's value
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf_token", String(128), nullable=False),
    Column("source", String(64)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

sign_in_failures = Table(
    "sign_in_failures", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(64), nullable=False),
    Column("source", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "user_name", "at"),
    Index(None, "source", "at"),
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("user_name", String(64)),  # None: the system (the loss stop, say)
    Column("action", String(64), nullable=False),  # order.place, account.add, sign_in, …
    Column("account", String(32)),
    Column("target", String(128)),  # an order id, a user name, …
    Column("detail", Text),  # JSON, never a secret
    Column("source", String(64)),  # the caller's address, or "cli"
    Column("outcome", String(16), nullable=False),  # ok | refused | failed | unknown
)
