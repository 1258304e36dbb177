"""Every page passes axe-core's checks (console/node_modules/axe-core, a dev dependency of the console) with no
serious or critical violation, in the light and the dark theme: every control named, every colour readable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from browser import REPO
from console_steps import add_symbol, open_ticket

AXE = REPO / "console" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [("Market watch", "Market watch"), ("Orders", "Orders and trades"), ("Portfolio", "Portfolio"),
         ("Option chain", "Option chain"), ("Broker connections", "Broker connections"), ("Admin", "Admin")]
SERIOUS = {"serious", "critical"}


def violations(page: Page, axe: str) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    page.evaluate(axe)  # defines window.axe (evaluated by the browser's debugger: the page's CSP allows no eval)
    found: dict[str, Any] = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    return [f"{rule['id']} ({rule['impact']}): {node['target']} {node['failureSummary']}"
            for rule in found["violations"] if rule["impact"] in SERIOUS for node in rule["nodes"]]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_page_has_named_controls_and_readable_colours(admin_page: Page, theme: str) -> None:
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: `npm ci` in console/ installs it")
    axe = Path(AXE).read_text()
    page = admin_page
    add_symbol(page, "infy", "NSE:INFY")
    if theme == "dark":
        page.get_by_role("button", name="Switch to dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-mantine-color-scheme", theme)
    found = []
    for link, heading in PAGES:
        page.get_by_role("link", name=link).click()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        found += [f"{link}: {line}" for line in violations(page, axe)]
    page.get_by_role("link", name="Market watch").click()
    open_ticket(page, "NSE:INFY")
    found += [f"order ticket: {line}" for line in violations(page, axe)]
    assert not found, "\n".join(found)
