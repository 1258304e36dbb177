"""Secrets never reach reprs, errors, logs or CLI output; the store keeps them sealed, its files are 0600."""

from __future__ import annotations

import fcntl
import importlib.util
import json
import logging
import os
import select
import stat
import subprocess
import sys
import termios
from collections.abc import Iterator
from pathlib import Path

import pluggy
import pytest

from brokerplex.errors import AuthenticationError, SettingsError
from brokerplex.manager import BrokerManager
from brokerplex.plugins import new_plugin_manager
from brokerplex.storage import write_private
from brokerplex.store import Store

SECRET = "s3cret"
ACME = Path(__file__).parent / "plugins" / "brokerplex_acme.py"


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> pluggy.PluginManager:
    spec = importlib.util.spec_from_file_location("brokerplex_acme_inprocess", ACME)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # pydantic resolves annotations through it
    spec.loader.exec_module(module)
    manager = new_plugin_manager()
    manager.register(module, name="acme")
    return manager


@pytest.fixture
def manager(home: Path, plugins: pluggy.PluginManager) -> Iterator[BrokerManager]:
    with BrokerManager(home, plugin_manager=plugins) as manager:
        yield manager


def test_secret_from_the_environment_is_stored_privately_and_shown_nowhere(
    manager: BrokerManager, home: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("BROKERPLEX_A1_API_SECRET", SECRET)
    caplog.set_level(logging.DEBUG)
    account = manager.activate("acme", "a1", {"api_key": "key1"})
    manager.place_order("a1", __import__("brokerplex").OrderRequest(symbol="NSE:INFY", side="BUY", quantity=1))
    shown = " ".join([repr(account), str(account), repr(account.settings), json.dumps(account.public_settings()),
                      repr(manager.account("a1")), caplog.text])
    assert SECRET not in shown
    assert "key1" in shown  # the check above looks where settings do appear
    assert_sealed(home, "a1")


def assert_sealed(home: Path, account: str) -> None:
    """The secret is in the store, sealed: not in any of its files, readable only with the key (0600)."""
    for path in (home / "brokerplex.db", home / "secret.key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert_sealed_file(home)
    store = Store(home)
    try:
        assert store.engine.url.database == str(home / "brokerplex.db")
        from brokerplex.accounts import AccountStore

        assert AccountStore(store).get_raw(account)["settings"]["api_secret"] == SECRET
    finally:
        store.close()


def test_errors_about_settings_do_not_echo_values(manager: BrokerManager) -> None:
    with pytest.raises(SettingsError) as caught:
        manager.activate("acme", "a2", {"api_secret": SECRET})
    assert "api_key" in str(caught.value)
    assert SECRET not in str(caught.value)
    manager.activate("acme", "a3", {"api_key": "k", "api_secret": "wrong-" + SECRET})
    with pytest.raises(AuthenticationError) as refused:
        manager.profile("a3")
    assert SECRET not in str(refused.value)


def test_private_files_are_0600_and_replaced_atomically(tmp_path: Path) -> None:
    path = tmp_path / "limits" / "x.json"
    write_private(path, b"one")
    write_private(path, b"two")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == b"two"
    assert list(path.parent.iterdir()) == [path], "no temporary files left behind"


def test_stored_sessions_are_sealed_and_their_repr_shows_no_token(manager: BrokerManager, home: Path) -> None:
    manager.activate("acme", "a4", {"api_key": "k", "api_secret": "x"})
    session = manager.store.session("a4")
    session.save({"access_token": SECRET})
    assert session.load() == {"access_token": SECRET}
    assert SECRET not in repr(session)
    assert_sealed_file(home)


def assert_sealed_file(home: Path) -> None:
    for path in home.glob("brokerplex.db*"):
        assert SECRET.encode() not in path.read_bytes(), f"{path.name} holds the secret in clear"


def test_cli_prompts_for_a_missing_secret_without_echo(tmp_path: Path, acme_site: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(acme_site), "BROKERPLEX_HOME": str(tmp_path / "home")}
    controller, terminal = os.openpty()

    def controlled_by_the_terminal() -> None:  # so that the hidden prompt reads it as /dev/tty
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen([str(Path(sys.executable).parent / "brokerplex"), "activate", "acme", "a1", "-o",
                                "api_key=k", "--json"], stdin=terminal, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, text=True, preexec_fn=controlled_by_the_terminal)
    os.close(terminal)
    seen = b""
    while b"api_secret" not in seen:  # the prompt flushes earlier input: answer only once it asks
        ready, _, _ = select.select([controller], [], [], 30)
        assert ready, f"no prompt; terminal showed {seen!r}"
        seen += os.read(controller, 1024)
    os.write(controller, f"{SECRET}\n".encode())
    out, err = process.communicate(timeout=60)
    while select.select([controller], [], [], 0.2)[0]:
        try:
            seen += os.read(controller, 1024)
        except OSError:  # the terminal is gone once the child exits
            break
    os.close(controller)
    assert SECRET.encode() not in seen, "the secret was echoed to the terminal"
    assert process.returncode == 0, err
    assert SECRET not in out + err
    assert json.loads(out)["settings"]["api_secret"] == "**********"
    assert_sealed(tmp_path / "home", "a1")
