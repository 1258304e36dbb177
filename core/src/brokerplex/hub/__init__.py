"""The streaming hub: broker streams shared by every consumer, in one process or across processes on Redis.

See docs/adr/0002-streaming-hub.md for the design.
"""

from brokerplex.hub.buffer import ConsumerFellBehindError
from brokerplex.hub.events import Event, EventType
from brokerplex.hub.feed import StreamLimitError
from brokerplex.hub.hub import Consumer, EventConsumer, Hub
from brokerplex.hub.watched import WatchedEvents

__all__ = ["Consumer", "ConsumerFellBehindError", "Event", "EventConsumer", "EventType", "Hub", "StreamLimitError",
           "WatchedEvents"]
