"""``brokerplex users`` as a user runs it (child processes), on SQLite and on PostgreSQL: what it writes is
what a started server reads; secrets appear only where they must (the new key, once); bad input is one
line, exit 2, nothing written; every change is in the audit log with source ``cli``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from apiserver import ApiServer
from brokerplex.cli.app import State
from brokerplex.testing.harness import eventually
from brokerplex_server.auth.identify import SESSION_COOKIE
from brokerplex_server.auth.principal import Role
from brokerplex_server.auth.signin import PER_NAME
from brokerplex_server.auth.users import KEY_TRUST_SECONDS
from brokerplex_server.commands.users import users as users_group
from cli_results import data, ok, one_line_error
from processes import WAIT

Start = Callable[..., ApiServer]
PASSWORD = "correct horse battery"
BROKERPLEX = str(Path(sys.executable).parent / "brokerplex")


class Users:
    """``brokerplex [--database URL] users …`` in child processes; every output is kept, to look for secrets.
    PostgreSQL is named by the global ``--database`` option or by ``$BROKERPLEX_DATABASE``."""

    def __init__(self, home: Path, database: str | None) -> None:
        self.env = {name: value for name, value in os.environ.items() if name != "BROKERPLEX_DATABASE"}
        self.env["BROKERPLEX_HOME"] = str(home)
        self.database = database
        self.outputs: list[str] = []

    def __call__(self, *args: str, stdin: str | None = None, by_option: bool = False,
                 ) -> subprocess.CompletedProcess[str]:
        """``brokerplex users ARGS``: the database named by ``$BROKERPLEX_DATABASE``, or ``--database``."""
        options = ["--database", self.database] if self.database and by_option else []
        env = {**self.env, "BROKERPLEX_DATABASE": self.database} if self.database and not by_option else self.env
        done = subprocess.run([BROKERPLEX, *options, "users", *args], capture_output=True, text=True, timeout=120,
                              input=stdin, env=env)
        self.outputs += [done.stdout, done.stderr]
        return done


@pytest.fixture
def users(home: Path, database: str | None, paper_accounts: tuple[str, str]) -> Users:
    return Users(home, database)


def sign_in(server: ApiServer, name: str, password: str) -> httpx.Response:
    return server.client().post("/session", json={"name": name, "password": password})


def test_a_user_added_here_uses_a_started_server_with_its_key_and_password(users: Users,
                                                                           start_server: Start) -> None:
    ok(users("add", "alice", "--role", "trader", "--accounts", "p1", "--password-stdin", stdin=f"{PASSWORD}\n",
             by_option=True))
    made = users("key", "alice")
    key = ok(made).stdout.strip()
    assert made.stdout == f"{key}\n"  # the key alone on stdout
    assert key.startswith("bpx_")
    read_key = data(users("key", "alice", "--scope", "read", "--json"))["key"]

    server = start_server()
    me = server.client(key).get("/session")
    assert me.status_code == 200, me.text
    assert me.json()["user"] == "alice"
    assert server.client(key).get("/accounts/p1/orders").status_code == 200
    assert server.client(key).get("/accounts/p2/orders").status_code == 403
    assert server.client(read_key).post("/accounts/p1/orders", json={}).status_code == 403
    assert sign_in(server, "alice", PASSWORD).status_code == 200
    assert sign_in(server, "alice", "not the password").status_code == 401

    listed = data(users("list", "--json"))
    assert [(user["name"], user["role"], user["accounts"]) for user in listed] == [("alice", "trader", ["p1"])]
    keys = listed[0]["keys"]
    assert [(entry["prefix"], entry["scope"]) for entry in keys] == [
        (key.split("_")[1], "trade"), (read_key.split("_")[1], "read")]
    assert keys[0]["last_used_at"] is not None
    assert keys[1]["last_used_at"] is not None
    ok(users("list"))

    everything = "\n".join(users.outputs)
    assert PASSWORD not in everything
    assert "$argon2" not in everything
    assert everything.count(key) == 1  # printed once: by `users key`, never listed
    assert everything.count(read_key) == 1

    root = server.key("root", Role.ADMIN)
    written = [entry for entry in server.client(root).get("/audit").json() if entry["source"] == "cli"]
    assert [(entry["action"], entry["target"]) for entry in written] == [
        ("key.add", "alice"), ("key.add", "alice"), ("user.add", "alice")]
    assert all(str(entry["user"]).startswith("os:") for entry in written)


def test_bad_input_is_one_line_exit_2_and_writes_nothing(users: Users) -> None:
    ok(users("add", "alice", "--role", "viewer", "--accounts", "p1", "--password-stdin", stdin=f"{PASSWORD}\n"))
    before = data(users("list", "--json"))
    refused = {
        "no account 'nope'": users("add", "bob", "--role", "trader", "--accounts", "p1,nope", "--password-stdin",
                                   stdin=f"{PASSWORD}\n"),
        "at least 8": users("add", "bob", "--role", "trader", "--password-stdin", stdin="short\n"),
        "stdin is empty": users("add", "bob", "--role", "trader", "--password-stdin", stdin=""),
        "invalid user name": users("add", "bad name", "--role", "viewer", "--password-stdin", stdin=f"{PASSWORD}\n"),
        "exists": users("add", "alice", "--role", "viewer", "--password-stdin", stdin=f"{PASSWORD}\n"),
        "give no accounts to an admin": users("add", "bob", "--role", "admin", "--accounts", "p1",
                                              "--password-stdin", stdin=f"{PASSWORD}\n"),
        "'root'": users("add", "bob", "--role", "root", "--password-stdin", stdin=f"{PASSWORD}\n"),
        "no user 'carol'": users("key", "carol"),
        "'admin'": users("key", "alice", "--scope", "admin"),
        "no user 'dave'": users("remove", "dave"),
        "no user 'erin'": users("passwd", "erin", "--password-stdin", stdin=f"{PASSWORD}\n"),
        "no live API key": users("revoke-key", "deadbeef"),
    }
    for expected, done in refused.items():
        line = one_line_error(done, 2)
        assert expected in line, (expected, line)
        assert done.stdout == ""
    assert data(users("list", "--json")) == before
    assert PASSWORD not in "\n".join(users.outputs)


def refused(client: httpx.Client) -> bool:
    """Whether the server comes to refuse the client's key (within KEY_TRUST_SECONDS and some)."""
    return eventually(lambda: client.get("/session").status_code == 401 or None, KEY_TRUST_SECONDS + WAIT) is True


def test_passwd_ends_browser_sessions_remove_and_revoke_end_keys(users: Users, start_server: Start) -> None:
    ok(users("add", "alice", "--role", "trader", "--accounts", "p1", "--password-stdin", stdin=f"{PASSWORD}\n"))
    first, second = ok(users("key", "alice")).stdout.strip(), ok(users("key", "alice")).stdout.strip()
    server = start_server()
    signed_in = sign_in(server, "alice", PASSWORD)
    browser = server.client()
    browser.headers["Cookie"] = f"{SESSION_COOKIE}={signed_in.cookies[SESSION_COOKIE]}"
    assert browser.get("/session").status_code == 200

    ok(users("passwd", "alice", "--password-stdin", stdin="a brand new password\n"))
    assert browser.get("/session").status_code == 401
    assert sign_in(server, "alice", PASSWORD).status_code == 401
    assert sign_in(server, "alice", "a brand new password").status_code == 200
    assert server.client(first).get("/session").status_code == 200  # keys stay

    ok(users("revoke-key", first.split("_")[1]))  # another process: the server trusts a checked key a second
    assert refused(server.client(first))
    assert server.client(second).get("/session").status_code == 200
    ok(users("remove", "alice"))
    assert refused(server.client(second))
    assert data(users("list", "--json")) == []


def test_wrong_passwords_for_a_cli_made_user_end_in_429(users: Users, start_server: Start) -> None:
    ok(users("add", "alice", "--role", "viewer", "--accounts", "p1", "--password-stdin", stdin=f"{PASSWORD}\n"))
    server = start_server()
    for _ in range(PER_NAME):
        assert sign_in(server, "alice", "a wrong guess").status_code == 401
    limited = sign_in(server, "alice", PASSWORD)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0


def test_the_password_prompt_asks_twice_and_hides_it(home: Path, database: str | None) -> None:
    runner = CliRunner()
    current = State(home, database)
    try:
        done = runner.invoke(users_group, ["add", "alice", "--role", "admin"], obj=current,
                             input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n")
        assert done.exit_code == 0, done.output
        assert PASSWORD not in done.output
        assert done.output.count("Password") == 2  # the first pair did not match: asked again
        listed = runner.invoke(users_group, ["list", "--json"], obj=current)
        assert [user["name"] for user in json.loads(listed.output)] == ["alice"]
    finally:
        current.close()
