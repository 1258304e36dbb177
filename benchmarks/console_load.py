"""The console's first load: from navigation start to its first usable control, in headless Chromium on
loopback, and the JavaScript it ships.

Each sample is a cold load: a fresh browser context (its own empty cache) opening ``/`` of ``brokerplex
serve`` (a child process with the console's build and a paper account). Three kinds of load alternate:

- the market watch, signed in by cookie (the session of ``POST /session``): interactive when the "Add
  symbol" search box is painted and enabled (it needs the scripts, ``GET /session`` and ``GET /accounts``);
- the sign-in page (no cookie): interactive when the "Sign in" button is painted;
- the baseline: a bare page from the same server (an HTML file of one labelled input beside the build's
  files), the floor of a load on this machine: the connection, the document, a first paint.

The time is the page's own (``performance.now()`` of the frame that paints the control, the Performance
API's navigation start as zero); the breakdown shows the navigation timing of the document, when the last
script arrived, when ``GET /session`` answered, and the console's own ``console:interactive`` mark.

Goals: the market watch interactive <= 1.0 s (median of the cold loads); the build's JavaScript <= 300 KB
gzipped (every .js file of the build, gzip level 6; the first load's share is shown too). The ratio is the
bare page's median over the market watch's.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser

from _console import chromium, copy_build, fresh_context, require_build, script_sizes, signed_in, start_server
from _harness import arguments, judge, report
from brokerplex.manager import BrokerManager

GOAL_MS, GOAL_KB = 1000.0, 300.0
BARE = "bench-bare.html"
BARE_PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bare</title></head>'
             '<body><label for="q">Add symbol</label><input id="q"></body></html>')

# The first usable control of whichever page loads, and what the load fetched.
INTERACTIVE = ('window.__interactive = window.__bench.shown(() => '
               'window.__bench.control("Add symbol") || window.__bench.button("Sign in"));')
TIMINGS = """async () => {
  const interactive = await window.__interactive;
  const [navigation] = performance.getEntriesByType("navigation");
  const resources = performance.getEntriesByType("resource");
  const scripts = resources.filter((entry) => new URL(entry.name).pathname.endsWith(".js"));
  const session = resources.find((entry) => new URL(entry.name).pathname === "/api/v1/session");
  const marked = performance.getEntriesByName("console:interactive")[0];
  return {
    interactive,
    marked: marked ? marked.startTime : null,
    document: navigation.responseEnd,
    scripts: scripts.length ? Math.max(...scripts.map((entry) => entry.responseEnd)) : null,
    asked: session ? session.requestStart : null,
    session: session ? session.responseEnd : null,
    names: scripts.map((entry) => new URL(entry.name).pathname.split("/").pop()),
  };
}"""


def cold_load(browser: Browser, server: Any, path: str, state: dict[str, Any] | None) -> dict[str, Any]:
    """One cold load of ``path``: its timings (milliseconds since navigation start)."""
    context = fresh_context(browser, server, state)
    try:
        context.add_init_script(INTERACTIVE)
        page = context.new_page()
        page.goto(path, wait_until="domcontentloaded")
        timings: dict[str, Any] = page.evaluate(TIMINGS)
        return timings
    finally:
        context.close()


def main() -> None:
    args = arguments(__doc__ or "", runs=7)
    require_build()
    with tempfile.TemporaryDirectory() as folder:
        home, build = Path(folder) / "home", copy_build(Path(folder))
        (build / BARE).write_text(BARE_PAGE)  # served beside the build's files
        with BrokerManager(home) as manager:
            manager.activate("paper", "p1", {})
        server = start_server(home, build)
        try:
            with chromium() as browser:
                state = signed_in(browser, server)
                kinds = {"watch": ("/", state), "sign-in": ("/", None), "bare": (f"/{BARE}", None)}
                for path, cookie in kinds.values():  # warm the server's file cache and code paths
                    cold_load(browser, server, path, cookie)
                samples: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
                for _ in range(args.runs):
                    for kind, (path, cookie) in kinds.items():
                        samples[kind].append(cold_load(browser, server, path, cookie))
        finally:
            assert server.stop() == 0, server.child.stderr.rest()
        raw, gzipped = script_sizes(build)
        scripts = len(list((build / "assets").glob("*.js")))
        first_names = sorted({name for sample in samples["watch"] for name in sample["names"]})
        first_raw, first_gzipped = script_sizes(build, first_names)

    def median(kind: str, key: str) -> float:
        """The median of what the loads measured (nan when none did: a build without the console's mark)."""
        return float(statistics.median([sample[key] for sample in samples[kind] if sample[key] is not None]
                                       or [float("nan")]))

    watch, sign_in, bare = (median(kind, "interactive") for kind in kinds)
    if not args.json:
        spread = sorted(sample["interactive"] for sample in samples["watch"])
        print(f"console_load: first load to interactive, median of {args.runs} cold loads: market watch (signed in) "
              f"{watch:.0f} ms (min {spread[0]:.0f}, max {spread[-1]:.0f}; document {median('watch', 'document'):.0f},"
              f" last script {median('watch', 'scripts'):.0f}, GET /session asked {median('watch', 'asked'):.0f}, "
              f"answered {median('watch', 'session'):.0f} ms; the console's mark {median('watch', 'marked'):.0f} ms), "
              f"sign-in page {sign_in:.0f} ms, a bare page {bare:.0f} ms (goal: <= {GOAL_MS:.0f} ms)")
        print(f"console_load: JavaScript gzipped (level 6): the build's {scripts} "
              f"scripts {gzipped / 1024:.0f} KB ({raw / 1024:.0f} KB raw), the first load's {len(first_names)} "
              f"{first_gzipped / 1024:.0f} KB ({first_raw / 1024:.0f} KB raw) (goal: <= {GOAL_KB:.0f} KB)")
    report("console_load", watch, bare, "ms to interactive", args.json,
           f"goal: <= {GOAL_MS:.0f} ms; JavaScript {gzipped / 1024:.0f} KB gzipped <= {GOAL_KB:.0f} KB")
    missed = [f"interactive {watch:.0f} ms > {GOAL_MS:.0f} ms"] if watch > GOAL_MS else []
    missed += [f"JavaScript {gzipped / 1024:.0f} KB gzipped > {GOAL_KB:.0f} KB"] if gzipped > GOAL_KB * 1024 else []
    judge("console_load", missed, args.json)


if __name__ == "__main__":
    main()
