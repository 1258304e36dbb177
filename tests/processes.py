"""Commands run as a user runs them, in child processes whose output is read as it comes (``tests/`` is on
pytest's path; the ``children`` fixture of tests/conftest.py starts them and kills what is left)."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

BIN = Path(sys.executable).parent
WAIT = 20.0  # seconds an awaited line may take on a loaded machine
Line = tuple[float, str]  # when it was read (monotonic), the line
Record = dict[str, Any]


class Lines:
    """The lines of a child's pipe as they come, each with the time it was read (a thread reads them, so
    that every wait has a deadline)."""

    def __init__(self, pipe: IO[str]) -> None:
        self.seen: list[Line] = []
        self._queue: queue.Queue[Line | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self.reader.start()

    def _read(self, pipe: IO[str]) -> None:
        with pipe:
            for line in pipe:
                self._queue.put((time.monotonic(), line.rstrip("\n")))
        self._queue.put(None)

    def _next(self, deadline: float) -> Line | None:
        """The next line; None at the end of the pipe or at the deadline."""
        try:
            item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None
        if item is None:
            self._queue.put(None)  # the end, for every later read too
        else:
            self.seen.append(item)
        return item

    def wait_for(self, wanted: Callable[[str], bool], timeout: float = WAIT) -> Line:
        deadline = time.monotonic() + timeout
        while (item := self._next(deadline)) is not None:
            if wanted(item[1]):
                return item
        raise AssertionError(f"no such line within {timeout} s; saw {[line for _, line in self.seen][-20:]}")

    def rest(self, timeout: float = 10.0) -> list[str]:
        """Every line read so far and until the pipe closes."""
        deadline = time.monotonic() + timeout
        while self._next(deadline) is not None:
            pass
        return [line for _, line in self.seen]


class Child:
    """``brokerplex ARGS…`` in a child process."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen([str(BIN / "brokerplex"), *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=env)
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self.stdout, self.stderr = Lines(self.process.stdout), Lines(self.process.stderr)

    def record(self, wanted: Callable[[Record], bool]) -> Record:
        """The next JSON line of stdout that is ``wanted``."""
        _, line = self.stdout.wait_for(lambda line: line.startswith("{") and wanted(json.loads(line)))
        return dict(json.loads(line))

    def records(self) -> list[Record]:
        """Every JSON line of stdout read so far."""
        return [json.loads(line) for _, line in self.stdout.seen if line.startswith("{")]

    def stop(self, signum: int = signal.SIGKILL) -> int:
        """Send ``signum`` (unless it ended), wait for the end and its output; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        code = self.process.wait(WAIT)
        for lines in (self.stdout, self.stderr):
            lines.reader.join(WAIT)  # it closes its pipe at the end
        return code
