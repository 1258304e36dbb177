"""Commands about brokers, accounts and logins."""

from __future__ import annotations

import sys
from typing import Any

import click

from brokerplex.cli.app import cli, json_option, options_option, parse_options, print_json, state
from brokerplex.errors import InputError


@cli.command()
@json_option
def brokers(as_json: bool) -> None:
    """List installed broker plugins."""
    from brokerplex.plugins import registered_brokers

    found = registered_brokers()
    rows = [
        {"name": b.name, "title": b.spec.title, "distribution": b.distribution, "version": b.version,
         "plugin": b.plugin, "capabilities": b.spec.capabilities.as_dict()}
        for b in found.values()
    ]
    if as_json:
        print_json(rows)
        return
    # Plain columns, like `pip list`: this listing is on the startup-critical path, and rich
    # would add a quarter to its time.
    columns = ["name", "distribution", "version", "capabilities"]
    cells = [[b.name, b.distribution or "-", b.version or "-", b.spec.capabilities.summary()] for b in found.values()]
    widths = [max(len(str(row[i])) for row in [columns, *cells]) for i in range(len(columns))]
    for row in [columns, ["-" * w for w in widths], *cells]:
        click.echo("  ".join(str(value).ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())


@cli.command()
@click.argument("broker")
@click.argument("account")
@options_option
@click.option("--replace", is_flag=True, help="Replace an account of this name (asked on a terminal otherwise).")
@json_option
def activate(broker: str, account: str, options: tuple[str, ...], replace: bool, as_json: bool) -> None:
    """Activate ACCOUNT at BROKER with its settings (-o KEY=VALUE)."""
    settings = parse_options(options)
    if not replace:
        _refuse_silent_replace(account)
    prompt = _prompt_secret if sys.stdin.isatty() else None
    activated = state().manager.activate(broker, account, settings, prompt_secret=prompt)
    if as_json:
        print_json({"account": activated.name, "broker": activated.broker, "settings": activated.public_settings()})
    else:
        click.echo(f"activated {activated.name} ({activated.broker})")


def _prompt_secret(name: str) -> str:
    return str(click.prompt(name, hide_input=True))


def _refuse_silent_replace(account: str) -> None:
    """An existing account is replaced only when the person says so: --replace, or yes on a terminal."""
    from brokerplex.errors import UnknownAccountError

    try:
        broker = state().manager.account_store.get_raw(account)["broker"]
    except UnknownAccountError:
        return
    what = f"account {account!r} ({broker})"
    if sys.stdin.isatty() and click.confirm(f"{what} exists; replace it?", default=False, err=True):
        return
    raise InputError(f"{what} exists: give --replace to replace it (nothing changed)")


@cli.command()
@click.argument("account")
def deactivate(account: str) -> None:
    """Forget ACCOUNT and its stored session."""
    state().manager.deactivate(account)
    click.echo(f"deactivated {account}")


@cli.command()
@json_option
def accounts(as_json: bool) -> None:
    """List activated accounts (secrets masked); one that cannot be used is listed with the reason."""
    rows = [_account_row(name) for name in _account_names()]
    if as_json:
        print_json(rows)
        return
    from brokerplex.tables import Column, table

    table("Accounts", [Column("account"), Column("broker"), Column("settings", wrap=True)],
          [[row["account"], row["broker"] if "problem" not in row else f"{row['broker']} (unusable)",
            row.get("problem") or " ".join(f"{k}={v}" for k, v in row["settings"].items() if v is not None)]
           for row in rows])


def _account_names() -> list[str]:
    return state().manager.account_store.names()


def _account_row(name: str) -> dict[str, Any]:
    """An account as listed; one that cannot be used is listed with the reason, and warned of."""
    row = state().manager.account_row(name)
    if row.get("problem"):
        click.echo(f"warning: account {name}: {row['problem']}", err=True)
    return row


class ClickLoginIO:
    """A login's words to the person: on stdout, or on stderr when stdout carries JSON."""

    def __init__(self, *, to_stderr: bool = False) -> None:
        self.to_stderr = to_stderr

    def show(self, text: str) -> None:
        click.echo(text, err=self.to_stderr)

    def prompt(self, text: str, *, hidden: bool = False) -> str:
        return str(click.prompt(text, hide_input=hidden, err=self.to_stderr))


@cli.command()
@click.argument("account")
@click.option("--request-token", help="For redirect logins (Kite): the request_token from the redirect URL.")
@options_option
@json_option
def login(account: str, request_token: str | None, options: tuple[str, ...], as_json: bool) -> None:
    """Log ACCOUNT in (interactively where the broker needs it)."""
    params = parse_options(options)
    if request_token:
        params["request_token"] = request_token
    profile = state().manager.login(account, params, ClickLoginIO(to_stderr=as_json))
    if as_json:
        print_json(profile.model_dump(mode="json"))
    else:
        click.echo(f"logged in {account} as {profile.user_id} ({profile.name or profile.broker})")



@cli.command()
@click.option("--keep", is_flag=True, help="Keep the demo's home folder and print its path.")
def demo(keep: bool) -> None:
    """Show the main job end to end, in a temporary home.

    First the paper broker (quotes, market and limit orders, modify, cancel, F&O, a refusal, the
    books), then one scene for each installed plugin that adds one: the plugin starts its broker's
    simulator on this machine, trades an account against it and stops it (with the bundled plugins:
    Zerodha against the Kite simulator, XTS investor and dealer logins against the XTS simulator).
    """
    from brokerplex.demo import run_demo

    run_demo(state().home, keep=keep)


