"""An event loop on a background thread: how the sync facade runs the async core."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


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
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def stop(self) -> None:
        if self._loop.is_closed():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()
