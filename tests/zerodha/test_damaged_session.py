"""A stored Kite session the key cannot open: named with the way out, and replaced by the next login."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from brokerplex_zerodha.sim import KiteSimulator
from stored import damage_session


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def test_a_session_the_key_cannot_open_is_named_and_replaced_by_the_next_login(
    cli: Any, home: Path, kite_sim: KiteSimulator
) -> None:
    ok(cli("activate", "zerodha", "z1", f"-oapi_key={kite_sim.api_key}", "-oapi_secret=kite_sim_secret",
           f"-oroot={kite_sim.rest}", f"-ows_root={kite_sim.ws}", f"-ologin_url={kite_sim.login}"))
    ok(cli("login", "z1", "--request-token", kite_sim.request_token()))
    damage_session(home, "z1")
    refused = cli("orders", "z1")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"error: the stored session of z1 cannot be decrypted with the secret key in {home / 'secret.key'}: use "
        f"the key they were stored with, or log in again (brokerplex login z1), which replaces it")
    ok(cli("login", "z1", "--request-token", kite_sim.request_token()))
    ok(cli("orders", "z1"))
