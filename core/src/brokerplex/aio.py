"""An event loop on a background thread: how the sync facade runs the async core."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
SETTLE_SECONDS = 5.0  # how long an interrupted call may take to record how far it got


class LoopThread:
    """Runs coroutines on one private event loop, from any number of threads."""

    def __init__(self, name: str = "brokerplex-loop") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the loop and wait for its result in the calling thread."""
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("the sync facade was called from its own event loop; await the async API instead")
        if self._loop.is_closed():
            coroutine.close()
            raise RuntimeError("this manager is closed")
        finished = threading.Event()

        async def tracked() -> T:
            try:
                return await coroutine
            finally:
                finished.set()

        future = asyncio.run_coroutine_threadsafe(tracked(), self._loop)
        try:
            return future.result()
        except BaseException:
            if not future.done():  # Ctrl-C in this thread: stop the work on the loop too, and let it
                future.cancel()  # settle (an order being sent is journalled as UNKNOWN) before going on
                finished.wait(SETTLE_SECONDS)
            raise

    def stop(self) -> None:
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
