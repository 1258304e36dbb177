"""Plain tables for people (rich), free of the data model so that listing brokers stays fast."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from decimal import Decimal

from rich.console import Console
from rich.table import Table

console = Console(width=max(shutil.get_terminal_size((160, 24)).columns, 100), highlight=False)


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    grid = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        # Only the last column (a message, settings) wraps; ids and symbols stay whole.
        grid.add_column(column, no_wrap=column != columns[-1], overflow="fold")
    for row in rows:
        grid.add_row(*(cell(value) for value in row))
    if not rows:
        grid.caption = "(none)"
    console.print(grid)


def cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value == value.quantize(Decimal("0.01")) else f"{value:,}"
    return str(value)
