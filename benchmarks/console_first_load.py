"""The console's first load: from navigation to the market watch on screen (the ``console:interactive``
mark, after its frame painted), a signed-in admin in a fresh browser context (empty cache) on loopback;
and the size of its JavaScript.

Goals: interactive <= 1.0 s; JavaScript <= 300 KB gzipped (every chunk). The baseline is the time goal.
"""

from __future__ import annotations

import statistics

from _console import chromium, console_server, mark, script_kilobytes_gzipped, signed_in_page
from _harness import arguments, judge, report

GOAL_MS, SCRIPT_GOAL_KB = 1000.0, 300.0


def main() -> None:
    args = arguments(__doc__ or "", runs=5)
    samples = []
    with console_server() as server, chromium() as browser:
        for _ in range(args.runs):
            with signed_in_page(browser, server) as page:
                page.goto("/")
                samples.append(mark(page, "console:interactive")[0])
    ours, kilobytes = statistics.median(samples), script_kilobytes_gzipped()
    runs = ", ".join(f"{sample:.0f}" for sample in samples)
    report("console_first_load", ours, GOAL_MS, "ms", args.json, f"goal <= {GOAL_MS:.0f} ms; JavaScript "
           f"{kilobytes:.0f} KB gzipped, goal <= {SCRIPT_GOAL_KB:.0f} KB; runs {runs} ms")
    missed = [f"interactive in {ours:.0f} ms > {GOAL_MS:.0f} ms"] if ours > GOAL_MS else []
    missed += [f"JavaScript {kilobytes:.0f} KB > {SCRIPT_GOAL_KB:.0f} KB"] if kilobytes > SCRIPT_GOAL_KB else []
    judge("console_first_load", missed, args.json)


if __name__ == "__main__":
    main()
