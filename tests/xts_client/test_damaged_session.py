"""A damaged XTS session file: named with the way out, and kept aside (not overwritten) by the next login."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from brokerplex_xts_client.sim import XtsSimulator


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def test_a_damaged_session_is_named_and_kept_aside_by_the_next_login(
    cli: Any, home: Path, xts_sim: XtsSimulator
) -> None:
    settings = xts_sim.settings("investor")
    ok(cli("activate", "xts_client", "x1", *(f"-o{key}={value}" for key, value in settings.items())))
    ok(cli("login", "x1"))
    session = home / "sessions" / "x1.json"
    session.write_bytes(b"\x00\x01 not json")
    refused = cli("funds", "x1")
    assert refused.returncode == 1
    assert refused.stderr.strip().startswith(f"error: {session} is damaged (not JSON")
    assert "log in again (brokerplex login x1)" in refused.stderr
    logged_in = ok(cli("login", "x1"))
    (kept,) = session.parent.glob("x1.json.damaged-*")
    assert kept.read_bytes() == b"\x00\x01 not json"
    assert f"warning: {session} could not be read: it is kept as {kept.name}" in logged_in.stderr
    ok(cli("funds", "x1"))
