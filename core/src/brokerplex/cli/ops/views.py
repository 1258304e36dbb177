"""Account views: profile, and the P&L of one or several accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from brokerplex.cli.app import all_clients_option, cli, client_option, json_option, print_json, state
from brokerplex.errors import BrokerplexError, InputError

if TYPE_CHECKING:
    from brokerplex.ops.models import PnlSummary


@cli.command()
@click.argument("account")
@json_option
def profile(account: str, as_json: bool) -> None:
    """The login's profile: user id, name, exchanges and products."""
    found = state().manager.profile(account)
    if as_json:
        print_json(found.model_dump(mode="json"))
        return
    from brokerplex.cli.ops.render import profile as table

    table(found)


@cli.command()
@click.argument("accounts", nargs=-1, required=True, metavar="ACCOUNT...")
@client_option
@all_clients_option
@json_option
def pnl(accounts: tuple[str, ...], client: str | None, all_clients: bool, as_json: bool) -> None:
    """Day and net P&L, realised and unrealised, per position and in total, of each ACCOUNT (and a grand total
    across them). An account that cannot be read is reported, the others still shown, and the exit code is 1."""
    if all_clients and client:
        raise InputError("give --client or --all-clients, not both")
    summaries: list[PnlSummary] = []
    errors: list[tuple[str, str | None, Exception]] = []
    for account in dict.fromkeys(accounts):
        try:
            found, failed = _read(account, client, all_clients)
        except BrokerplexError as exc:
            found, failed = [], [(account, client, exc)]
        summaries += found
        errors += failed
    if not summaries and len(errors) == 1:
        raise errors[0][2]  # nothing else to show: the one error, as any command reports it
    if as_json:
        print_json({"summaries": [_record(summary) for summary in summaries], "total": _total(summaries),
                    "errors": [{"account": account, "client": code, "error": str(error),
                                "error_type": type(error).__name__} for account, code, error in errors]})
    else:
        from brokerplex.cli.ops.render import pnl as table

        table(summaries)
    for account, code, error in errors:
        click.echo(f"warning: {account}{f' client {code}' if code else ''}: {error}", err=True)
    if errors:
        what = ", ".join(f"{account}{f'/{code}' if code else ''}" for account, code, _ in errors)
        if not summaries and all(isinstance(error, InputError) for _, _, error in errors):
            raise InputError(f"no P&L could be read ({what})")
        raise click.ClickException(f"{len(errors)} P&L could not be read ({what}); the others are shown")


def _read(account: str, client: str | None,
          all_clients: bool) -> tuple[list[PnlSummary], list[tuple[str, str | None, Exception]]]:
    manager = state().manager
    if not all_clients:
        return [manager.pnl(account, client=client)], []
    results = manager.for_clients(account, None, lambda code: manager.aio.pnl(account, client=code))
    return ([result.value for result in results if result.value is not None],
            [(account, result.client, result.error) for result in results if result.error is not None])


def _record(summary: PnlSummary) -> dict[str, Any]:
    """A summary's JSON, with the net P&L of each line and of the whole (properties, so not dumped)."""
    from brokerplex.formats import money_text

    record = summary.model_dump(mode="json")
    record["net"] = money_text(summary.net)
    for line, dumped in zip(summary.lines, record["lines"], strict=True):
        dumped["net"] = money_text(line.net)
    return record


def _total(summaries: list[PnlSummary]) -> dict[str, str]:
    from brokerplex.formats import money_text
    from brokerplex.ops.models import pnl_totals

    return {name: money_text(value) for name, value in pnl_totals(summaries).items()}


def unresolved(account: str, symbol: str | None, client: str | None, all_clients: bool, as_json: bool) -> None:
    """``orders --status unknown``: the journal's orders whose outcome is unknown (``reconcile`` settles them)."""
    import json

    from brokerplex.cli.ops.render import unresolved as table
    from brokerplex.cli.ops.render import unresolved_record
    from brokerplex.symbols import canonical

    wanted = canonical(symbol) if symbol else None
    found = [entry for entry in state().manager.unresolved_orders(account)
             if (all_clients or client is None or entry.client == client)
             and (wanted is None or json.loads(entry.request).get("symbol") == wanted)]
    if as_json:
        print_json([unresolved_record(entry) for entry in found])
    else:
        table(found)
