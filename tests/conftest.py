"""Shared fixtures: an isolated home folder, the real CLI in a subprocess, a paper manager."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from brokerplex.manager import BrokerManager

if TYPE_CHECKING:
    from processes import Child

BIN = Path(sys.executable).parent


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("BROKERPLEX_HOME", str(folder))
    return folder


class Cli:
    """Runs the installed ``brokerplex`` script in a child process, as a user would."""

    def __init__(self, home: Path) -> None:
        self.env = {**os.environ, "BROKERPLEX_HOME": str(home), "COLUMNS": "200"}

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None,
                 ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "brokerplex"), *args], capture_output=True, text=True, timeout=120, input=input,
            env={**self.env, **(env or {})},
        )


@pytest.fixture
def cli(home: Path) -> Cli:
    return Cli(home)


@pytest.fixture
def demo(cli: Cli) -> Cli:
    """The CLI with a paper account ``demo`` activated."""
    result = cli("activate", "paper", "demo")
    assert result.returncode == 0, result.stderr
    return cli


@pytest.fixture
def paper(home: Path) -> Iterator[BrokerManager]:
    """A manager with one activated paper account, ``p1``."""
    with BrokerManager(home) as manager:
        manager.activate("paper", "p1")
        yield manager


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server for this test session (one per xdist worker), on a unix socket."""
    from servers import redis_server

    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def bus_url(redis_url: str) -> str:
    """The session's redis-server, emptied: no key of an earlier test (paper order ids repeat per home, and
    the bus deduplicates order events by fingerprint)."""
    import redis

    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    return redis_url


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL for this test session (one per xdist worker), on a unix socket only: the URL of its
    database ``brokerplex`` (tests/servers.py)."""
    from servers import postgres_server

    with postgres_server(tmp_path_factory.mktemp("postgres")) as url:
        yield url


@pytest.fixture
def fresh_postgres_url(postgres_url: str) -> Iterator[str]:
    """A new empty database on the session's PostgreSQL, dropped after the test: its URL."""
    from servers import postgres_database

    with postgres_database(postgres_url) as url:
        yield url


@pytest.fixture
def children() -> Iterator[Callable[..., Child]]:
    """``children(*args, env=…)`` starts ``brokerplex ARGS…`` (tests/processes.py); whatever still runs after
    the test is killed."""
    from processes import Child

    started: list[Child] = []

    def start(*args: str, env: dict[str, str]) -> Child:
        started.append(Child(*args, env=env))
        return started[-1]

    yield start
    for child in started:
        child.stop()


@pytest.fixture
def acme_site(tmp_path: Path) -> Path:
    """A third-party broker installed as pip would leave it for discovery: a module and its
    dist-info with a ``brokerplex`` entry point. Put the folder on PYTHONPATH to use it."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(Path(__file__).parent / "core" / "plugins" / "brokerplex_acme.py", site)
    info = site / "brokerplex_acme-0.3.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: brokerplex-acme\nVersion: 0.3.1\n")
    (info / "entry_points.txt").write_text("[brokerplex]\nacme = brokerplex_acme\n")
    return site


MUTANT_TEST = "tests/mutation/test_mutants.py::test_the_kit_kills"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The mutation test's outcome: which check killed each planted bug, and the kill ratio."""
    reports = [report for kind in ("passed", "failed") for report in terminalreporter.stats.get(kind, [])
               if getattr(report, "when", "") == "call" and MUTANT_TEST in report.nodeid]
    if not reports:
        return
    terminalreporter.section("mutation test: bugs planted in plugins, and the kit check that failed on each")
    for report in sorted(reports, key=lambda r: r.nodeid):
        verdict = dict(report.user_properties).get("killed_by", "SURVIVED")
        terminalreporter.write_line(f"{report.nodeid.split('[')[-1].rstrip(']'):<32} {verdict}")
    killed = sum(1 for report in reports if report.passed)
    terminalreporter.write_line(f"kill ratio: {killed}/{len(reports)} ({100 * killed // len(reports)}%)")
