"""Real servers the tests start for themselves (``tests/`` is on pytest's path): each on a unix socket in a
temporary folder, stopped afterwards. Nothing here is a fake."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

STARTUP_SECONDS = 10.0


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A ``redis-server`` on a unix socket in ``folder``, no persistence; its URL (``unix://…``)."""
    binary = shutil.which("redis-server")
    assert binary is not None, "redis-server is not installed: `make test` installs it (apt-get)"
    socket, log = folder / "redis.sock", folder / "redis.log"
    process = subprocess.Popen(
        [binary, "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700", "--save", "",
         "--appendonly", "no", "--dir", str(folder), "--logfile", str(log)], stdout=subprocess.DEVNULL)
    try:
        url = f"unix://{socket}"
        _wait_until_answering(url, process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_answering(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            raise AssertionError(f"redis-server exited: {log.read_text() if log.exists() else ''}")
        try:
            with redis.Redis.from_url(url) as client:
                client.ping()
                return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
