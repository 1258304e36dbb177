"""``brokerplex watch`` as a user runs it, against a Kite simulator in its own process that is
stopped, or killed mid-watch: the state is on stderr at once, and the watch gives up in its bound."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from processes import Child

SECRET = "kite_sim_secret"


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
    simulator.stop()
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
    simulator.stop()
    killed = time.monotonic()
    said, line = watch.stderr.wait_for(lambda line: line.startswith("z1: reconnecting in "))
    assert said - killed < 3  # not the last price left on screen without a word
    assert "(attempt 1): the ticker closed the connection" in line
    assert watch.process.wait(20) == 1
    assert time.monotonic() - killed < 4 + 6
    assert watch.stderr.rest()[-1] == (
        "error: z1 could not be reached for 4 s (cannot reach the ticker: Connection refused)")
