"""Activated accounts: name → broker and validated settings, in a 0600 file."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr, ValidationError

from brokerplex.broker import BrokerSettings, settings_fields
from brokerplex.errors import SettingsError, UnknownAccountError
from brokerplex.storage import DamagedFileError, PrivateJSON
from brokerplex.validation import describe

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


def _dump(settings: BrokerSettings) -> dict[str, Any]:
    data = settings.model_dump(mode="json")
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            data[name] = value.get_secret_value()
    return data


class AccountStore:
    """``accounts.json`` under the home folder; readable by the owner only.

    A damaged file is reported by name with the way out; activating an account then keeps the
    damaged copy aside and starts a new file. One malformed entry spoils only its own account.
    """

    _lock = threading.Lock()  # read-modify-write of the file must not interleave between threads

    def __init__(self, home: Path) -> None:
        self._file = PrivateJSON(home / "accounts.json", remedy=(
            "fix it, or activate an account again (brokerplex activate BROKER NAME): the damaged file is then "
            "kept beside the new one as accounts.json.damaged-<time>"))

    @property
    def path(self) -> Path:
        return self._file.path

    def raw(self) -> dict[str, dict[str, Any]]:
        return self._file.load()

    def names(self) -> list[str]:
        return sorted(self.raw())

    def get_raw(self, name: str) -> dict[str, Any]:
        """The stored entry of account ``name``: its broker and settings."""
        accounts = self.raw()
        entry = accounts.get(name)
        if entry is None:
            known = ", ".join(sorted(accounts)) or "none yet (brokerplex activate BROKER NAME)"
            raise UnknownAccountError(f"no account named {name!r}; accounts: {known}")
        if not (isinstance(entry, dict) and isinstance(entry.get("broker"), str)
                and isinstance(entry.get("settings", {}), dict)):
            raise DamagedFileError(f"account {name!r} in {self.path} is malformed (no broker, or settings that are "
                                   f"not an object); activate it again: brokerplex activate BROKER {name} --replace",
                                   path=self.path)
        return entry

    def save(self, account: Account) -> None:
        with self._lock:
            try:
                data = self.raw()
            except DamagedFileError:
                data = {}  # the damaged file is kept aside by the write below, never overwritten
            data[account.name] = {"broker": account.broker, "settings": _dump(account.settings)}
            self._file.save(data)

    def remove(self, name: str) -> None:
        with self._lock:
            data = self.raw()
            if name not in data:
                self.get_raw(name)  # the error that names the known accounts
            del data[name]
            self._file.save(data)
