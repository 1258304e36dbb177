"""Every benchmark speaks the harness's --json contract (a --smoke run; timings are not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = sorted(p for p in (Path(__file__).parents[2] / "benchmarks").glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_benchmark_prints_one_json_object(script: Path, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(script), "--json", "--runs", "2", "--smoke"], capture_output=True,
                            text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.strip().splitlines()
    report = json.loads(line)
    assert set(report) == {"name", "ours", "baseline", "unit", "ratio"}
    assert report["name"] == script.stem
    assert report["ours"] > 0
    assert report["baseline"] > 0
    assert report["ratio"] == pytest.approx(report["baseline"] / report["ours"], rel=0.01)
