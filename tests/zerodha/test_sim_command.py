"""``brokerplex sim zerodha`` as a user runs it: a child process that prints its URLs."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from kiteconnect import KiteConnect

BIN = Path(sys.executable).parent
COMMAND = [str(BIN / "brokerplex"), "sim", "zerodha", "--port", "0", "--api-key", "cli_key", "--api-secret",
           "cli_secret", "--redirect-url", "http://127.0.0.1:9/back", "--seed", "3"]


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_sim_command_serves_until_signalled(stop_signal: signal.Signals) -> None:
    with subprocess.Popen(COMMAND, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        try:
            urls = json.loads(process.stdout.readline())
            assert set(urls) == {"rest", "ws", "login"}
            assert urls["ws"].startswith("ws://127.0.0.1:")
            assert urls["ws"].endswith("/ws")
            page = requests.get(urls["login"], params={"api_key": "cli_key", "v": "3"}, allow_redirects=False,
                                timeout=5)
            assert page.headers["location"].startswith("http://127.0.0.1:9/back?request_token=")
            token = page.headers["location"].split("request_token=")[1].split("&")[0]
            kite = KiteConnect("cli_key", root=urls["rest"])
            kite.generate_session(token, "cli_secret")
            assert kite.ltp("NSE:INFY")["NSE:INFY"]["instrument_token"] == 408065
            process.send_signal(stop_signal)
            assert process.wait(15) == 0
        finally:
            if process.poll() is None:
                process.kill()
        assert process.stdout.read() == ""
        assert "cli_secret" not in process.stderr.read()


def test_the_command_module_stays_import_light() -> None:
    """``brokerplex`` imports it on every start: the server must load only when it runs."""
    probe = ("import sys, brokerplex_zerodha.sim, brokerplex_zerodha.sim.command; "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'starlette', 'uvicorn', 'kiteconnect'}))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
