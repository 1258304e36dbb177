"""Malformed replies on every route of both brokers: deep nesting, garbage, wrong types, null and missing
fields, numbers and times no calendar holds, trickled, cut and 5xx replies.

Whatever comes back, a call either returns or raises one of our errors, the plugin itself maps it (the
manager's safety net never has to), and an order whose reply could not be read is never settled as refused.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from brokerplex.errors import BrokerplexError
from brokerplex.journal import JournalState
from brokerplex.manager import BrokerManager
from brokerplex.models import OrderModify, OrderRequest, Side
from brokerplex.wire import parse_json

if TYPE_CHECKING:
    from tests.faults.conftest import Venue

Call = Callable[["Venue"], object]
Change = Callable[[bytes], bytes]
LEAVES = 12  # leaf fields damaged one at a time, per route and kind of damage
NESTED_TEXT = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def venue_timeout() -> float:
    """What a trickled reply waits, and the orders and quotes that prepare a route meet: at 0.5 s a busy
    machine (three test workers) once failed a preparation. The other damaged replies come at once."""
    return 2.0


# -- the routes, and the call that reaches each -------------------------------------------------------
def place(venue: Venue) -> object:
    return venue.manager.place_order(venue.account, venue.resting_buy())


def resting_order(venue: Venue) -> str:
    """An order to read or change, placed before the fault is set."""
    return venue.manager.place_order(venue.account, venue.resting_buy()).order_id


def routes(broker: str) -> dict[str, tuple[str, Call, Callable[[Venue], object] | None]]:
    """Route → (fault route, the call, a preparation run before the fault is set)."""
    kite = broker == "zerodha"
    md = "/(api)?marketdata" if not kite else ""
    interactive = "" if kite else "/interactive"
    return {
        "profile": (f"GET {interactive}/user/profile$", lambda v: v.manager.profile(v.account), None),
        "funds": (f"GET {'/user/margins' if kite else '/interactive/user/balance'}",
                  lambda v: v.manager.funds(v.account), None),
        "orders": (f"GET {interactive}/orders/?$", lambda v: v.manager.orders(v.account), None),
        "trades": (f"GET {'/trades' if kite else '/interactive/orders/trades'}$",
                   lambda v: v.manager.trades(v.account), None),
        "positions": (f"GET {interactive}/portfolio/positions", lambda v: v.manager.positions(v.account), None),
        "holdings": (f"GET {interactive}/portfolio/holdings", lambda v: v.manager.holdings(v.account), None),
        "quotes": ("GET /quote$" if kite else f"POST {md}/instruments/quotes",
                   lambda v: v.manager.quotes(v.account, ["NSE:INFY", "NSE:TCS"]), None),
        "history": ("GET /orders/\\d+$" if kite else "GET /interactive/orders/?$",
                    lambda v: v.manager.order_history(v.account, v.prepared), resting_order),
        "place": ("orders", place, None),
        "modify": (f"PUT {interactive}/orders", lambda v: v.manager.modify_order(
            v.account, v.prepared, OrderModify(quantity=2)), resting_order),
        "cancel": (f"DELETE {interactive}/orders", lambda v: v.manager.cancel_order(v.account, v.prepared),
                   resting_order),
    }


# -- damage ------------------------------------------------------------------------------------------
def leaves(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths to the leaves of a JSON value, in document order (lists: their first two items)."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data[:2]):
            yield from leaves(value, (*path, index))
    else:
        yield path


def at_leaf(index: int, damage: Callable[[Any], Any], *, drop: bool = False) -> Change:
    """A rewrite that damages the ``index``-th leaf of a JSON reply (or drops its key); other replies pass."""
    def change(body: bytes) -> bytes:
        try:
            data = parse_json(body)
        except ValueError:
            return body
        found = list(leaves(data))
        if index >= len(found) or not found[index]:
            return body
        *head, last = found[index]
        parent = data
        for step in head:
            parent = parent[step]
        if drop and isinstance(parent, dict):
            del parent[last]
        else:
            parent[last] = damage(parent[last])
        return json.dumps(data, allow_nan=True).encode()
    return change


def retyped(value: Any) -> Any:
    if isinstance(value, str):
        return [[value]]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "x"
    return {"a": 1}


def huge(value: Any) -> Any:
    """A number no price holds, or a time no calendar holds (19 digits: the client's date parsing)."""
    if isinstance(value, str):
        return "9999999999999999999"
    return float("1e308") if not isinstance(value, bool) else value


@dataclass(frozen=True)
class Damage:
    name: str
    apply: Callable[[Any, str], Any]  # (the simulator's faults, the fault route) → the fault


WHOLE: list[Damage] = [
    Damage("nested array", lambda f, r: f.answer(r, "[" * 100_000 + "]" * 100_000)),
    Damage("nested object", lambda f, r: f.answer(r, '{"a":' * 50_000 + "1" + "}" * 50_000)),
    Damage("garbage", lambda f, r: f.garbage(r)),
    Damage("NaN literals", lambda f, r: f.answer(r, '{"type": NaN, "status": NaN, "data": NaN, "result": NaN}')),
    Damage("empty object", lambda f, r: f.answer(r, "{}")),
    Damage("a list", lambda f, r: f.answer(r, "[1, 2, 3]")),
    Damage("huge body", lambda f, r: f.answer(r, '{"data": "' + "9" * 2_000_000 + '"}')),
    Damage("html 502", lambda f, r: f.html(r, status=502)),
    Damage("json 503", lambda f, r: f.answer(r, '{"status": "error"}', status=503)),
    Damage("truncated", lambda f, r: f.truncate(r)),
    Damage("trickled", lambda f, r: f.trickle(r, 0.3)),
    *(Damage(f"leaf {index} null", lambda f, r, i=index: f.rewrite(r, at_leaf(i, lambda _: None)))
      for index in range(LEAVES)),
    *(Damage(f"leaf {index} missing", lambda f, r, i=index: f.rewrite(r, at_leaf(i, lambda _: None, drop=True)))
      for index in range(LEAVES)),
    *(Damage(f"leaf {index} retyped", lambda f, r, i=index: f.rewrite(r, at_leaf(i, retyped)))
      for index in range(LEAVES)),
    *(Damage(f"leaf {index} huge", lambda f, r, i=index: f.rewrite(r, at_leaf(i, huge)))
      for index in range(LEAVES)),
    # Text that is itself JSON, nested beyond reading (XTS sends quotes as JSON strings inside JSON).
    *(Damage(f"leaf {index} nested text", lambda f, r, i=index: f.rewrite(r, at_leaf(i, lambda _: NESTED_TEXT)))
      for index in range(LEAVES)),
]


@pytest.mark.parametrize("route", ["profile", "funds", "orders", "trades", "positions", "holdings", "quotes",
                                   "history", "place", "modify", "cancel"])
def test_every_malformed_reply_is_one_of_our_errors(venue: Venue, route: str,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    pattern, call, prepare = routes(venue.broker)[route]
    # Books with rows to damage: a filled order (a trade, a position) and a resting one.
    venue.manager.place_order(venue.account, OrderRequest(symbol="NSE:INFY", side=Side.BUY, quantity=1))
    venue.manager.place_order(venue.account, venue.resting_buy())
    outcomes: dict[str, str] = {}
    for damage in WHOLE:
        venue.prepared = prepare(venue) if prepare else None
        fault = damage.apply(venue.sim.faults, pattern)
        before = {entry.client_order_id for entry in venue.manager.journal.entries(venue.account)}
        try:
            call(venue)
            outcomes[damage.name] = "ok"
        except BrokerplexError as error:
            outcomes[damage.name] = type(error).__name__
        except Exception as error:
            pytest.fail(f"{route}, {damage.name}: {type(error).__name__} left a broker call: {error}")
        finally:
            venue.sim.faults.clear()
        assert fault.applied == 1, f"{damage.name} did not reach {route}: the fault route is wrong"
        if route == "place":
            fresh = [entry for entry in venue.manager.journal.entries(venue.account)
                     if entry.client_order_id not in before]
            assert [entry.state for entry in fresh if entry.state in (JournalState.REJECTED,
                                                                       JournalState.FAILED)] == [], damage.name
    unmapped = [record.getMessage() for record in caplog.records
                if record.levelno >= logging.WARNING and "plugin should have mapped" in record.getMessage()]
    assert unmapped == [], "the manager's safety net caught what the plugin leaked"
    print(f"\n{venue.broker} {route}: {len(WHOLE)} damaged replies → {dict(Counter(outcomes.values()))}")


def secrets_of(venue: Venue) -> list[str]:
    if venue.broker == "zerodha":
        return ["kite_sim_secret"]
    return [pair["secretKey"] for account in venue.sim.accounts for pair in (account["interactive"],
                                                                          account["marketdata"])]


def test_a_malformed_login_reply_is_one_of_our_errors_and_shows_no_secret(
    venue: Venue, caplog: pytest.LogCaptureFixture
) -> None:
    for damage in WHOLE:
        fault = damage.apply(venue.sim.faults, "login")
        try:
            venue.login(venue.manager)
        except BrokerplexError as error:
            shown = f"{error} {error.broker_message if hasattr(error, 'broker_message') else ''}"
            assert not [secret for secret in secrets_of(venue) if secret in shown], damage.name
        except Exception as error:
            pytest.fail(f"login, {damage.name}: {type(error).__name__} left a broker call: {error}")
        finally:
            venue.sim.faults.clear()
        assert fault.applied == 1, damage.name
    assert not [r for r in caplog.records if "plugin should have mapped" in r.getMessage()]
    venue.login(venue.manager)  # and a good reply still logs in


@pytest.mark.parametrize("damage", [d for d in WHOLE if not d.name.startswith("leaf")], ids=lambda d: d.name)
def test_a_malformed_instrument_master_is_one_of_our_errors(venue: Venue, damage: Damage) -> None:
    """A fresh home, so that the day's master is downloaded (and damaged) again."""
    with BrokerManager(venue.home.parent / "fresh") as fresh:
        fresh.activate(venue.broker, venue.account, venue.options)
        venue.login(fresh)
        fault = damage.apply(venue.sim.faults, "master")
        try:
            fresh.instruments(venue.account)
        except BrokerplexError:
            pass
        except Exception as error:
            pytest.fail(f"master, {damage.name}: {type(error).__name__} left a broker call: {error}")
        finally:
            venue.sim.faults.clear()
        assert fault.applied >= 1
        assert fresh.instruments(venue.account)  # the damaged copy was not kept: the next call downloads again
