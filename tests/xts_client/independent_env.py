"""A Python 3.12 venv with the third-party ``xts-api-client`` 0.1.26, to prove the simulator against it.

xts-api-client needs Python >= 3.12 and an Engine.IO 3 socket.io fork, so it cannot live in the
project's venv. ``python_with_xts_api_client()`` builds ``<repo>/.venv-xts-api-client/`` once
(a stamp file records the finished install) and returns its interpreter, or None when no
Python 3.12 is found on this machine.

Run as a script to build it ahead of the tests: ``python tests/xts_client/independent_env.py``.
"""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = "xts-api-client==0.1.26"
REPO = Path(__file__).resolve().parents[2]
VENV = REPO / ".venv-xts-api-client"
STAMP = VENV / ".installed"


def find_python312() -> str | None:
    """``python3.12`` on PATH, else a pyenv 3.12 install."""
    candidates = [shutil.which("python3.12")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")), reverse=True)
    for candidate in candidates:
        if candidate and _works(candidate):
            return candidate
    return None


def _works(python: str) -> bool:
    try:
        probe = subprocess.run([python, "-c", "import sys, venv; print(sys.version_info[:2])"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0 and probe.stdout.strip() == "(3, 12)"


def python_with_xts_api_client() -> Path | None:
    """The venv's interpreter with xts-api-client installed; None when there is no Python 3.12."""
    python = VENV / "bin" / "python"
    if _ready(python):
        return python
    base = find_python312()
    if base is None:
        return None
    # Test workers and the benchmark may all arrive here at once on a fresh clone: one builds,
    # the others wait for it on the lock and then find the venv ready.
    with open(REPO / ".venv-xts-api-client.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _ready(python):
            if VENV.exists():
                shutil.rmtree(VENV)  # a half-built venv from an interrupted run
            subprocess.run([base, "-m", "venv", str(VENV)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PACKAGE],
                           check=True)
            STAMP.write_text(PACKAGE + "\n")
    return python


def _ready(python: Path) -> bool:
    return STAMP.exists() and STAMP.read_text().strip() == PACKAGE and python.exists()


if __name__ == "__main__":
    found = python_with_xts_api_client()
    print(found if found else "no Python 3.12 found")
    sys.exit(0 if found else 1)
