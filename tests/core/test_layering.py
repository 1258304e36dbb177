"""The shape of the code: no file past 500 lines, a small core, and no import cycle through the contract.

``python tests/core/test_layering.py`` prints the figures.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

ROOT = Path(__file__).parents[2]
CORE = ROOT / "core" / "src" / "brokerplex"
LONGEST_FILE = 500
CORE_CODE_LINES = 3500
OPS_CODE_LINES = 3000  # the trader operations (docs/adr/0001-trader-operations.md): their own budget
HUB_CODE_LINES = 2000  # the streaming hub and its bus (docs/adr/0002-streaming-hub.md): their own budget
STORE_CODE_LINES = 800  # the SQL store and its migrations (docs/adr/0003-store-and-server.md): their own budget


def python_files() -> list[Path]:
    return [path for folder in ("core", "plugins", "server", "tests", "benchmarks")
            for path in (ROOT / folder).rglob("*.py")
            if ".venv" not in path.parts]


def code_lines(path: Path) -> int:
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    source = path.read_text(encoding="utf-8")
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(
                    first.value.value, str):
                docstrings.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    lines: set[int] = set()
    quiet = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in quiet:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def core_files() -> list[Path]:
    """The core without its conformance kit (``testing/``), which plugin authors import in their tests,
    without the trader operations (``ops/`` and their commands in ``cli/ops/``), and without the streaming
    hub (``hub/`` and its commands), and without the store (``store/`` and its command)."""
    return [path for path in CORE.rglob("*.py") if not {"testing", "ops", "hub"} & set(path.relative_to(CORE).parts)
            and path not in hub_files() and path not in store_files()]


def ops_files() -> list[Path]:
    return [path for path in CORE.rglob("*.py") if "ops" in path.relative_to(CORE).parts]


def hub_files() -> list[Path]:
    commands = [CORE / "cli" / "hub.py", CORE / "cli" / "watch.py"]
    return [path for path in CORE.rglob("*.py") if "hub" in path.relative_to(CORE).parts or path in commands]


def store_files() -> list[Path]:
    return [path for path in CORE.rglob("*.py")
            if "store" in path.relative_to(CORE).parts or path == CORE / "cli" / "db.py"]


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (TYPE_CHECKING blocks too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_file_is_longer_than_500_lines() -> None:
    long = {str(path.relative_to(ROOT)): n for path in python_files()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST_FILE}
    assert not long, f"split these by job: {long}"


def test_the_core_stays_small() -> None:
    total = sum(code_lines(path) for path in core_files())
    assert total < CORE_CODE_LINES, f"the core has {total} lines of code (goal: under {CORE_CODE_LINES})"


def test_the_trader_operations_stay_small() -> None:
    total = sum(code_lines(path) for path in ops_files())
    assert total < OPS_CODE_LINES, f"the operations have {total} lines of code (goal: under {OPS_CODE_LINES})"


def test_the_hub_stays_small() -> None:
    total = sum(code_lines(path) for path in hub_files())
    assert total < HUB_CODE_LINES, f"the hub has {total} lines of code (goal: under {HUB_CODE_LINES})"


def test_the_store_stays_small() -> None:
    total = sum(code_lines(path) for path in store_files())
    assert total < STORE_CODE_LINES, f"the store has {total} lines of code (goal: under {STORE_CODE_LINES})"


def test_the_contract_imports_no_manager_and_the_kit_no_cli() -> None:
    assert not {name for name in imported(CORE / "hookspecs.py") if "manager" in name}
    for path in (CORE / "testing").rglob("*.py"):
        assert not {name for name in imported(path) if name.startswith("brokerplex.cli")}, path.name


if __name__ == "__main__":
    files = core_files()
    print(f"core without the kit: {sum(code_lines(p) for p in files)} lines of code "
          f"({sum(len(p.read_text().splitlines()) for p in files)} with comments, docstrings and blank lines), "
          f"{len(files)} files")
    print(f"trader operations: {sum(code_lines(p) for p in ops_files())} lines of code, {len(ops_files())} files")
    print(f"streaming hub: {sum(code_lines(p) for p in hub_files())} lines of code, {len(hub_files())} files")
    print(f"store: {sum(code_lines(p) for p in store_files())} lines of code, {len(store_files())} files")
    longest = max(python_files(), key=lambda p: len(p.read_text().splitlines()))
    print(f"longest file: {longest.relative_to(ROOT)} ({len(longest.read_text().splitlines())} lines)")
