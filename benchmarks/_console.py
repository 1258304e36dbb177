"""Shared by the console's benchmarks (``console_*.py``): ``brokerplex serve`` with the console's build, headless
Debian Chromium through Playwright's sync API (the tests' binary and flags, tests/browser.py), a user signed in
by cookie, and the in-page probes that time what the browser shows.

Times are taken in the page with the Performance API (``performance.now()``: milliseconds since the
navigation started), so Playwright's own round trips are not in them. "Shown" means painted: the probe
waits for the element, then for the frame that draws it (``requestAnimationFrame``, then a message posted
from it, which runs once that frame's style, layout and paint are done on the main thread).
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page

from brokerplex_server.auth.principal import Role
from brokerplex_server.console import BUILT

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from apiserver import ApiServer  # type: ignore[import-not-found]  # the tests' way to start the server
from browser import CHROMIUM, DESKTOP, chromium  # type: ignore[import-not-found]  # the tests' Chromium

__all__ = ["WAIT_MS", "ApiServer", "chromium", "copy_build", "fresh_context", "require_build", "script_sizes",
           "signed_in", "start_server", "wait_for"]

USER, PASSWORD = "bench", "bench-console-password"
WAIT_MS = 60_000  # a deadline for what the page must show on a loaded machine (never a sleep)
GZIP_LEVEL = 6  # zlib's default, the level Vite's build report and most servers use

# Installed before any of the console's scripts: ``__bench.shown(find)`` resolves with the time of the first
# frame that paints an element ``find()`` returns (checked at every change of the document).
PROBES = """(() => {
const WAIT_MS = @WAIT_MS@;
performance.setResourceTimingBufferSize(100000);  // every request of a long page, not the first 250
window.__bench = {
  painted() {
    return new Promise((resolve) => requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now());
      channel.port2.postMessage(null);
    }));
  },
  shown(find, what = String(find)) {
    return new Promise((resolve, reject) => {
      const observer = new MutationObserver(() => check());
      const deadline = setTimeout(() => {
        observer.disconnect();
        const says = document.body.innerText.slice(0, 400);
        reject(new Error(`not shown within ${WAIT_MS} ms: ${what}; the page says: ${says}`));
      }, WAIT_MS);
      const check = () => {
        if (!find()) return false;
        observer.disconnect();
        clearTimeout(deadline);
        window.__bench.painted().then(resolve);
        return true;
      };
      const changes = { subtree: true, childList: true, attributes: true, characterData: true };
      if (!check()) observer.observe(document, changes);
    });
  },
  control(label) {
    const found = [...document.querySelectorAll("label")].find((element) => element.textContent.trim() === label);
    const control = found && found.control;
    return control && !control.disabled ? control : null;
  },
  button(name) {
    return [...document.querySelectorAll("button")].find((element) =>
      element.textContent.trim() === name && !element.disabled) || null;
  },
};
})();
""".replace("@WAIT_MS@", str(WAIT_MS))


def require_build() -> None:
    if not (BUILT / "index.html").is_file():
        sys.exit(f"the console is not built ({BUILT}): `make console` builds it (npm ci, npm run build)")
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: `make servers` installs it (apt-get install chromium)")


def copy_build(folder: Path) -> Path:
    """A copy of the console's build in ``folder`` (what the benchmark serves: a rebuild meanwhile, by
    someone working on the console, changes nothing under a run)."""
    copy = folder / "console"
    shutil.copytree(BUILT, copy)
    return copy


def script_sizes(build: Path, names: list[str] | None = None) -> tuple[int, int]:
    """Bytes and gzipped bytes of the build's scripts (``names``: only these files of assets/)."""
    scripts = sorted((build / "assets").glob("*.js"))
    if names is not None:
        scripts = [script for script in scripts if script.name in names]
    raw = [script.read_bytes() for script in scripts]
    return sum(map(len, raw)), sum(len(gzip.compress(data, GZIP_LEVEL)) for data in raw)


def start_server(home: Path, console: Path, *args: str) -> ApiServer:
    """``brokerplex serve`` on ``home`` with the console's build in ``console`` (:func:`copy_build`), plain-HTTP
    cookies (BROKERPLEX_INSECURE_COOKIES: the loopback browser keeps its session), and the admin ``USER``."""
    env = {"BROKERPLEX_INSECURE_COOKIES": "1", "BROKERPLEX_CONSOLE": str(console)}
    server = ApiServer.start(home, None, *args, env=env)
    server.users().add(USER, PASSWORD, Role.ADMIN, frozenset())
    return server


def signed_in(browser: Browser, server: ApiServer) -> dict[str, Any]:
    """The storage state (the session cookie) of ``USER`` signed in through ``POST /session``."""
    context = browser.new_context(base_url=server.url)
    try:
        answer = context.request.post("/api/v1/session", data={"name": USER, "password": PASSWORD})
        assert answer.ok, answer.text()
        return dict(context.storage_state())
    finally:
        context.close()


def fresh_context(browser: Browser, server: ApiServer, state: dict[str, Any] | None,
                  storage: dict[str, str] | None = None) -> BrowserContext:
    """A new context (its own empty cache: a cold load) with ``state``'s cookie, the probes, and ``storage``
    put in the origin's localStorage before the console reads it."""
    context = browser.new_context(base_url=server.url, viewport=DESKTOP, locale="en-IN", timezone_id="Asia/Kolkata",
                                  storage_state=state)  # type: ignore[arg-type]  # what storage_state() gave
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(PROBES)
    if storage:
        context.add_init_script(f"Object.entries({json.dumps(storage)}).forEach(([key, value]) => "
                                "localStorage.setItem(key, value));")
    return context


def wait_for(page: Page, condition: str, argument: object = None) -> None:
    """Until the page's JavaScript ``condition`` (a function of ``argument``) holds."""
    page.wait_for_function(condition, arg=argument, timeout=WAIT_MS, polling="raf")
