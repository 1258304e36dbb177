"""``brokerplex serve --demo``: the console's fastest first look. A fresh home (temporary unless ``--home`` is
given) with a paper account, the Kite and XTS simulators started as child processes (``brokerplex sim …``)
with accounts logged in on them (an investor, and a dealer with its client codes), and an admin with a new
random password, shown once.

The simulators stop with the server (SIGTERM; and, on Linux, if the server dies, through the parent-death
signal); a temporary home is removed then too.
"""

from __future__ import annotations

import json
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

import httpx

from brokerplex.errors import BrokerplexError
from brokerplex.manager import BrokerManager
from brokerplex_server.auth.principal import Role
from brokerplex_server.auth.users import UserStore

ADMIN = "admin"
STARTUP_SECONDS = 60.0  # a simulator's first line, on a loaded machine
KITE_KEY, KITE_SECRET = "kite_sim_key", "kite_sim_secret"  # the Kite simulator's defaults


@dataclass
class Demo:
    home: Path
    temporary: bool
    admin_password: str = ""
    accounts: list[str] = field(default_factory=list)
    _children: list[subprocess.Popen[str]] = field(default_factory=list)

    def close(self) -> None:
        """Stop the simulators; remove a temporary home."""
        for child in self._children:
            if child.poll() is None:
                child.terminate()
        for child in self._children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self.temporary:
            shutil.rmtree(self.home, ignore_errors=True)

    def simulator(self, *args: str) -> dict[str, Any]:
        """``brokerplex sim ARGS…`` started: its first line (JSON with its URLs)."""
        log = (self.home / "logs")
        log.mkdir(parents=True, exist_ok=True)
        with (log / f"sim-{args[0]}.log").open("a") as errors:
            child = subprocess.Popen([str(Path(sys.executable).parent / "brokerplex"), "sim", *args], text=True,
                                     stdout=subprocess.PIPE, stderr=errors, stdin=subprocess.DEVNULL,
                                     preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        self._children.append(child)
        assert child.stdout is not None
        return _first_line(child.stdout, f"the {args[0]} simulator")


def demo_home(given: Path | None) -> Demo:
    """The demo's home: ``given`` (kept afterwards), else a new temporary folder."""
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        return Demo(given, temporary=False)
    return Demo(Path(tempfile.mkdtemp(prefix="brokerplex-serve-demo-")), temporary=True)


def start_demo(demo: Demo, url: str) -> None:
    """Start the simulators, activate and log in the demo's accounts, make the admin (the server at ``url``
    takes the Kite redirect of a later login). The demo is closed if a step fails."""
    try:
        kite = demo.simulator("zerodha", "--redirect-url", f"{url}/api/v1/accounts/kite/login/callback")
        xts = demo.simulator("xts")
        with BrokerManager(demo.home) as manager:
            _paper(manager)
            _kite(manager, kite, url)
            _xts(manager, xts)
            demo.accounts = [account.name for account in manager.accounts()]
            demo.admin_password = _admin(UserStore(manager.store))
    except BaseException:
        demo.close()
        raise


def _paper(manager: BrokerManager) -> None:
    manager.activate("paper", "paper", {})


def _kite(manager: BrokerManager, kite: dict[str, Any], url: str) -> None:
    from brokerplex_server.routes.accounts import ServerLoginIO

    manager.activate("zerodha", "kite", {
        "api_key": KITE_KEY, "api_secret": KITE_SECRET, "root": kite["rest"], "ws_root": kite["ws"],
        "login_url": kite["login"], "redirect_url": f"{url}/api/v1/accounts/kite/login/callback"})
    # The simulator's login page sends a signed-in user straight back with a request token.
    page = httpx.get(kite["login"], params={"api_key": KITE_KEY, "v": "3"}, follow_redirects=False, timeout=30)
    token = parse_qs(urlsplit(page.headers.get("location", "")).query).get("request_token")
    if not token:
        raise BrokerplexError(f"the Kite simulator's login page gave no request token ({page.status_code})")
    manager.login("kite", {"request_token": token[0]}, ServerLoginIO())


def _xts(manager: BrokerManager, xts: dict[str, Any]) -> None:
    from brokerplex_server.routes.accounts import ServerLoginIO
    from brokerplex_xts_client.sim.accounts import activation_settings

    root = str(xts["root"])
    investor = next(account for account in xts["accounts"] if account["role"] == "investor")
    dealer = next(account for account in xts["accounts"] if account["role"] == "dealer")
    manager.activate("xts_client", "xts", activation_settings(root, investor))
    manager.activate("xts_pro", "dealer", activation_settings(root, dealer, client_code=dealer["client_codes"][0]))
    for account in ("xts", "dealer"):
        manager.login(account, {}, ServerLoginIO())


def _admin(users: UserStore) -> str:
    """A new random password for the demo's admin (made, or given a new password on a kept home)."""
    password = secrets.token_urlsafe(12)
    if users.get(ADMIN) is None:
        users.add(ADMIN, password, Role.ADMIN)
    else:
        users.set_password(ADMIN, password)
    return password


def _first_line(pipe: IO[str], what: str) -> dict[str, Any]:
    """The first line of ``pipe`` as JSON; the rest is read and dropped (a full pipe would stop the child)."""
    lines: queue.Queue[str] = queue.Queue()

    def drain() -> None:
        for line in pipe:
            lines.put(line)
        lines.put("")

    threading.Thread(target=drain, daemon=True, name=f"drain {what}").start()
    try:
        first = lines.get(timeout=STARTUP_SECONDS)
    except queue.Empty:
        raise BrokerplexError(f"{what} did not start within {STARTUP_SECONDS:.0f} s") from None
    if not first:
        raise BrokerplexError(f"{what} ended before it started (its log is in the demo home's logs/)")
    found: dict[str, Any] = json.loads(first)
    return found


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the server dies, however it dies (Linux prctl)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
