"""The mutation test: the generated plugin every mutant starts from (once per worker). The kill ratio is
printed by the summary hook in ``tests/conftest.py`` (a hook the controlling process must see under xdist)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

#: The name the generated plugin registers; short, so that it reads well in the mutants' reports.
PLUGIN = "mutant"


@pytest.fixture(scope="session")
def generated_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plugin as ``brokerplex plugin new`` writes it: the copy every mutant starts from."""
    where = tmp_path_factory.mktemp("generated")
    done = subprocess.run([str(Path(sys.executable).parent / "brokerplex"), "plugin", "new", PLUGIN,
                           "--dir", str(where)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return where / f"brokerplex-{PLUGIN}"
