"""Activated accounts: name → broker and validated settings, in the store (secrets sealed)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from pydantic import SecretStr, ValidationError

from brokerplex.broker import BrokerSettings, settings_fields
from brokerplex.errors import SettingsError, UnknownAccountError
from brokerplex.store.tables import accounts
from brokerplex.validation import describe

if TYPE_CHECKING:
    from brokerplex.store import Store

ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")


@dataclass(frozen=True, slots=True)
class Account:
    name: str
    broker: str
    settings: BrokerSettings  # secrets stay SecretStr: masked in repr and dumps

    def public_settings(self) -> dict[str, Any]:
        """Settings safe to show: secrets masked."""
        return self.settings.model_dump(mode="json")


def check_account_name(name: str) -> str:
    if not ACCOUNT_NAME.fullmatch(name):
        raise SettingsError(f"invalid account name {name!r}: use 1-32 letters, digits, '_', '-' or '.'")
    return name


def secret_from_env(account: str, broker: str, field: str) -> str | None:
    """``BROKERPLEX_<ACCOUNT>_<FIELD>`` first, then ``BROKERPLEX_<BROKER>_<FIELD>``."""
    import os

    for scope in (account, broker):
        value = os.environ.get(f"BROKERPLEX_{re.sub(r'[^A-Za-z0-9]', '_', scope).upper()}_{field.upper()}")
        if value:
            return value
    return None


def build_settings(
    model: type[BrokerSettings],
    options: Mapping[str, str],
    *,
    account: str,
    broker: str,
    prompt_secret: Callable[[str], str] | None = None,
) -> BrokerSettings:
    """Validate ``-o KEY=VALUE`` options; missing secrets come from the environment or a prompt."""
    described = settings_fields(model)
    unknown = sorted(set(options) - set(described))
    if unknown:
        known = ", ".join(described) or "none"
        raise SettingsError(f"unknown setting {unknown[0]!r} for broker {broker!r}; settings: {known}")
    values: dict[str, Any] = dict(options)
    for name, info in described.items():
        if info["secret"] and not values.get(name):
            secret = secret_from_env(account, broker, name)
            if secret is None and info["required"] and prompt_secret is not None:
                secret = prompt_secret(name)
            if secret:
                values[name] = secret
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise SettingsError(f"{broker} settings: {describe(exc)}") from None


def _split(settings: BrokerSettings) -> tuple[dict[str, Any], dict[str, Any]]:
    """(settings that are not secret, secret settings in clear) of validated settings."""
    public = settings.model_dump(mode="json")
    secret = {name: value.get_secret_value() for name in type(settings).model_fields
              if isinstance(value := getattr(settings, name), SecretStr)}
    return {name: value for name, value in public.items() if name not in secret}, secret


def split_secrets(broker: str, settings: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """:func:`_split` of stored settings by the broker's model; all of them secret if its plugin is not here."""
    from brokerplex.errors import BrokerplexError
    from brokerplex.plugins import get_broker

    try:
        described = settings_fields(get_broker(broker).spec.load().settings_model)
    except BrokerplexError:
        return {}, dict(settings)
    secret = {name for name, info in described.items() if info["secret"]}
    return ({name: value for name, value in settings.items() if name not in secret},
            {name: value for name, value in settings.items() if name in secret})


class AccountStore:
    """Accounts in the store: settings in the clear, secret settings sealed with the store's key."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def raw(self) -> dict[str, dict[str, Any]]:
        """Every account: its broker and settings (secrets in clear: for the manager's use only)."""
        with self._store.engine.connect() as connection:
            rows = connection.execute(sa.select(accounts).order_by(accounts.c.name)).all()
        return {row.name: self._entry(row) for row in rows}

    def names(self) -> list[str]:
        with self._store.engine.connect() as connection:
            return list(connection.execute(sa.select(accounts.c.name).order_by(accounts.c.name)).scalars())

    def get_raw(self, name: str) -> dict[str, Any]:
        """The stored entry of account ``name``: its broker and settings."""
        with self._store.engine.connect() as connection:
            row = connection.execute(sa.select(accounts).where(accounts.c.name == name)).first()
        if row is None:
            known = ", ".join(self.names()) or "none yet (brokerplex activate BROKER NAME)"
            raise UnknownAccountError(f"no account named {name!r}; accounts: {known}")
        return self._entry(row)

    def _entry(self, row: sa.Row[Any]) -> dict[str, Any]:
        settings = json.loads(row.settings)
        if row.secrets is not None:
            settings |= self._store.cipher.open(row.secrets, f"the secret settings of account {row.name!r}")
        return {"broker": row.broker, "settings": settings}

    def save(self, account: Account) -> None:
        """Add the account, or replace its settings (its session stays: the broker checks it still fits)."""
        from brokerplex.store import now

        public, secret = _split(account.settings)
        values = {"broker": account.broker, "settings": json.dumps(public),
                  "secrets": self._store.cipher.seal(secret) if secret else None, "updated_at": now()}
        with self._store.engine.begin() as connection:
            if not connection.execute(accounts.update().where(accounts.c.name == account.name).values(**values)
                                      ).rowcount:
                connection.execute(accounts.insert().values(name=account.name, created_at=now(), **values))

    def remove(self, name: str) -> None:
        with self._store.engine.begin() as connection:
            if not connection.execute(accounts.delete().where(accounts.c.name == name)).rowcount:
                self.get_raw(name)  # the error that names the known accounts
