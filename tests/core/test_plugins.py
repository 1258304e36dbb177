"""Plugin discovery, the hook contract, and a third-party broker found only by its metadata."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from brokerplex import hookimpl, hookspecs
from brokerplex.errors import PluginError
from brokerplex.plugins import check, new_plugin_manager, registered_brokers

if TYPE_CHECKING:
    from tests.conftest import Cli

HOOKS = [name for name, value in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(value, "brokerplex_spec")]
GUIDE = Path(__file__).parents[2] / "docs" / "plugins.md"


def test_the_contract_has_the_six_hooks() -> None:
    assert sorted(HOOKS) == ["order_event", "pretrade_check", "register_brokers", "register_commands", "register_demos",
                             "register_simulators"]


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented(hook: str) -> None:
    assert (getattr(hookspecs, hook).__doc__ or "").strip(), f"{hook} has no docstring"
    assert f"`{hook}(" in GUIDE.read_text(), f"the plugin guide (docs/plugins.md) does not document {hook}"


def test_a_misspelt_hook_fails_at_load() -> None:
    class Typo:
        @hookimpl
        def register_broker(self, register: object) -> None:  # missing the final "s"
            raise AssertionError("never called")

    manager = new_plugin_manager(load_entry_points=False)
    manager.register(Typo(), name="typo")
    with pytest.raises(PluginError, match=r"'typo' implements unknown hook register_broker"):
        check(manager)


def test_two_plugins_cannot_claim_one_broker_name() -> None:
    import brokerplex_paper

    class Impostor:
        register_brokers = staticmethod(hookimpl(brokerplex_paper.register_brokers))

    manager = new_plugin_manager()
    manager.register(Impostor(), name="impostor")
    with pytest.raises(PluginError, match="'paper' is registered by"):
        registered_brokers(manager)


def brokers(cli: Cli, **env: str) -> dict[str, dict[str, object]]:
    result = cli("brokers", "--json", env=env)
    assert result.returncode == 0, result.stderr
    return {row["name"]: row for row in json.loads(result.stdout)}


def test_paper_is_registered_through_its_entry_point(cli: Cli) -> None:
    paper = brokers(cli)["paper"]
    assert paper["distribution"] == "brokerplex-paper"
    assert paper["version"] == "0.1.0"
    assert paper["plugin"] == "paper"


def test_block_list_and_allow_list(cli: Cli) -> None:
    assert "paper" not in brokers(cli, BROKERPLEX_DISABLE_PLUGINS="paper")
    assert brokers(cli, BROKERPLEX_PLUGINS="") == {}
    assert "paper" in brokers(cli, BROKERPLEX_PLUGINS="paper, other")


def test_a_third_party_broker_shows_up_and_works(cli: Cli, acme_site: Path) -> None:
    env = {"PYTHONPATH": str(acme_site)}
    acme = brokers(cli, **env)["acme"]
    assert (acme["distribution"], acme["version"]) == ("brokerplex-acme", "0.3.1")
    missing = cli("activate", "acme", "a1", "-o", "api_key=k", env=env)
    assert missing.returncode == 2
    assert "api_secret" in missing.stderr
    assert cli("activate", "acme", "a1", "-o", "api_key=k", "-o", "api_secret=s3cret", env=env).returncode == 0
    placed = cli("place", "a1", "NSE:INFY", "buy", "3", "--json", env=env)
    assert placed.returncode == 0, placed.stderr
    assert json.loads(placed.stdout)["status"] == "COMPLETE"
    listed = cli("orders", "a1", "--json", env=env)
    assert [(o["symbol"], o["quantity"], o["status"]) for o in json.loads(listed.stdout)] == [
        ("NSE:INFY", 3, "COMPLETE")]


def test_a_broker_refusing_credentials_is_exit_1(cli: Cli, acme_site: Path) -> None:
    env = {"PYTHONPATH": str(acme_site)}
    cli("activate", "acme", "a2", "-o", "api_key=k", "-o", "api_secret=wrong", env=env)
    result = cli("funds", "a2", env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: acme: invalid api secret"
