"""The console's typed client is made from ``console/openapi.json`` (committed, so that a build needs no
Python): it must be the app's OpenAPI document as it is now, or the console's types lie about the API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brokerplex_server.app import create_app
from brokerplex_server.config import ServerConfig

COMMITTED = Path(__file__).resolve().parents[2] / "console" / "openapi.json"


def test_the_consoles_api_document_is_the_apps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROKERPLEX_HOME", str(tmp_path))
    document = create_app(ServerConfig.from_environment()).openapi()
    assert json.loads(COMMITTED.read_text()) == document, "the API changed: run `npm run api` in console/"
