"""The command group, its shared options and state, and ``main`` (errors to exit codes)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from brokerplex.errors import BrokerplexError, InputError

if TYPE_CHECKING:
    from brokerplex.manager import BrokerManager

ENV_DEBUG = "BROKERPLEX_DEBUG"


class PriceType(click.ParamType):  # type: ignore[type-arg]
    name = "price"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        try:
            price = Decimal(str(value))
        except InvalidOperation:
            self.fail(f"{value!r} is not a price", param, ctx)
        if not price.is_finite() or price <= 0:
            self.fail(f"{value!r} is not a positive price", param, ctx)
        return price


PRICE = PriceType()
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
client_option = click.option(
    "--client", metavar="CODE", help="Dealer logins: act for this client code (default: the account's client_code)."
)
all_clients_option = click.option("--all-clients", is_flag=True, help="Dealer logins: every client the login holds.")
options_option = click.option(
    "-o", "--option", "options", multiple=True, metavar="KEY=VALUE", help="A setting; repeat for more."
)


def parse_options(pairs: Sequence[str]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"option {pair!r} is not KEY=VALUE")
        parsed[key.strip()] = value
    return parsed


class State:
    """Per-invocation state: the home folder and a manager made on first use."""

    def __init__(self, home: Path | None) -> None:
        self.home = home
        self._manager: BrokerManager | None = None

    @property
    def manager(self) -> BrokerManager:
        if self._manager is None:
            from brokerplex.manager import BrokerManager

            self._manager = BrokerManager(self.home)
        return self._manager

    def close(self) -> None:
        if self._manager is not None:
            self._manager.close()


def state() -> State:
    return click.get_current_context().find_object(State) or State(None)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(path_type=Path),
              help="State folder (default: $BROKERPLEX_HOME, else the config folder).")
@click.option("--debug", is_flag=True, help="Show tracebacks on failure.")
@click.version_option(package_name="brokerplex")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, debug: bool) -> None:
    """One API over many Indian brokers."""
    ctx.obj = State(home)
    ctx.call_on_close(ctx.obj.close)


@cli.group()
def sim() -> None:
    """Run a broker's wire simulator on this machine (plugins add one command each)."""


def _load_plugin_commands() -> None:
    from brokerplex.plugins import get_plugin_manager

    get_plugin_manager().hook.register_commands(cli=cli)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get(ENV_DEBUG, "") not in ("", "0")
    try:
        _load_plugin_commands()
        code = cli.main(args=args, prog_name="brokerplex", standalone_mode=False)
    except click.exceptions.Abort:
        _fail("aborted", 1, debug)
    except click.UsageError as exc:
        hint = f" (try: {exc.ctx.command_path} --help)" if exc.ctx else ""
        _fail(f"{exc.format_message()}{hint}", 2, debug)
    except InputError as exc:
        _fail(str(exc), 2, debug)
    except BrokerplexError as exc:
        _fail(str(exc), 1, debug)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code, debug)
    except Exception as exc:
        _fail(f"unexpected {type(exc).__name__}: {exc}", 1, debug)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int, debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc()
    click.echo(f"error: {' '.join(message.split())}", err=True)
    sys.exit(code)
