"""``brokerplex db``: the store's schema (every command also upgrades it on first use)."""

from __future__ import annotations

import click

from brokerplex.cli.app import cli, json_option, print_json, state


@cli.group()
def db() -> None:
    """The store: accounts, sessions, the order journal, users, keys and the audit log."""


@db.command()
@json_option
def upgrade(as_json: bool) -> None:
    """Bring the store's schema up to date (and import a home folder from before the store)."""
    store = state().manager.store
    before, after = store.upgrade()
    result = {"database": store.shown_url, "from": before, "to": after}
    if as_json:
        print_json(result)
    elif before == after:
        click.echo(f"{store.shown_url}: up to date (revision {after})")
    else:
        click.echo(f"{store.shown_url}: upgraded from revision {before or 'none'} to {after}")
