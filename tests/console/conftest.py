"""The console in a real browser: one headless Chromium per test session (per xdist worker), a fresh context
and page per test that fail it on any console or page error, and ``brokerplex serve`` in a child process with
the console's build, two paper accounts and three users (SQLite: the store is not what these tests test).

Fixtures: ``console`` (the server), ``people`` (admin, trader, viewer and their passwords), ``page`` (a blank
page at the server's origin), ``admin_page`` / ``trader_page`` / ``viewer_page`` (the console, signed in),
``page_errors`` (to expect a refusal a test provokes); the simulators, for the flows with a real wire:
``kite_sim`` with ``kite_settings`` (an account named ``kite``: Kite redirects the browser to this server's
callback for it) and ``xts_sim`` (``xts_sim.settings("dealer", client_code=…)``). ``browser.screenshot(page,
NAME)`` keeps artifacts/console/NAME.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from apiserver import ApiServer
from brokerplex.manager import BrokerManager
from brokerplex_server.auth.principal import Role
from brokerplex_server.console import BUILT
from brokerplex_xts_client.sim import XtsSimulator
from brokerplex_zerodha.sim import KiteSimulator
from browser import CHROMIUM, DESKTOP, WAIT_MS, PageErrors, chromium

PAPER_ACCOUNTS = ("p1", "p2")
KITE_ACCOUNT, KITE_SECRET = "kite", "kite_sim_secret"


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    password: str
    role: Role
    accounts: tuple[str, ...] = ()


PEOPLE = {
    "admin": Person("asha", "asha-admin-password", Role.ADMIN),
    "trader": Person("ravi", "ravi-trader-password", Role.TRADER, ("p1",)),
    "viewer": Person("vera", "vera-viewer-password", Role.VIEWER, ("p1",)),
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium, headless, for every test of a module (starting one costs more than a test). Not for the
    session: Playwright's sync API holds an event loop on this thread while it runs, and the worker's other
    tests, which run their own (asyncio.run), must find none."""
    if not (BUILT / "index.html").is_file():
        pytest.fail(f"the console is not built ({BUILT}): `make console` builds it (npm ci, npm run build)")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make servers` installs it (apt-get install chromium)")
    expect.set_options(timeout=WAIT_MS)
    with chromium() as launched:
        yield launched


@pytest.fixture
def people() -> dict[str, Person]:
    return PEOPLE


@pytest.fixture
def console(tmp_path: Path) -> Iterator[ApiServer]:
    """``brokerplex serve`` with the console's build, paper accounts p1 and p2, and the ``people``; plain-HTTP
    loopback, so its session cookie is not Secure (BROKERPLEX_INSECURE_COOKIES)."""
    home = tmp_path / "home"
    with BrokerManager(home) as manager:
        for account in PAPER_ACCOUNTS:
            manager.activate("paper", account, {})
    env = {"BROKERPLEX_INSECURE_COOKIES": "1"}
    os.environ.pop("BROKERPLEX_CONSOLE", None)  # the build this checkout made, in the package
    server = ApiServer.start(home, None, env=env)
    users = server.users()
    for person in PEOPLE.values():
        users.add(person.name, person.password, person.role, frozenset(person.accounts))
    yield server
    assert server.stop() == 0, server.child.stderr.rest()


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors()


@pytest.fixture
def context(browser: Browser, console: ApiServer) -> Iterator[BrowserContext]:
    made = browser.new_context(base_url=console.url, viewport=DESKTOP, locale="en-IN", timezone_id="Asia/Kolkata")
    made.set_default_timeout(WAIT_MS)
    try:
        yield made
    finally:
        made.close()


@pytest.fixture
def page(context: BrowserContext, page_errors: PageErrors) -> Iterator[Page]:
    """A page of the test's own context; the test fails if the page logged an error or threw."""
    opened = context.new_page()
    page_errors.watch(opened)
    yield opened
    opened.close()
    assert not page_errors.lines, "the page reported errors:\n" + "\n".join(page_errors.lines)


def signed_in(page: Page, person: Person) -> Page:
    """``page`` showing the console with ``person`` signed in (through the API, sharing the page's cookies:
    the sign-in form has its own test)."""
    answer = page.context.request.post("/api/v1/session", data={"name": person.name, "password": person.password})
    assert answer.ok, answer.text()
    page.goto("/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


@pytest.fixture
def admin_page(page: Page) -> Page:
    return signed_in(page, PEOPLE["admin"])


@pytest.fixture
def trader_page(page: Page) -> Page:
    return signed_in(page, PEOPLE["trader"])


@pytest.fixture
def viewer_page(page: Page) -> Page:
    return signed_in(page, PEOPLE["viewer"])


@pytest.fixture
def kite_sim(console: ApiServer, tmp_path: Path) -> Iterator[KiteSimulator]:
    """The Kite simulator; its app sends the browser back to this server's callback for account ``kite``."""
    with KiteSimulator(state_dir=tmp_path / "kite-sim", api_secret=KITE_SECRET,
                       redirect_url=kite_callback(console)) as simulator:
        yield simulator


def kite_callback(console: ApiServer) -> str:
    return f"{console.url}/api/v1/accounts/{KITE_ACCOUNT}/login/callback"


@pytest.fixture
def kite_settings(console: ApiServer, kite_sim: KiteSimulator) -> dict[str, str]:
    """What the add-account form takes for the Kite account ``kite`` at the simulator."""
    return {"api_key": kite_sim.api_key, "api_secret": KITE_SECRET, "root": kite_sim.rest, "ws_root": kite_sim.ws,
            "login_url": kite_sim.login, "redirect_url": kite_callback(console)}


@pytest.fixture
def xts_sim(tmp_path: Path) -> Iterator[XtsSimulator]:
    """The XTS simulator: investors XTS0001 and XTS0002, the dealer DLR001 with clients CL1001 and CL1002."""
    with XtsSimulator(state_dir=tmp_path / "xts-sim", seed=1) as simulator:
        yield simulator
