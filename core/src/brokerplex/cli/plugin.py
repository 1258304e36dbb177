"""``brokerplex plugin new NAME``: write a complete broker plugin package from the template.

The template (``brokerplex/template``, files ending ``.tmpl``) is a working plugin for an imaginary
broker: settings, broker, mapping, errors, a wire simulator on the paper exchange, and tests running the
conformance kit. Writing one replaces ``{{name}}`` (the registered name), ``{{Name}}`` (its class
prefix) and ``{{dist}}`` (the distribution) in every file, and ``NAME`` in folder names.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

import click

from brokerplex.cli.app import cli
from brokerplex.errors import InputError

#: A broker's registered name: it is also a Python package name (brokerplex_NAME) and an entry point.
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{1,19}")
SUFFIX = ".tmpl"
TEMPLATE = Path(__file__).parents[1] / "template"  # package data: installed as files, in a wheel too


@cli.group()
def plugin() -> None:
    """Write broker plugins."""


@plugin.command()
@click.argument("name")
@click.option("--dir", "where", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              help="The folder to write brokerplex-NAME in (default: this one).")
def new(name: str, where: Path) -> None:
    """Write brokerplex-NAME: a complete broker plugin, to grow into a real one.

    As written it installs, registers NAME, ships a wire simulator and passes the conformance kit
    against it; its README says what to change for a real broker."""
    check_name(name)
    target = where / distribution(name)
    if target.exists():
        raise InputError(f"{target} exists already: give another --dir, or move it away")
    files = write_plugin(name, target)
    click.echo(f"wrote {target} ({len(files)} files); next:\n"
               f"  pip install -e '{target}[sim,test]'\n  cd {target} && python -m pytest")


def check_name(name: str) -> None:
    """Refuse a name that cannot be a package and an entry point, or that an installed broker has."""
    from importlib.util import find_spec

    from brokerplex.plugins import registered_brokers

    if not NAME_PATTERN.fullmatch(name) or keyword.iskeyword(name) or name.endswith("_"):
        raise InputError(f"{name!r} cannot name a broker plugin: use 2-20 lower-case letters, digits and "
                         "underscores, starting with a letter (e.g. acme or acme_pro)")
    if name in registered_brokers() or find_spec(f"brokerplex_{name}") is not None:
        raise InputError(f"a broker named {name!r} is installed already: choose another name")


def distribution(name: str) -> str:
    return "brokerplex-" + name.replace("_", "-")


def write_plugin(name: str, target: Path) -> list[Path]:
    """Write the template for ``name`` under ``target``; the files written."""
    class_prefix = "".join(word.capitalize() for word in name.split("_"))
    words = {"{{name}}": name, "{{Name}}": class_prefix, "{{dist}}": distribution(name)}
    written = []
    for source in sorted(TEMPLATE.rglob(f"*{SUFFIX}")):
        relative = str(source.relative_to(TEMPLATE)).replace("NAME", name).removesuffix(SUFFIX)
        path = target / relative
        text = source.read_text(encoding="utf-8")
        for marker, value in words.items():
            text = text.replace(marker, value)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

