"""A stored XTS session the key cannot open: named with the way out, and replaced by the next login."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from brokerplex_xts_client.sim import XtsSimulator
from stored import damage_session


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def test_a_session_the_key_cannot_open_is_named_and_replaced_by_the_next_login(
    cli: Any, home: Path, xts_sim: XtsSimulator
) -> None:
    settings = xts_sim.settings("investor")
    ok(cli("activate", "xts_client", "x1", *(f"-o{key}={value}" for key, value in settings.items())))
    ok(cli("login", "x1"))
    damage_session(home, "x1")
    refused = cli("funds", "x1")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"error: the stored session of x1 cannot be decrypted with the secret key in {home / 'secret.key'}: use "
        f"the key they were stored with, or log in again (brokerplex login x1), which replaces it")
    ok(cli("login", "x1"))
    ok(cli("funds", "x1"))
