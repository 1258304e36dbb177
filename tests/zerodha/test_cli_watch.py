"""``brokerplex watch`` as a user runs it, against a Kite simulator in its own process that is
stopped, or killed mid-watch: the state is on stderr at once, and the watch gives up in its bound."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

BIN = Path(sys.executable).parent
SECRET = "kite_sim_secret"
Line = tuple[float, str]  # when it was read (monotonic), the line


class Lines:
    """The lines of a child's pipe as they come, each with the time it was read."""

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

    def wait_for(self, wanted: Callable[[str], bool], timeout: float = 20.0) -> Line:
        deadline = time.monotonic() + timeout
        while (item := self._next(deadline)) is not None:
            if wanted(item[1]):
                return item
        raise AssertionError(f"no such line within {timeout} s; saw {[line for _, line in self.seen]}")

    def rest(self, timeout: float = 10.0) -> list[str]:
        """Every line read so far and until the pipe closes."""
        deadline = time.monotonic() + timeout
        while self._next(deadline) is not None:
            pass
        return [line for _, line in self.seen]


class Child:
    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen([str(BIN / "brokerplex"), *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=env)
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self.stdout, self.stderr = Lines(self.process.stdout), Lines(self.process.stderr)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        for lines in (self.stdout, self.stderr):
            lines.reader.join(10)  # it closes its pipe at the end


@pytest.fixture
def children() -> Iterator[Callable[..., Child]]:
    started: list[Child] = []

    def start(*args: str, env: dict[str, str]) -> Child:
        started.append(Child(*args, env=env))
        return started[-1]

    yield start
    for child in started:
        child.kill()


def request_token(login: str, api_key: str) -> str:
    """Through the simulator's login page as a browser would: the request token of its redirect."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    url = f"{login}?{urllib.parse.urlencode({'api_key': api_key, 'v': '3'})}"
    try:
        urllib.request.build_opener(NoRedirect).open(url, timeout=10)
    except urllib.error.HTTPError as redirect:
        location = redirect.headers["Location"]
    else:
        raise AssertionError("the login page did not redirect")
    return urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["request_token"][0]


@pytest.fixture
def simulator(cli: Any, children: Callable[..., Child]) -> Child:
    """``brokerplex sim zerodha`` in its own process, with ``z1`` activated, logged in and its
    instruments cached (a watch of one tick)."""
    sim = children("sim", "zerodha", "--port", "0", env=cli.env)
    urls = json.loads(sim.stdout.wait_for(lambda line: line.startswith("{"))[1])
    options = {"api_key": "kite_sim_key", "api_secret": SECRET, "root": urls["rest"], "ws_root": urls["ws"],
               "login_url": urls["login"]}
    for args in (["activate", "zerodha", "z1", *(f"-o{key}={value}" for key, value in options.items())],
                 ["login", "z1", "--request-token", request_token(urls["login"], "kite_sim_key")]):
        assert cli(*args).returncode == 0
    first = cli("watch", "z1", "NSE:INFY", "--count", "1")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("NSE:INFY  ")
    assert first.stderr.splitlines() == ["z1: connecting", "z1: live"]
    return sim


def test_watch_with_the_broker_down_says_so_at_once_and_gives_up_in_its_bound(
        cli: Any, simulator: Child, children: Callable[..., Child]) -> None:
    simulator.kill()
    started = time.monotonic()
    watch = children("watch", "z1", "NSE:INFY", "--give-up", "3", env=cli.env)
    connecting = watch.stderr.wait_for(lambda line: line == "z1: connecting")
    lost = watch.stderr.wait_for(lambda line: line.startswith("z1: reconnecting in "))
    assert lost[0] - connecting[0] < 3
    assert lost[1].endswith("(attempt 1): cannot reach the ticker: Connection refused")
    assert watch.process.wait(20) == 1
    ended = time.monotonic() - started
    lines = watch.stderr.rest()
    assert lines[-1] == "error: z1 could not be reached for 3 s (cannot reach the ticker: Connection refused)"
    assert all(line.startswith("z1: reconnecting in ") for line in lines[1:-1])
    assert watch.stdout.rest() == []
    assert 3 < ended < 3 + 12  # its bound, plus the start of a Python process on a loaded machine


def test_a_broker_killed_mid_watch_is_reported_at_once_and_the_watch_gives_up(
        cli: Any, simulator: Child, children: Callable[..., Child]) -> None:
    watch = children("watch", "z1", "NSE:INFY", "NSE:RELIANCE", "--give-up", "4", env=cli.env)
    watch.stderr.wait_for(lambda line: line == "z1: live")
    for _ in range(3):
        watch.stdout.wait_for(lambda line: line.startswith(("NSE:INFY  ", "NSE:RELIANCE  ")))
    simulator.kill()
    killed = time.monotonic()
    said, line = watch.stderr.wait_for(lambda line: line.startswith("z1: reconnecting in "))
    assert said - killed < 3  # not the last price left on screen without a word
    assert "(attempt 1): the ticker closed the connection" in line
    assert watch.process.wait(20) == 1
    assert time.monotonic() - killed < 4 + 6
    assert watch.stderr.rest()[-1] == (
        "error: z1 could not be reached for 4 s (cannot reach the ticker: Connection refused)")
