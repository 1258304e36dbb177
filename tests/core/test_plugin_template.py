"""``brokerplex plugin new`` writes a plugin that installs, is listed, is ruff- and mypy-clean, and passes its own
tests — the whole conformance kit against its simulator — in a scratch environment, with no network."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

if TYPE_CHECKING:
    from tests.conftest import Cli

BIN = Path(sys.executable).parent
#: This environment's packages (brokerplex, its plugins, pytest, hatchling), which the scratch one sees.
SITE_PACKAGES = sysconfig.get_paths()["purelib"]


def run(*args: str | Path, cwd: Path | None = None, timeout: float = 120,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(arg) for arg in args], capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          env=env)


def generate(cli: Cli, name: str, where: Path) -> Path:
    done = cli("plugin", "new", name, "--dir", str(where))
    assert done.returncode == 0, done.stderr
    plugin = where / f"brokerplex-{name.replace('_', '-')}"
    assert str(plugin) in done.stdout
    return plugin


@pytest.fixture
def scratch_python(tmp_path: Path) -> Path:
    """A new virtual environment that sees this one's packages through a .pth line, so pip installs only the
    plugin (``addsitedir`` also runs this environment's own .pth files: its editable installs)."""
    venv = tmp_path / "scratch-venv"
    assert run(sys.executable, "-m", "venv", "--without-pip", venv).returncode == 0
    python = venv / "bin" / "python"
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    Path(site, "_brokerplex_repo.pth").write_text(f"import site; site.addsitedir({SITE_PACKAGES!r})\n")
    return python


def test_a_generated_plugin_installs_is_listed_and_passes_the_kit(
    cli: Cli, home: Path, tmp_path: Path, scratch_python: Path
) -> None:
    plugin = generate(cli, "newbroker", tmp_path)
    # A child pytest must not think it is one of this run's xdist workers.
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PYTEST_", "PYTHONPATH"))}
    env |= {"BROKERPLEX_HOME": str(home), "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    installed = run(scratch_python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                    "-e", plugin, env=env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    listed = run(scratch_python, BIN / "brokerplex", "brokers", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    mine = [broker for broker in json.loads(listed.stdout) if broker["name"] == "newbroker"]
    assert [broker["distribution"] for broker in mine] == ["brokerplex-newbroker"]
    assert run(BIN / "brokerplex", "brokers", env=env).stdout.count("newbroker") == 0, "installed outside scratch"

    with subprocess.Popen([scratch_python, BIN / "brokerplex", "sim", "newbroker"], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, env=env) as served:
        try:
            assert served.stdout is not None
            first = json.loads(served.stdout.readline())  # `brokerplex sim newbroker` announces itself, then serves
            login = httpx.post(f"{first['root']}/session", json=first["settings"], timeout=10).json()
            assert login["status"] == "ok", login
        finally:
            served.terminate()
    assert served.returncode == 0, "the simulator stops with status 0 on SIGTERM"

    tested = run(scratch_python, "-m", "pytest", "-q", "-rs", cwd=plugin, env=env, timeout=600)
    report = tested.stdout + tested.stderr
    assert tested.returncode == 0, report[-4000:]
    summary = re.search(r"(\d+) passed", report)
    assert summary is not None
    assert int(summary.group(1)) >= 25, report[-2000:]
    # The template does not stream and declares no native trader operation; every other check (the venue's
    # faults, the emulated operations) must have run.
    skips = [line for line in report.splitlines() if line.startswith("SKIPPED")]
    assert all("streams" in line or "operations.py" in line for line in skips), skips
    assert len([line for line in skips if "operations.py" in line]) <= 3, skips  # convert, gtt, candles


def test_the_generated_code_is_ruff_and_mypy_strict_clean(cli: Cli, tmp_path: Path) -> None:
    """With the longest name allowed, so that no substituted line outgrows the line length."""
    plugin = generate(cli, "a_name_of_twenty_chr", tmp_path)
    files = [path for path in plugin.rglob("*") if path.is_file()]
    assert not [path for path in files if "{{" in path.read_text()], "a template marker was left unsubstituted"
    assert not [path for path in files if len(path.read_text().splitlines()) > 500]
    linted = run(BIN / "ruff", "check", "--no-cache", ".", cwd=plugin)
    assert linted.returncode == 0, linted.stdout
    typed = run(BIN / "mypy", "--cache-dir", tmp_path / "mypy-cache", cwd=plugin, timeout=300)
    assert typed.returncode == 0, typed.stdout


@pytest.mark.parametrize("name", [
    "Acme", "1acme", "acme-pro", "a", "a_name_of_twentyone_x", "class", "acme_", "paper", "zerodha",
])
def test_a_name_that_cannot_be_a_new_plugin_exits_2_with_one_line(cli: Cli, tmp_path: Path, name: str) -> None:
    done = cli("plugin", "new", name, "--dir", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert not list(tmp_path.iterdir()), "nothing is written for a refused name"


def test_an_existing_folder_is_never_overwritten(cli: Cli, tmp_path: Path) -> None:
    generate(cli, "acme", tmp_path)
    again = cli("plugin", "new", "acme", "--dir", str(tmp_path))
    assert again.returncode == 2
    assert "exists" in again.stderr
    assert len(again.stderr.splitlines()) == 1
