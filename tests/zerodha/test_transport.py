"""The official client runs in a greenlet on the loop; its HTTP is awaited, never blocking."""

from __future__ import annotations

import asyncio
import threading

import pytest

from brokerplex_zerodha.transport import _pairs, await_only, run_blocking


def test_blocking_style_code_awaits_on_the_loop_thread() -> None:
    seen: list[str] = []

    def client_method(name: str) -> str:
        seen.append(threading.current_thread().name)
        first = await_only(asyncio.sleep(0.01, result="a"))
        second = await_only(asyncio.sleep(0, result="b"))
        return f"{name}:{first}{second}"

    async def main() -> tuple[str, str]:
        return await run_blocking(client_method, "call"), threading.current_thread().name

    result, loop_thread = asyncio.run(main())
    assert result == "call:ab"
    assert seen == [loop_thread]


def test_a_failed_await_raises_inside_the_client_and_out_of_run_blocking() -> None:
    caught: list[BaseException] = []

    async def fail() -> None:
        raise ConnectionResetError("peer went away")

    def client_method() -> None:
        try:
            await_only(fail())
        except ConnectionResetError as error:
            caught.append(error)
            raise

    with pytest.raises(ConnectionResetError, match="peer went away"):
        asyncio.run(run_blocking(client_method))
    assert len(caught) == 1


def test_calling_the_client_outside_run_blocking_is_refused() -> None:
    async def reply() -> str:
        return "never"

    with pytest.raises(RuntimeError, match="outside run_blocking"):
        await_only(reply())


def test_query_lists_repeat_their_key_as_requests_does() -> None:
    assert _pairs({"i": ["NSE:INFY", "NSE:TCS"], "from": 1, "skip": None}) == [
        ("i", "NSE:INFY"), ("i", "NSE:TCS"), ("from", "1")]
    assert _pairs(None) is None
