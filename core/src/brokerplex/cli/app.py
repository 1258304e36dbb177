"""The command group, its shared options and state, and ``main`` (errors to exit codes)."""

from __future__ import annotations

import json
import logging
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
ENV_INDIAN = "BROKERPLEX_INDIAN"


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
    """``-o KEY=VALUE`` pairs; a key given twice is refused rather than one value silently winning."""
    parsed: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(f"option {pair!r} is not KEY=VALUE")
        if key in parsed:
            raise InputError(f"setting {key!r} is given twice (-o {key}=...): give each setting once")
        parsed[key] = value
    return parsed


class State:
    """Per-invocation state: the home folder and a manager made on first use."""

    def __init__(self, home: Path | None, database: str | None = None) -> None:
        self.home = home
        self.database = database  # --database, else $BROKERPLEX_DATABASE, else SQLite under the home
        self.bus: str | None = None  # a command's --bus, when it has one
        self._manager: BrokerManager | None = None

    @property
    def manager(self) -> BrokerManager:
        if self._manager is None:
            from brokerplex.manager import BrokerManager

            self._manager = BrokerManager(self.checked_home(), bus=self.bus, database=self.database)
        return self._manager

    def checked_home(self) -> Path:
        """The home folder (--home, else $BROKERPLEX_HOME, else the config folder), checked usable."""
        from brokerplex.storage import ENV_HOME, check_home, home_dir

        if self.home is not None:
            return check_home(self.home, "--home")
        return check_home(home_dir(), f"${ENV_HOME}" if os.environ.get(ENV_HOME) else "the config folder")

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
@click.option("--database", metavar="URL",
              help="The store: sqlite:///FILE or postgresql://… (default: $BROKERPLEX_DATABASE, else a SQLite "
                   "file in the state folder).")
@click.option("--debug", is_flag=True, help="Show tracebacks on failure.")
@click.option("--indian", is_flag=True, envvar=ENV_INDIAN,
              help=f"Group digits the Indian way in tables: 1,23,456.50 (or set {ENV_INDIAN}=1).")
@click.version_option(package_name="brokerplex")
@click.pass_context
def cli(ctx: click.Context, home: Path | None, database: str | None, debug: bool, indian: bool) -> None:
    """One API over many Indian brokers."""
    if indian:
        from brokerplex.tables import use_indian_grouping

        use_indian_grouping()
    ctx.obj = State(home, database)
    ctx.call_on_close(ctx.obj.close)


@cli.group()
def sim() -> None:
    """Run a broker's wire simulator on this machine (plugins add one command each)."""


def _load_plugin_commands() -> None:
    from brokerplex.plugins import get_plugin_manager

    hooks = get_plugin_manager().hook
    hooks.register_commands(cli=cli)
    hooks.register_simulators(register=sim.add_command)


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get(ENV_DEBUG, "") not in ("", "0")
    _show_warnings(debug)
    try:
        _load_plugin_commands()
        code = cli.main(args=args, prog_name="brokerplex", standalone_mode=False)
    except click.exceptions.Abort:
        _fail("aborted", 1, debug)
    except click.UsageError as exc:
        if isinstance(exc, _NO_ARGS):  # a group run bare: its whole help, as click prints it
            exc.show()
            sys.exit(exc.exit_code)
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


# click >= 8.2 raises this for a group run without a command (older versions print the help themselves).
_NO_ARGS: tuple[type[click.UsageError], ...] = tuple(
    getattr(click.exceptions, name) for name in ("NoArgsIsHelpError",) if hasattr(click.exceptions, name))


class _WarningLines(logging.Formatter):
    """A logged warning as one ``warning: …`` line; its traceback only with ``--debug``."""

    def __init__(self, debug: bool) -> None:
        super().__init__()
        self.debug = debug

    def format(self, record: logging.LogRecord) -> str:
        line = f"warning: {' '.join(record.getMessage().split())}"
        if self.debug and record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _show_warnings(debug: bool) -> None:
    """What the library logs at WARNING or above reaches the person at the terminal, one line each."""
    root = logging.getLogger()
    if any(isinstance(handler.formatter, _WarningLines) for handler in root.handlers):
        return  # main() run again in one process
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_WarningLines(debug))
    handler.setLevel(logging.WARNING)
    root.addHandler(handler)


def _fail(message: str, code: int, debug: bool) -> None:
    if debug:
        import traceback

        traceback.print_exc()
    click.echo(f"error: {' '.join(message.split())}", err=True)
    sys.exit(code)
