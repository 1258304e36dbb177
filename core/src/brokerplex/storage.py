"""Where state lives (``BROKERPLEX_HOME``) and how private files are written.

Files that hold secrets are created 0600 and replaced atomically, so a crash never
leaves half a credentials file and no other user can read one.

A state file that cannot be read is never overwritten silently: reading it raises
:class:`StateFileError` naming the file and what to do, and writing a new one first
keeps the damaged copy beside it as ``<name>.damaged-<time>`` (and logs that it did).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from brokerplex.errors import BrokerplexError, InputError
from brokerplex.payloads import parse_json

ENV_HOME = "BROKERPLEX_HOME"
log = logging.getLogger(__name__)


class StateFileError(BrokerplexError):
    """A file under the home folder that cannot be used as it is; the message names it and says what to do."""

    def __init__(self, message: str, *, path: Path) -> None:
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


def set_aside(path: Path) -> Path:
    """Move a damaged file out of the way, kept beside it as ``<name>.damaged-<time>``; says so in the log."""
    stamp = dt.datetime.now().astimezone().strftime("%Y%m%dT%H%M%S")
    kept = path.with_name(f"{path.name}.damaged-{stamp}")
    serial = 1
    while kept.exists():
        serial += 1
        kept = path.with_name(f"{path.name}.damaged-{stamp}-{serial}")
    os.replace(path, kept)
    log.warning("%s could not be read: it is kept as %s and a new one is started", path, kept.name)
    return kept


class PrivateJSON:
    """A small JSON object in a 0600 file. ``remedy`` tells a person what to do when it is damaged."""

    _lock = threading.Lock()  # one lock for all: these files are tiny and rarely written

    def __init__(self, path: Path, *, remedy: str = "") -> None:
        self.path = path
        self.remedy = remedy or "fix it, or move it away (a new one is started when it is next written)"

    def __repr__(self) -> str:
        return f"PrivateJSON({str(self.path)!r})"  # never the contents

    def load(self) -> dict[str, Any]:
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StateFileError(f"cannot read {self.path}: {exc.strerror or exc}", path=self.path) from None
        try:
            data = parse_json(text)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            reason = f"not JSON: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else "not JSON text"
            raise self.damaged(reason) from None
        if not isinstance(data, dict):
            raise self.damaged(f"a JSON {type(data).__name__}, not an object")
        return data

    def damaged(self, reason: str) -> DamagedFileError:
        return DamagedFileError(f"{self.path} is damaged ({reason}); {self.remedy}", path=self.path)

    def save(self, data: dict[str, Any]) -> None:
        """Replace the file with ``data``; a damaged file there is kept aside first, never overwritten."""
        with self._lock:
            try:
                self.load()
            except DamagedFileError:
                set_aside(self.path)
            except StateFileError:
                pass  # unreadable for a reason writing reports better (no folder, no permission)
            try:
                write_private(self.path, json.dumps(data, indent=2, sort_keys=True).encode())
            except OSError as exc:
                raise StateFileError(f"cannot write {self.path}: {exc.strerror or exc}", path=self.path) from None

    def clear(self) -> None:
        with self._lock:
            self.path.unlink(missing_ok=True)
