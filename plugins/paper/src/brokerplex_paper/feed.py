"""What both broker simulators' market feeds share: how fast the market moves and how often they tick.

A real feed sends a tick when something changed. The simulators' paper exchanges therefore
step every :data:`MARKET_STEP_SECONDS` (prices, volume and depth move at every step), much
faster than a ticker publishes, and each ticker sends a connection a tick for an instrument
only when its data differs from the last tick that connection got for it.
"""

from __future__ import annotations

import math
import time

#: How often the simulators' paper market moves: a ticker up to 20 a second always has news.
MARKET_STEP_SECONDS = 0.05


class TickPace:
    """A ticker's schedule: ``per_second`` ticks a second; 0 pauses ticks (heartbeats go on)."""

    def __init__(self, per_second: float) -> None:
        self._interval = 0.0
        self._next = 0.0
        self.set_rate(per_second)

    @property
    def per_second(self) -> float:
        return 1.0 / self._interval if self._interval else 0.0

    def set_rate(self, per_second: float) -> None:
        if not (math.isfinite(per_second) and per_second >= 0):
            raise ValueError(f"a tick rate is a finite number of ticks a second, 0 or more; got {per_second!r}")
        self._interval = 1.0 / per_second if per_second else 0.0
        self._next = time.monotonic()  # a new rate starts with a tick

    def wait(self, at_most: float) -> float:
        """Seconds until the next tick is due, but no more than ``at_most``."""
        if not self._interval:
            return at_most
        return min(at_most, max(0.0, self._next - time.monotonic()))

    def take(self, asked: bool = False) -> bool:
        """Whether to tick now: the time has come, or a tick is ``asked`` for (a new subscription).

        Never while paused; a tick taken schedules the next one an interval later.
        """
        now = time.monotonic()
        if not self._interval or not (asked or now >= self._next):
            return False
        # Keep the cadence, but never make up for ticks a busy loop missed with a burst.
        self._next = self._next + self._interval if not asked else now + self._interval
        if self._next <= now:
            self._next = now + self._interval
        return True
