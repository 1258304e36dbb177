"""The hub across real processes on a real redis-server: `brokerplex hub`, two `brokerplex watch --bus`, and
`brokerplex place` in a fourth process, all on one home (the paper exchange is a file of it)."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from brokerplex.hub.bus.codec import stream_id_key
from cli_results import data, one_line_error
from processes import Child, Record

if TYPE_CHECKING:
    from tests.conftest import Cli



def state(name: str, reason: str | None = None) -> Callable[[Record], bool]:
    return lambda record: (record["type"] == "state" and record["state"] == name
                           and reason in (None, record.get("reason")))


def tick(record: Record) -> bool:
    return record["type"] == "tick" and record["symbol"] == "NSE:INFY"


def order(order_id: str, status: str = "COMPLETE") -> Callable[[Record], bool]:
    return lambda record: record["type"] == "order" and record["order_id"] == order_id and record["status"] == status


def test_across_processes_orders_reach_every_watcher_a_restarted_hub_is_seen_and_a_restarted_watcher_misses_nothing(
        demo: Cli, bus_url: str, children: Callable[..., Child]) -> None:
    def start_hub() -> Child:
        hub = children("hub", "--bus", bus_url, "--accounts", "demo", env=demo.env)
        assert json.loads(hub.stdout.wait_for(lambda line: True)[1]) == {"bus": bus_url, "accounts": ["demo"]}
        return hub

    def watch(*after: str) -> Child:
        return children("watch", "demo", "NSE:INFY", "--bus", bus_url, "--json", "--give-up", "60", *after,
                        env=demo.env)

    def place() -> str:
        placed = data(demo("place", "demo", "NSE:INFY", "buy", "1", "--wait", "0", "--json",
                           env={"BROKERPLEX_BUS": bus_url}))
        return str(placed["order_id"])

    hub = start_hub()
    watchers = [watch(), watch()]
    for watcher in watchers:
        watcher.record(state("live"))
        watcher.record(tick)
    first = place()
    for watcher in watchers:  # announced by the placing process, streamed by the hub
        placed, done = watcher.record(order(first, "PENDING")), watcher.record(order(first))
        assert stream_id_key(placed["id"]) < stream_id_key(done["id"])

    assert hub.stop(signal.SIGKILL) == -signal.SIGKILL
    for watcher in watchers:
        watcher.record(state("reconnecting", "the hub is not running"))
    hub = start_hub()
    for watcher in watchers:
        watcher.record(state("live"))
        watcher.record(tick)

    gone, stays = watchers
    last = [record["id"] for record in gone.records() if "id" in record][-1]
    gone.stop()
    second = place()
    stays.record(order(second))
    missed = [record["id"] for record in stays.records()
              if "id" in record and stream_id_key(record["id"]) > stream_id_key(last)]
    again = watch("--after", last)
    again.record(order(second))
    assert [record["id"] for record in again.records() if "id" in record] == missed

    assert hub.stop(signal.SIGTERM) == 0  # a clean stop
    assert hub.stderr.rest() == []


def test_bad_bus_input_is_one_line_and_exit_2(demo: Cli, bus_url: str) -> None:
    assert "must be a redis://" in one_line_error(demo("hub", "--bus", "http://localhost:6379"), 2)
    assert "no bus named" in one_line_error(demo("hub"), 2)
    assert "demo2" in one_line_error(demo("hub", "--bus", bus_url, "--accounts", "demo,demo2"), 2)
    assert "'1-0' is not an order event id of this store" in one_line_error(
        demo("watch", "demo", "NSE:INFY", "--after", "1-0"), 2)
    assert "--after takes an event id" in one_line_error(
        demo("watch", "demo", "NSE:INFY", "--bus", bus_url, "--after", "yesterday"), 2)


def test_an_order_placed_while_redis_is_away_stands_with_a_warning(demo: Cli, tmp_path: Path) -> None:
    placed = demo("place", "demo", "NSE:INFY", "buy", "1", "--wait", "0",
                  env={"BROKERPLEX_BUS": f"unix://{tmp_path / 'no-redis.sock'}"})
    assert placed.returncode == 0, placed.stderr
    assert placed.stdout.startswith("order ")
    assert placed.stderr.startswith("warning: order ")
    assert "was placed but not announced on the bus" in placed.stderr
