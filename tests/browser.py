"""The browser the console's tests drive: Debian's Chromium (``make servers`` installs it) through Playwright's
sync API, headless; screenshots kept as test artifacts; every console or page error is a failure
(``tests/`` is on pytest's path; tests/console/conftest.py makes the fixtures)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, ConsoleMessage, Error, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")  # Playwright's own browser download cannot work here: never `playwright install`
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
REPO = Path(__file__).resolve().parent.parent
#: Where the screenshots go (gitignored): artifacts/console/NAME.png, named in the issue's closing note.
ARTIFACTS = REPO / "artifacts" / "console"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
WAIT_MS = 20_000  # what a visible-or-not wait may take on a loaded machine (a deadline, never a sleep)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright's sync API (which holds an event loop on this thread
    while it runs)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()

_REFUSED_LOAD = re.compile(r"Failed to load resource: the server responded with a status of (\d{3})")


def screenshot(page: Page, name: str) -> Path:
    """The page as it is now, whole, in ``artifacts/console/NAME.png``: its path."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", name):
        raise ValueError(f"screenshot names are lower-case words joined by - or _: {name!r}")
    path = ARTIFACTS / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


@dataclass
class PageErrors:
    """Every error the page's console said and every uncaught exception, as lines; a test passes only if it
    ends without any. The API's answers the console expects are not errors: ``GET /api/v1/session`` answers
    401 before a sign-in (Chromium logs each refused request), and a test that provokes a refusal on
    purpose says so with :meth:`expect_refusal`."""

    lines: list[str] = field(default_factory=list)
    expected: set[tuple[int, str]] = field(default_factory=lambda: {(401, "/api/v1/session")})

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", self._uncaught)

    def expect_refusal(self, status: int, path: str) -> None:
        """A refused request the test provokes (``status`` from the API path ``path``, or from any path under
        it when it ends with ``/``) is not an error."""
        self.expected.add((status, path))

    def _expected(self, status: int, path: str) -> bool:
        return any(status == known and (path == where or (where.endswith("/") and path.startswith(where)))
                   for known, where in self.expected)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        refused = _REFUSED_LOAD.search(message.text)
        where = urlsplit(str(message.location.get("url", ""))).path
        if refused and self._expected(int(refused.group(1)), where):
            return
        self.lines.append(f"console error: {message.text} ({message.location.get('url', '')})")

    def _uncaught(self, error: Error) -> None:
        self.lines.append(f"page error: {error.name}: {error.message}")
