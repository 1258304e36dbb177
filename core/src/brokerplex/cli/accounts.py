"""Commands about brokers, accounts and logins."""

from __future__ import annotations

import sys

import click

from brokerplex.cli.app import cli, json_option, options_option, parse_options, print_json, state


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
@json_option
def activate(broker: str, account: str, options: tuple[str, ...], as_json: bool) -> None:
    """Activate ACCOUNT at BROKER with its settings (-o KEY=VALUE)."""
    prompt = _prompt_secret if sys.stdin.isatty() else None
    activated = state().manager.activate(broker, account, parse_options(options), prompt_secret=prompt)
    if as_json:
        print_json({"account": activated.name, "broker": activated.broker, "settings": activated.public_settings()})
    else:
        click.echo(f"activated {activated.name} ({activated.broker})")


def _prompt_secret(name: str) -> str:
    return str(click.prompt(name, hide_input=True))


@cli.command()
@click.argument("account")
def deactivate(account: str) -> None:
    """Forget ACCOUNT and its stored session."""
    state().manager.deactivate(account)
    click.echo(f"deactivated {account}")


@cli.command()
@json_option
def accounts(as_json: bool) -> None:
    """List activated accounts (secrets masked)."""
    found = state().manager.accounts()
    if as_json:
        print_json([{"account": a.name, "broker": a.broker, "settings": a.public_settings()} for a in found])
        return
    from brokerplex.tables import table

    table("Accounts", ["account", "broker", "settings"],
          [[a.name, a.broker, " ".join(f"{k}={v}" for k, v in a.public_settings().items() if v is not None)]
           for a in found])


class ClickLoginIO:
    def show(self, text: str) -> None:
        click.echo(text)

    def prompt(self, text: str, *, hidden: bool = False) -> str:
        return str(click.prompt(text, hide_input=hidden))


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
    profile = state().manager.login(account, params, ClickLoginIO())
    if as_json:
        print_json(profile.model_dump(mode="json"))
    else:
        click.echo(f"logged in {account} as {profile.user_id} ({profile.name or profile.broker})")



@cli.command()
@click.option("--keep", is_flag=True, help="Keep the demo's home folder and print its path.")
def demo(keep: bool) -> None:
    """Show the main job end to end on the paper broker, in a temporary home."""
    from brokerplex.demo import run_demo

    run_demo(state().home, keep=keep)


