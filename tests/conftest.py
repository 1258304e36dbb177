"""Shared fixtures: an isolated home folder, the real CLI in a subprocess, a paper manager."""

from __future__ import annotations

import os
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
