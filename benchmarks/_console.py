"""What the console's benchmarks share: ``brokerplex serve`` (the tests' ApiServer, a child process) over a
fresh home with paper account p1, the console's build, headless Chromium signed in as an admin, and the
Performance API marks the console sets (``console/src/lib/perf.ts``: each is taken after its frame painted).

A figure with a goal and no other console to compare with reports the goal as its baseline: a ratio above
1 meets the goal.
"""

from __future__ import annotations

import gzip
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from brokerplex.manager import BrokerManager
from brokerplex_server.auth.principal import Role
from brokerplex_server.console import BUILT

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from apiserver import ApiServer  # type: ignore[import-not-found]  # the tests' way to start the server
from browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP  # type: ignore[import-not-found]  # the tests' Chromium

ADMIN, PASSWORD = "bench", "bench-admin-password"
MARK_WAIT_MS = 60_000  # a deadline for a mark on a loaded machine, never a sleep


def script_kilobytes_gzipped() -> float:
    """The console's JavaScript, every chunk, gzipped (what a browser downloads in all)."""
    return sum(len(gzip.compress(path.read_bytes(), 9)) for path in (BUILT / "assets").glob("*.js")) / 1024


@contextmanager
def console_server(settings: dict[str, str] | None = None) -> Iterator[ApiServer]:
    """The server with the console's build, paper account p1 (``settings``) and the admin ``ADMIN``."""
    if not (BUILT / "index.html").is_file():
        sys.exit(f"the console is not built ({BUILT}): make console")
    with tempfile.TemporaryDirectory(prefix="bench-console-") as folder:
        home = Path(folder) / "home"
        with BrokerManager(home) as manager:
            manager.activate("paper", "p1", settings or {})
        server = ApiServer.start(home, None, env={"BROKERPLEX_INSECURE_COOKIES": "1"})
        try:
            server.users().add(ADMIN, PASSWORD, Role.ADMIN, frozenset())
            yield server
        finally:
            server.stop()


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def signed_in_page(browser: Browser, server: ApiServer) -> Iterator[Page]:
    """A fresh context's page (an empty cache: a first load), signed in through the API, not yet navigated."""
    context = browser.new_context(base_url=server.url, viewport=DESKTOP)
    try:
        answer = context.request.post("/api/v1/session", data={"name": ADMIN, "password": PASSWORD})
        assert answer.ok, answer.text()
        yield context.new_page()
    finally:
        context.close()


def mark(page: Page, name: str, after: float = 0.0) -> tuple[float, object]:
    """The first ``name`` mark taken after ``after`` (ms since the page's time origin): its time and detail."""
    first = "([name, after]) => performance.getEntriesByName(name).find((entry) => entry.startTime > after)"
    page.wait_for_function(first, arg=[name, after], timeout=MARK_WAIT_MS)
    entry = page.evaluate(f"(args) => {{ const e = ({first})(args); return [e.startTime, e.detail]; }}", [name, after])
    return float(entry[0]), entry[1]
