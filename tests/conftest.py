"""Shared fixtures: an isolated home folder, the real CLI in a subprocess, a paper manager."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from brokerplex.manager import BrokerManager

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
def paper(home: Path) -> Iterator[BrokerManager]:
    """A manager with one activated paper account, ``p1``."""
    with BrokerManager(home) as manager:
        manager.activate("paper", "p1")
        yield manager


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
