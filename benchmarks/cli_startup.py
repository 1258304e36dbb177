"""`brokerplex brokers` (every plugin installed) against `python -c "import pluggy, click"`.

Goal: at most 3x the baseline's wall time, i.e. ratio >= 0.33.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from _harness import arguments, interleaved, judge_ratio, report, time_command

BIN = Path(sys.executable).parent


def main() -> None:
    args = arguments(__doc__ or "", runs=30)
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "BROKERPLEX_HOME": home}
        ours, baseline = interleaved(
            lambda: time_command([str(BIN / "brokerplex"), "brokers"], env),
            lambda: time_command([sys.executable, "-c", "import pluggy, click"], env),
            args.runs,
        )
    report("cli_startup", ours, baseline, "s", args.json, "goal: ratio >= 0.33, at most 3x the baseline")
    judge_ratio("cli_startup", ours, baseline, 0.33, args.json)


if __name__ == "__main__":
    main()
