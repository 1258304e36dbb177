"""The mutation test: the generated plugin every mutant starts from (once per worker), and the kill ratio."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

#: The name the generated plugin registers; short, so that it reads well in the mutants' reports.
PLUGIN = "mutant"
MUTANT_TEST = "test_mutants.py::test_the_kit_kills"


@pytest.fixture(scope="session")
def generated_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plugin as ``brokerplex plugin new`` writes it: the copy every mutant starts from."""
    where = tmp_path_factory.mktemp("generated")
    done = subprocess.run([str(Path(sys.executable).parent / "brokerplex"), "plugin", "new", PLUGIN,
                           "--dir", str(where)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return where / f"brokerplex-{PLUGIN}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print which check killed each planted bug, and the kill ratio."""
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
