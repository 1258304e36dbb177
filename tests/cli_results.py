"""What a test asks of a finished ``brokerplex`` command (``tests/`` is on the path: import it by name)."""

from __future__ import annotations

import json
import subprocess
from typing import Any


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """The command succeeded; its result."""
    assert result.returncode == 0, (result.stdout, result.stderr)
    return result


def data(result: subprocess.CompletedProcess[str]) -> Any:
    """The command succeeded; its ``--json`` output, parsed."""
    return json.loads(ok(result).stdout)


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The command failed with ``code`` and one line on stderr, no traceback; that line."""
    assert result.returncode == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    return lines[0]
