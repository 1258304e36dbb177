"""The simulator against a client we did not write: PyPI ``xts-api-client`` 0.1.26 in its own 3.12 venv.

The scripts under ``independent/`` use only that package's public API and print JSON; these
tests run them against a live simulator and check what the third-party client saw.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brokerplex_xts_client.sim import XtsSimulator

HERE = Path(__file__).parent
SCRIPTS = HERE / "independent"


def _independent_env() -> Any:
    """``independent_env.py`` beside this file (tests are no package, so it is loaded by path)."""
    spec = importlib.util.spec_from_file_location("xts_independent_env", HERE / "independent_env.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def python312() -> Path:
    python: Path | None = _independent_env().python_with_xts_api_client()
    if python is None:
        pytest.skip("no Python 3.12 on this machine (python3.12 on PATH or ~/.pyenv/versions/3.12*): "
                    "xts-api-client 0.1.26 requires it")
    return python


@pytest.fixture
def sim_file(xts_sim: XtsSimulator, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "sim.json"
    path.write_text(json.dumps({"root": xts_sim.root, "accounts": xts_sim.accounts}))
    return path


def run_script(python: Path, name: str, sim_file: Path) -> dict[str, Any]:
    done = subprocess.run([str(python), str(SCRIPTS / name), str(sim_file)], capture_output=True, text=True,
                          timeout=180, cwd=sim_file.parent)
    assert done.returncode == 0, done.stderr[-4000:]
    seen: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return seen


def test_xts_api_client_rest(python312: Path, sim_file: Path) -> None:
    seen = run_script(python312, "rest_session.py", sim_file)
    assert seen["investor_login"] == {"userID": "XTS0001", "isInvestorClient": True, "clientCodes": ["XTS0001"]}
    assert seen["marketdata_login"] == "success"
    # its own master helpers read our master text
    master = seen["master"]
    assert master["cash"] >= 50
    assert master["futures"] >= 10
    assert master["options"] >= 100
    assert (master["reliance_id"], master["reliance_isin"], master["nifty_future_lot"]) == (2885, "INE002A01018", 65)
    assert seen["quote"]["id"] == 2885
    assert seen["quote"]["ltp"] > 0
    assert seen["depth_levels"] == 5
    assert seen["ohlc_bars"] == 15
    assert "NIFTY 50_26000" in seen["index_list"]
    assert seen["market_order"] == {"status": "Filled", "unique": "indep1", "quantity": 5}
    assert seen["history"] == ["PendingNew", "New", "Filled"]
    assert seen["trades"] == 5
    assert seen["position"] == [["2885", "5"]]
    assert seen["balance_header"] == "ALL|ALL|ALL"
    assert seen["profile_client"] == "XTS0001"
    assert seen["holdings"] == "Data Not Available"
    assert (seen["resting"], seen["modify"], seen["modified"]) == ("New", "success", [2, 1301.5])
    assert (seen["cancel"], seen["cancelled"]) == ("success", "Cancelled")
    # Its sync client raises on "Bad Request" / "Invalid Token", then trips over its own except clause.
    assert seen["refused_bad_side"] == seen["refused_bad_token"] == "UnboundLocalError"
    assert seen["logout"] == "successfully logout from all API."
    assert seen["after_logout"] == "UnboundLocalError"
    # its async client as a dealer: clientID=***** everywhere, the PRO book
    assert seen["dealer_login"] == {"userID": "DLR001", "isInvestorClient": False, "clientCodes": ["CL1001", "CL1002"]}
    assert seen["dealer_order"] == {"status": "Filled", "client": "DLR001", "login": "DLR001"}
    assert seen["dealer_trades"] == 4
    assert seen["dealer_position"] == [["1594", "-4"]]
    assert seen["dealer_history"] == "ok"


def test_xts_api_client_sockets(python312: Path, sim_file: Path) -> None:
    seen = run_script(python312, "socket_session.py", sim_file)
    assert seen["subscription"] == {"code": "s-session-0001", "remaining": 49}
    assert "event_touchline_full" in seen["md_events"]
    assert len(seen["ticks"]) == 2
    assert all(tick["code"] == 1501 and tick["id"] == 2885 and tick["ltp"] > 0 for tick in seen["ticks"])
    assert {"connect", "joined", "order", "trade", "position"} <= set(seen["ia_events"])
    assert seen["joined"] == "s-socket-0001"
    assert seen["order_statuses"] == ["PendingNew", "New", "Filled"]
