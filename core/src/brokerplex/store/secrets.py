"""Secrets at rest: broker settings' secrets, broker session tokens and TOTP seeds are Fernet tokens
(AES-128-CBC + HMAC-SHA256) in the database; the key never is.

The key comes from ``BROKERPLEX_SECRET_KEY`` (what several machines sharing one PostgreSQL set), else from
``secret.key`` in the home folder, created 0600 on first use.
"""

from __future__ import annotations

import json
import os
import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brokerplex.errors import BrokerplexError
from brokerplex.storage import write_private

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

ENV_SECRET_KEY = "BROKERPLEX_SECRET_KEY"
KEY_FILE = "secret.key"


class SecretKeyError(BrokerplexError):
    """The secret key is missing, malformed, or not the one the stored secrets were written with."""


class Cipher:
    """Encrypts JSON objects for the store; the key is read on first use (no cryptography import before)."""

    def __init__(self, home: Path) -> None:
        self._file = home / KEY_FILE

    def __repr__(self) -> str:
        return f"Cipher(key from {self._origin})"  # never the key

    @property
    def _origin(self) -> str:
        return f"${ENV_SECRET_KEY}" if os.environ.get(ENV_SECRET_KEY) else str(self._file)

    @cached_property
    def _fernet(self) -> Fernet:
        from cryptography.fernet import Fernet

        key = os.environ.get(ENV_SECRET_KEY, "").encode() or self._key_file()
        try:
            return Fernet(key)
        except ValueError:
            raise SecretKeyError(f"the secret key in {self._origin} is not a Fernet key (32 url-safe base64 "
                                 "bytes); make one with: python -c 'from cryptography.fernet import Fernet; "
                                 "print(Fernet.generate_key().decode())'") from None

    def _key_file(self) -> bytes:
        from cryptography.fernet import Fernet

        try:
            return self._file.read_bytes().strip()
        except FileNotFoundError:
            pass
        # Written aside, then linked into place: linking fails if another process made the key first, and
        # nobody ever reads a half-written key.
        spare = self._file.with_name(f".{KEY_FILE}.{os.getpid()}.{threading.get_ident()}.tmp")
        write_private(spare, Fernet.generate_key() + b"\n")
        try:
            os.link(spare, self._file)
        except FileExistsError:
            pass
        finally:
            spare.unlink()
        return self._file.read_bytes().strip()

    def seal(self, data: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(data, sort_keys=True).encode()).decode()

    def open(self, token: str, what: str) -> dict[str, Any]:
        """The object sealed in ``token``; SecretKeyError naming ``what`` if this key cannot open it."""
        from cryptography.fernet import InvalidToken

        try:
            data = json.loads(self._fernet.decrypt(token.encode()))
        except (InvalidToken, ValueError):
            raise SecretKeyError(f"{what} cannot be decrypted with the secret key in {self._origin}: use the key "
                                 "they were stored with") from None
        if not isinstance(data, dict):
            raise SecretKeyError(f"{what} is not an object once decrypted")
        return data
