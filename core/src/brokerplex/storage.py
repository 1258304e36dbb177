"""Where state lives (``BROKERPLEX_HOME``) and how private files are written.

Accounts, sessions and the journal live in the store (:mod:`brokerplex.store`); the home folder keeps
the store's SQLite file and key, caches and limits. Private files are created 0600 and replaced
atomically, so a crash never leaves half a file and no other user can read one. A state file that
cannot be read raises :class:`StateFileError` naming it and what to do.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Protocol

from brokerplex.errors import BrokerplexError, InputError

ENV_HOME = "BROKERPLEX_HOME"


class StateFileError(BrokerplexError):
    """A file under the home folder that cannot be used as it is; the message names it and says what to do."""

    def __init__(self, message: str, *, path: Path | None) -> None:
        super().__init__(message)
        self.path = path


class DamagedFileError(StateFileError):
    """A state file whose content cannot be read (not JSON, not the expected shape, not a database)."""


def home_dir() -> Path:
    """``$BROKERPLEX_HOME``, else the platform's config folder for brokerplex."""
    configured = os.environ.get(ENV_HOME)
    if configured:
        return Path(configured).expanduser()
    import click  # only for its platform-aware app folder

    return Path(click.get_app_dir("brokerplex"))


def check_home(path: Path, origin: str) -> Path:
    """``path`` if it can be the state folder (a folder, or nothing yet); InputError naming ``origin`` if not."""
    if path.exists() and not path.is_dir():
        raise InputError(f"the state folder {path} (from {origin}) is a file, not a folder: give a folder")
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class SessionStorage(Protocol):
    """Where a broker keeps its session (tokens): one JSON object per account."""

    def load(self) -> dict[str, Any]:
        """The stored object; {} when there is none."""

    def save(self, data: dict[str, Any]) -> None: ...

    def clear(self) -> None: ...
