"""``brokerplex users``: who may use ``brokerplex serve``, with which role, on which accounts; their API keys.

Writes go to the store every command uses (``--database`` / ``$BROKERPLEX_DATABASE``, else the home's
SQLite file), so that ``serve`` sees them at once, and each change is audited with source ``cli``.
Only click is imported here: the rest is imported when a users command runs.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from brokerplex.cli.app import json_option, print_json, state

if TYPE_CHECKING:
    from brokerplex_server.auth.totp import UserTotp
    from brokerplex_server.auth.users import UserStore

ROLES = ("admin", "trader", "viewer")
SCOPES = ("read", "trade")
password_stdin_option = click.option("--password-stdin", is_flag=True,
                                     help="Read the password from the first line of stdin (for scripts).")


def _users() -> UserStore:
    from brokerplex_server.auth.users import UserStore

    return UserStore(state().manager.store)


def _audit(action: str, target: str, detail: dict[str, Any] | None = None) -> None:
    from brokerplex_server import audit

    audit.write(state().manager.store, audit.entry(action, user_name=audit.cli_actor(), source=audit.CLI_SOURCE,
                                                   target=target, detail=detail))


def _password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or asked twice without echo."""
    from brokerplex.errors import InputError
    from brokerplex_server.auth.users import check_password

    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise InputError("--password-stdin: stdin is empty: give the password as its first line")
        return check_password(line.rstrip("\r\n"))
    return check_password(click.prompt("Password", hide_input=True, confirmation_prompt=True, err=True))


@click.group()
def users() -> None:
    """Users of `brokerplex serve`: roles, passwords, API keys."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True,
              help="admin: manages accounts and users; trader: trades the accounts granted; viewer: reads them.")
@click.option("--accounts", default="", metavar="A,B", help="The accounts granted (traders and viewers).")
@click.option("--totp", is_flag=True, help="Sign-ins need a TOTP code too: prints the otpauth:// URI for an "
              "authenticator app, once.")
@password_stdin_option
def add(name: str, role: str, accounts: str, totp: bool, password_stdin: bool) -> None:
    """Add user NAME; the password is asked twice (or read with --password-stdin)."""
    from brokerplex_server.auth.principal import Role
    from brokerplex_server.auth.users import check_user_name

    granted = frozenset(part.strip() for part in accounts.split(",") if part.strip())
    store = _users()
    check_user_name(name)
    user = store.add(name, _password(password_stdin), Role(role), granted)
    _audit("user.add", name, {"role": role, "accounts": sorted(granted), "totp": totp})
    click.echo(f"added {role} {name}" + (f" on {', '.join(sorted(granted))}" if granted else ""), err=True)
    if totp:
        _show_totp(_totp().enable(user))


def _totp() -> UserTotp:
    from brokerplex_server.auth.totp import UserTotp

    return UserTotp(state().manager.store)


def _show_totp(uri: str) -> None:
    """The otpauth URI alone on stdout (it holds the seed: shown once, never stored in the clear)."""
    click.echo(uri)
    click.echo("add it to an authenticator app (or make a QR code of it); it is not shown again", err=True)


@users.command("totp")
@click.argument("name")
@click.option("--off", is_flag=True, help="Remove NAME's TOTP: the password alone signs in again.")
def totp(name: str, off: bool) -> None:
    """Give NAME a new TOTP seed (sign-ins then need its code) and print its otpauth:// URI once; --off
    removes it."""
    user = _users().known(name)
    if off:
        _totp().disable(user)
        _audit("user.totp", name, {"enabled": False})
        click.echo(f"{name} signs in with the password alone", err=True)
        return
    uri = _totp().enable(user)
    _audit("user.totp", name, {"enabled": True})
    _show_totp(uri)


@users.command("key")
@click.argument("name")
@click.option("--scope", type=click.Choice(SCOPES), default="trade", show_default=True,
              help="read: GET requests only; trade: everything the user's role allows.")
@json_option
def key(name: str, scope: str, as_json: bool) -> None:
    """Make a new API key for NAME and print it once, alone on stdout (it is stored only as a hash)."""
    from brokerplex_server.auth.principal import Scope
    from brokerplex_server.auth.users import key_prefix

    store = _users()
    made = store.new_key(store.known(name), Scope(scope))
    _audit("key.add", name, {"scope": scope, "prefix": key_prefix(made)})
    click.echo(json.dumps({"key": made}) if as_json else made)


@users.command("list")
@json_option
def list_users(as_json: bool) -> None:
    """The users: role, accounts, and their keys (prefix, scope, created, last used; never a key)."""
    listing = _users().listing()
    if as_json:
        print_json([user.model_dump(mode="json") for user in listing])
        return
    if not listing:
        click.echo("no users: add one with `brokerplex users add NAME --role admin`", err=True)
    for user in listing:
        granted = ", ".join(user.accounts) or ("all accounts" if user.role.value == "admin" else "no accounts")
        click.echo(f"{user.name}  {user.role.value}  {granted}" + ("  totp" if user.totp else ""))
        for made in user.keys:
            used = made.last_used_at.isoformat(timespec="seconds") if made.last_used_at else "never used"
            revoked = f"  revoked {made.revoked_at.isoformat(timespec='seconds')}" if made.revoked_at else ""
            click.echo(f"  key {made.prefix}  {made.scope.value}  created "
                       f"{made.created_at.isoformat(timespec='seconds')}  {used}{revoked}")


@users.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Remove user NAME, their API keys and browser sessions."""
    _users().remove(name)
    _audit("user.remove", name)
    click.echo(f"removed {name}", err=True)


@users.command("passwd")
@click.argument("name")
@password_stdin_option
def passwd(name: str, password_stdin: bool) -> None:
    """Set NAME's password (asked twice, or --password-stdin); their browser sessions end."""
    store = _users()
    store.known(name)
    store.set_password(name, _password(password_stdin))
    _audit("user.password", name)
    click.echo(f"changed the password of {name}; their browser sessions ended", err=True)


@users.command("revoke-key")
@click.argument("prefix")
def revoke_key(prefix: str) -> None:
    """Revoke the API key whose prefix `users list` shows."""
    owner = _users().revoke_key(prefix)
    _audit("key.revoke", owner, {"prefix": prefix})
    click.echo(f"revoked key {prefix} of {owner}", err=True)
