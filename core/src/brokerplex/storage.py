"""Where state lives (``BROKERPLEX_HOME``) and how private files are written.

Files that hold secrets are created 0600 and replaced atomically, so a crash never
leaves half a credentials file and no other user can read one.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

ENV_HOME = "BROKERPLEX_HOME"


def home_dir() -> Path:
    """``$BROKERPLEX_HOME``, else the platform's config folder for brokerplex."""
    configured = os.environ.get(ENV_HOME)
    if configured:
        return Path(configured).expanduser()
    import click  # only for its platform-aware app folder

    return Path(click.get_app_dir("brokerplex"))


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


class PrivateJSON:
    """A small JSON object in a 0600 file."""

    _lock = threading.Lock()  # one lock for all: these files are tiny and rarely written

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"PrivateJSON({str(self.path)!r})"  # never the contents

    def load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, data: dict[str, Any]) -> None:
        with self._lock:
            write_private(self.path, json.dumps(data, indent=2, sort_keys=True).encode())

    def clear(self) -> None:
        with self._lock:
            self.path.unlink(missing_ok=True)
