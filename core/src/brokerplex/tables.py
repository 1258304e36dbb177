"""Tables for people (rich). Scripts use ``--json`` instead.

A table never cuts a number, an id or a status. It is as wide as the terminal really is
(``COLUMNS``, else the terminal's size, else 80); when its columns do not fit, the least
important ones are left out and named under the table, free text wraps, and when even the
essential columns do not fit, every row is printed as a record of ``name  value`` lines.

Colour marks side, status and P&L on a terminal; none when output is not a terminal or
``NO_COLOR`` is set (rich reads both). Numbers are grouped by thousands, or the Indian way
(1,23,456.50) after :func:`use_indian_grouping`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Literal

from brokerplex.formats import money_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

# A table's frame: one padding space either side of each column, one rule between columns and at each edge.
_FRAME_PER_COLUMN, _FRAME = 3, 1
_WRAPPED_MIN = 10  # the narrowest a wrapping text column is squeezed to before columns are left out
_indian = False


@dataclass(frozen=True, slots=True)
class Column:
    """How one column is shown.

    ``drop``: 0 for a column always shown; otherwise the order in which columns are left out when
    the terminal is narrow, the highest first. ``wrap``: free text that may run over several lines.
    ``paint``: the style (a colour) for a value, or None.
    """

    header: str
    drop: int = 0
    wrap: bool = False
    justify: Literal["left", "right"] = "left"
    paint: Callable[[object], str | None] | None = None


def number(header: str, drop: int = 0, paint: Callable[[object], str | None] | None = None) -> Column:
    """A right-aligned column of numbers."""
    return Column(header, drop=drop, justify="right", paint=paint)


def use_indian_grouping(on: bool = True) -> None:
    """Group digits the Indian way (1,23,45,678.50) instead of by thousands."""
    global _indian
    _indian = on


@cache
def console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def table(title: str, columns: Sequence[str | Column], rows: Sequence[Sequence[object]]) -> None:
    """Print ``rows`` under ``columns`` (a plain name is an essential, unwrapped column)."""
    specs = [column if isinstance(column, Column) else Column(column) for column in columns]
    texts = [[cell(value) for value in row] for row in rows]
    shown = fitting(specs, texts, console().width)
    if shown is None:
        _records(title, specs, rows, texts)
    else:
        _grid(title, specs, rows, texts, shown)


def fitting(columns: Sequence[Column], texts: Sequence[Sequence[str]], width: int) -> list[int] | None:
    """The indexes of the columns to show in ``width``; None when even the essential ones do not fit."""
    from rich.cells import cell_len

    def needed(index: int) -> int:
        column = columns[index]
        widest = max([cell_len(column.header), *(cell_len(row[index]) for row in texts)])
        return min(widest, _WRAPPED_MIN) if column.wrap else widest

    widths = {index: needed(index) for index in range(len(columns))}
    empty = {index for index in widths if texts and all(row[index] == "-" for row in texts)}
    # Left out first: optional columns with nothing in them, then by rank.
    order = sorted((i for i, c in enumerate(columns) if c.drop), key=lambda i: (i in empty, columns[i].drop))
    shown = list(range(len(columns)))
    while sum(widths[i] for i in shown) + _FRAME_PER_COLUMN * len(shown) + _FRAME > width:
        if not order:
            return None
        shown.remove(order.pop())
    return shown


def _grid(title: str, columns: Sequence[Column], rows: Sequence[Sequence[object]], texts: Sequence[Sequence[str]],
          shown: Sequence[int]) -> None:
    from rich.table import Table

    grid = Table(title=title, title_justify="left", caption_justify="left", show_lines=False)
    for index in shown:
        column = columns[index]
        # "fold", not an ellipsis: were a value ever wider than its column, it would run on, not be cut.
        grid.add_column(column.header, justify=column.justify, no_wrap=not column.wrap, overflow="fold")
    for row, text in zip(rows, texts, strict=True):
        grid.add_row(*(_painted(columns[i], row[i], text[i]) for i in shown))
    left_out = [index for index in range(len(columns)) if index not in shown]
    if not rows:
        grid.caption = "(none)"
    elif left_out:
        grid.caption = f"hidden for width: {', '.join(columns[i].header for i in left_out)} (--json has all)"
    console().print(grid)
    _folded_text(columns, texts, [index for index in left_out if columns[index].wrap])


def _folded_text(columns: Sequence[Column], texts: Sequence[Sequence[str]], hidden: Sequence[int]) -> None:
    """Free text (a rejection's reason) of a column left out, under the table, keyed by the row's id."""
    key = next((i for i, column in enumerate(columns) if column.header.endswith(" id")), 0)
    for index in hidden:
        for row in texts:
            if row[index] != "-":
                console().print(f"{row[key]}: {row[index]}", overflow="fold")


def _records(title: str, columns: Sequence[Column], rows: Sequence[Sequence[object]],
             texts: Sequence[Sequence[str]]) -> None:
    """Each row as ``name  value`` lines: the form that fits any width without cutting a value."""
    from rich.table import Table

    out = console()
    out.print(title if rows else f"{title}: (none)", style="italic")
    for row, text in zip(rows, texts, strict=True):
        record = Table.grid(padding=(0, 2))
        record.add_column(no_wrap=True, style="bold")
        record.add_column(overflow="fold")
        for column, value, shown in zip(columns, row, text, strict=True):
            record.add_row(column.header, _painted(column, value, shown))
        out.print()
        out.print(record)


def _painted(column: Column, value: object, text: str) -> Text | str:
    style = column.paint(value) if column.paint else None
    if not style:
        return text
    from rich.text import Text

    return Text(text, style=style)


def cell(value: object) -> str:
    """A value as a table shows it: money with its digits and two places at least, numbers grouped."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        whole, _, fraction = money_text(value).partition(".")
        return f"{grouped(whole)}.{fraction}"
    if isinstance(value, int):
        return grouped(str(value))
    return str(value)


def grouped(digits: str) -> str:
    """An integer's digits with group separators: by thousands, or the Indian way (lakh, crore)."""
    sign, digits = ("-", digits[1:]) if digits.startswith("-") else ("", digits)
    head, tail = digits[:-3], digits[-3:]
    size = 2 if _indian else 3
    groups = [head[max(end - size, 0):end] for end in range(len(head), 0, -size)]
    return sign + ",".join([*reversed(groups), tail])
