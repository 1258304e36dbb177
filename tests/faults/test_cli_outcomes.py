"""What ``brokerplex place`` tells a person, on every broker, when the broker refuses late, the reply is
lost, or the person presses Ctrl-C."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from brokerplex.journal import JournalState

if TYPE_CHECKING:
    from tests.faults.conftest import Venue

BIN = Path(sys.executable).parent / "brokerplex"


def run(venue: Venue, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BROKERPLEX_HOME": str(venue.home), "COLUMNS": "200"}
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=120, env=env)


def test_a_refusal_after_acceptance_exits_1_like_an_immediate_one(venue: Venue) -> None:
    """XTS accepts an order and its risk checks refuse it a moment later; place waits for that verdict."""
    unheld = run(venue, "place", venue.account, "NSE:TCS", "sell", "1", "--json")
    assert unheld.returncode == 1, unheld.stdout
    record = json.loads(unheld.stdout)
    assert record["status"] == "REJECTED"
    assert record["status_message"]
    assert f"was rejected by {venue.broker}" in unheld.stderr
    assert len(unheld.stderr.strip().splitlines()) == 1
    far = run(venue, "place", venue.account, "NSE:INFY", "buy", "1", "--limit", "1.00")
    assert far.returncode == 1
    assert "was rejected" in far.stderr
    fine = run(venue, "place", venue.account, "NSE:INFY", "buy", "1", "--json")
    assert fine.returncode == 0, fine.stderr
    assert json.loads(fine.stdout)["status"] == "COMPLETE"


def test_an_unknown_outcome_is_one_line_naming_reconcile_with_a_spinner_meanwhile(venue: Venue) -> None:
    venue.sim.faults.lose_reply("orders")
    venue.sim.faults.lose_reply("books")  # and the lookup that follows: the outcome stays unknown
    primary, secondary = pty.openpty()  # stderr on a terminal, as a person sees it
    env = {**os.environ, "BROKERPLEX_HOME": str(venue.home), "COLUMNS": "120", "TERM": "xterm"}
    with subprocess.Popen([str(BIN), "place", venue.account, "NSE:INFY", "buy", "1", "--tag", "lost1"],
                          stdout=subprocess.PIPE, stderr=secondary, env=env) as placing:
        os.close(secondary)
        shown = b""
        while placing.poll() is None or select.select([primary], [], [], 0.1)[0]:
            if select.select([primary], [], [], 0.1)[0]:
                try:
                    shown += os.read(primary, 4096)
                except OSError:
                    break
        os.close(primary)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode(errors="replace"))  # the terminal's controls
    assert placing.returncode == 1
    assert "placing lost1" in text  # the spinner's line while it waited
    errors = [line for line in text.replace("\r", "\n").splitlines() if line.startswith("error: ")]
    assert len(errors) == 1
    assert "may or may not have reached" in errors[0]
    assert f"brokerplex reconcile {venue.account}" in errors[0]
    assert "Traceback" not in text


def test_ctrl_c_while_the_order_is_out_says_it_may_have_reached_the_broker(venue: Venue) -> None:
    venue.sim.faults.lose_reply("orders")
    env = {**os.environ, "BROKERPLEX_HOME": str(venue.home), "COLUMNS": "120"}
    with subprocess.Popen([str(BIN), "place", venue.account, "NSE:INFY", "buy", "1", "--tag", "ctrlc1"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as placing:
        deadline = time.monotonic() + 60
        while not any(o.client_order_id == "ctrlc1" for o in venue.exchange_orders()):  # it is out
            assert time.monotonic() < deadline
            assert placing.poll() is None
            time.sleep(0.05)
        placing.send_signal(signal.SIGINT)
        _, err = placing.communicate(timeout=60)
    assert placing.returncode == 130, err
    assert err.strip().splitlines() == [
        f"error: interrupted: order ctrlc1 may have reached {venue.broker}; it was not resent. Check it with "
        f"`brokerplex reconcile {venue.account}`"]
    entry = venue.manager.journal.get("ctrlc1")
    assert entry is not None
    assert entry.state is JournalState.UNKNOWN
    reconciled = run(venue, "reconcile", venue.account, "--json")
    assert [(row["client_order_id"], row["now"]) for row in json.loads(reconciled.stdout)] == [("ctrlc1", "SENT")]
