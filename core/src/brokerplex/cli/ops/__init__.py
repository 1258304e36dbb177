"""The trader operations' commands: exit, convert, basket, target, margin, halt/resume (trading), gtt,
search/expiries/chain/depth/candles (market), profile and pnl (views). ``place --slice/--dry-run``,
``cancel --all`` and ``orders --status`` are options of the order and book commands."""

from brokerplex.cli.ops import gtt, market, trading, views  # noqa: F401 - they register their commands
