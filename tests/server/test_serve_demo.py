"""``brokerplex serve --demo`` refuses what would not be a demo (tests/console/test_demo.py drives one in the
browser: its admin's password, its accounts, its end)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from processes import Child


def test_the_demo_is_one_process_on_its_own_home(tmp_path: Path) -> None:
    env = {**os.environ, "BROKERPLEX_HOME": str(tmp_path / "home")}
    refused = Child("serve", "--demo", "--workers", "2", "--port", "0", env=env)
    assert refused.stop(signal.SIGCONT) != 0  # SIGCONT: nothing; it ends by itself
    assert "--demo runs one process" in "\n".join(refused.stderr.rest())
