"""A damaged Kite session file: named with the way out, and kept aside (not overwritten) by the next login."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from brokerplex_zerodha.sim import KiteSimulator


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def test_a_damaged_session_is_named_and_kept_aside_by_the_next_login(
    cli: Any, home: Path, kite_sim: KiteSimulator
) -> None:
    ok(cli("activate", "zerodha", "z1", f"-oapi_key={kite_sim.api_key}", "-oapi_secret=kite_sim_secret",
           f"-oroot={kite_sim.rest}", f"-ows_root={kite_sim.ws}", f"-ologin_url={kite_sim.login}"))
    ok(cli("login", "z1", "--request-token", kite_sim.request_token()))
    session = home / "sessions" / "z1.json"
    session.write_text('{"access_token": "half a tok')
    refused = cli("orders", "z1")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"error: {session} is damaged (not JSON: Unterminated string starting at); log in again "
        f"(brokerplex login z1): the damaged file is then kept beside the new one")
    logged_in = ok(cli("login", "z1", "--request-token", kite_sim.request_token()))
    (kept,) = session.parent.glob("z1.json.damaged-*")
    assert kept.read_text() == '{"access_token": "half a tok'
    assert f"warning: {session} could not be read: it is kept as {kept.name}" in logged_in.stderr
    ok(cli("orders", "z1"))
