"""Settings, presets and the per-host rate limits of one XTS login."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from brokerplex_xts_client.http import XtsHttp
from brokerplex_xts_client.settings import PRESETS, XtsClientSettings

KEYS = {"interactive_key": "ik", "interactive_secret": "is-secret", "marketdata_key": "mk",
        "marketdata_secret": "ms-secret"}


def test_presets_fill_in_the_root_and_an_explicit_root_wins() -> None:
    assert XtsClientSettings(broker="Jainam", **KEYS).root == PRESETS["jainam"]
    explicit = XtsClientSettings(broker="iifl", root="https://xts.example.invalid:4000/", **KEYS)
    assert explicit.root == "https://xts.example.invalid:4000"
    assert explicit.host == "xts.example.invalid:4000"


def test_a_root_or_a_preset_is_required() -> None:
    with pytest.raises(ValidationError, match="give root"):
        XtsClientSettings(**KEYS)


def test_secrets_stay_masked() -> None:
    settings = XtsClientSettings(broker="iifl", **KEYS)
    assert "is-secret" not in repr(settings)
    assert "ms-secret" not in str(settings)


def test_logins_of_one_host_share_their_limits() -> None:
    first = XtsHttp(XtsClientSettings(broker="iifl", **KEYS), account="a")
    second = XtsHttp(XtsClientSettings(broker="iifl", **KEYS), account="b")
    other = XtsHttp(XtsClientSettings(broker="wisdom", **KEYS), account="c")
    assert first.limiter("orders") is second.limiter("orders")
    assert first.limiter("orders") is not first.limiter("interactive")
    assert first.limiter("orders") is not other.limiter("orders")
    assert "ttblaze.iifl.com" in repr(first.limiter("orders"))
    assert "secret" not in repr(first)
