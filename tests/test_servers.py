"""The servers the test session starts for itself answer as the real thing: redis-server's pub/sub and
Streams (what the streaming hub's bus uses), through redis-py's asyncio client."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis


def test_redis_server_serves_pub_sub_and_streams(redis_url: str) -> None:
    async def round_trip() -> tuple[object, list[object]]:
        client = aioredis.Redis.from_url(redis_url, decode_responses=True)
        try:
            channel = client.pubsub()
            await channel.subscribe("ticks")
            await channel.get_message(timeout=1.0)  # the subscription's confirmation
            await client.publish("ticks", "NSE:INFY 1500.05")
            message = await channel.get_message(ignore_subscribe_messages=True, timeout=5.0)
            await channel.aclose()
            first = await client.xadd("orders", {"order_id": "1", "status": "OPEN"}, maxlen=100)
            await client.xadd("orders", {"order_id": "1", "status": "COMPLETE"}, maxlen=100)
            after_first = await client.xread({"orders": first}, count=10)
            return message, after_first
        finally:
            await client.aclose()

    message, after_first = asyncio.run(round_trip())
    assert isinstance(message, dict)
    assert message["data"] == "NSE:INFY 1500.05"
    [(stream, entries)] = after_first  # type: ignore[misc]
    assert stream == "orders"
    assert [fields["status"] for _, fields in entries] == ["COMPLETE"], "read from an id resumes after it"
