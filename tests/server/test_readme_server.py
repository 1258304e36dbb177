"""The README's server walk-through, run as written: activate, serve, users add, users key, and the curl
that places an order (the port becomes a free one and the key the one printed)."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
from pathlib import Path

from processes import Child

ROOT = Path(__file__).parents[2]
PORT = "8000"


def walk() -> list[tuple[str, list[str]]]:
    """The server section's ``console`` block that makes a user (``serve --demo`` has its own test): each
    ``$`` command with the lines it shows."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### The server", 1)[-1].split("\n## ", 1)[0]
    block = next((found for found in re.findall(r"```console\n(.*?)```", section, re.DOTALL) if "users add" in found),
                 None)
    assert block is not None, "the README has no server walk-through"
    steps: list[tuple[str, list[str]]] = []
    for line in block.replace("\\\n", " ").splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


def run(command: str, env: dict[str, str], stdin: str = "") -> str:
    # A new session has no terminal, so the hidden password prompt reads stdin.
    done = subprocess.run(shlex.split(command), cwd=ROOT, env=env, input=stdin, capture_output=True, text=True,
                          timeout=60, start_new_session=True)
    assert done.returncode == 0, (command, done.stdout, done.stderr)
    return done.stdout


def test_the_server_walk_through_works_as_written(tmp_path: Path) -> None:
    steps = walk()
    commands = [command for command, _ in steps]
    assert [command.split()[1:3] for command in commands[:4]] == [
        ["activate", "paper"], ["serve", "--port"], ["users", "add"], ["users", "key"]]
    assert commands[4].startswith("curl ")
    env = {**os.environ, "BROKERPLEX_HOME": str(tmp_path / "home")}
    env.pop("BROKERPLEX_DATABASE", None)
    run(commands[0], env)
    serve = shlex.split(commands[1].replace(f"--port {PORT}", "--port 0"))
    assert serve[0] == ".venv/bin/brokerplex"
    server = Child(*serve[1:], env=env)
    try:
        first = server.record(lambda record: "url" in record)
        assert set(first) == set(json.loads(steps[1][1][0])), "the README shows the first line's fields"
        run(commands[2], env, stdin="correct horse battery\ncorrect horse battery\n")
        key = run(commands[3], env).strip()
        assert key.startswith("bpx_")
        assert len(key.splitlines()) == 1
        curl = commands[4].replace(steps[3][1][0], key).replace(f"http://127.0.0.1:{PORT}", str(first["url"]))
        ack = json.loads(run(curl, env))
        assert ack["status"] == "COMPLETE"
        assert set(json.loads(steps[4][1][0].replace(", …}", "}").replace('"…"', '""'))) <= set(ack)
    finally:
        assert server.stop(signal.SIGTERM) == 0, server.stderr.rest()
