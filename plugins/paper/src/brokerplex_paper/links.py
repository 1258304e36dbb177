"""Frozen WebSocket links, injected below a simulator's app, in its transport.

A frozen link is a connection whose path died without a word (a NAT entry gone, a cable
pulled, a server stopped with SIGSTOP): nothing written on either end arrives, no close
is ever answered, and neither end learns it until it gives up by itself. An ASGI app cannot
play that part, because uvicorn's WebSocket protocol answers pings and close frames on its
own; so :class:`Links` hands uvicorn a subclass of that protocol (``Config(ws=...)``) whose
transport it can freeze: while frozen, nothing is written (what the server sends waits, as
TCP keeps unacknowledged data) and nothing is read (the client's frames wait in the
kernel's buffers), and a close the server itself decides on is held back. A link that thaws
delivers what waited, in order, as a stalled TCP path does when it recovers (dropping frames
would also break a compressed stream). Only links open when the freeze starts are frozen; a
client that reconnects meanwhile gets a working link.

uvicorn is imported only by :meth:`Links.protocol_class` (the simulators' servers need it;
the paper exchange does not).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast


class _Link(asyncio.Transport):
    """A WebSocket connection's transport that can be frozen (see the module)."""

    def __init__(self, transport: asyncio.Transport, protocol: asyncio.Protocol) -> None:
        super().__init__()
        self._transport, self._protocol = transport, protocol
        self.frozen = False
        self._paused_by_protocol = False  # uvicorn's own flow control, honoured after a thaw
        self._held: list[bytes] = []  # what arrived while frozen, before the pause took effect
        self._unsent: list[bytes] = []  # what the server wrote while frozen
        self._close_held = False

    # -- what the protocol calls ---------------------------------------------------------------
    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self.frozen:
            self._unsent.append(bytes(data))
        else:
            self._transport.write(data)

    def close(self) -> None:
        if self.frozen:
            self._close_held = True
        else:
            self._transport.close()

    def abort(self) -> None:
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def pause_reading(self) -> None:
        self._paused_by_protocol = True
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._paused_by_protocol = False
        if not self.frozen:
            self._transport.resume_reading()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size()

    # -- what Links does to it -------------------------------------------------------------------
    def hold(self, data: bytes) -> bool:
        """Keep ``data`` for later when frozen; False when it should be read now."""
        if self.frozen:
            self._held.append(data)
        return self.frozen

    def freeze(self) -> None:
        self.frozen = True
        self._transport.pause_reading()

    def thaw(self) -> None:
        self.frozen = False
        unsent, self._unsent = self._unsent, []
        for data in unsent:
            self._transport.write(data)
        held, self._held = self._held, []
        for data in held:
            self._protocol.data_received(data)
        if self._close_held:
            self._transport.close()
        elif not self._paused_by_protocol:
            self._transport.resume_reading()

    def cut(self) -> None:
        """End the connection at the TCP level (what a link dropped while frozen comes to)."""
        self.frozen = False
        self._unsent.clear()
        self._transport.close()


class Links:
    """The WebSocket links of one simulator server. Its methods run on the server's event loop."""

    def __init__(self) -> None:
        self._links: set[_Link] = set()

    @property
    def open(self) -> int:
        """How many WebSocket connections are open at the transport (refused upgrades included)."""
        return len(self._links)

    @property
    def frozen(self) -> int:
        return sum(link.frozen for link in self._links)

    def freeze(self, on: bool) -> None:
        """Freeze every link open now (True), or thaw every frozen link (False)."""
        for link in list(self._links):
            if on and not link.frozen and not link.is_closing():
                link.freeze()
            elif not on and link.frozen:
                link.thaw()

    def cut_frozen(self) -> None:
        """Close the frozen links' TCP connections, without a WebSocket close."""
        for link in list(self._links):
            if link.frozen:
                link.cut()

    def protocol_class(self) -> type[asyncio.Protocol]:
        """uvicorn's sans-I/O WebSocket protocol with its transports registered here."""
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

        links = self._links

        class LinkProtocol(WebSocketsSansIOProtocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                link = _Link(cast(asyncio.Transport, transport), self)
                links.add(link)
                super().connection_made(link)

            def data_received(self, data: bytes) -> None:
                link = self.transport
                if not (isinstance(link, _Link) and link.hold(data)):
                    super().data_received(data)

            def shutdown(self) -> None:  # the server stops: a frozen link just goes
                link = self.transport
                if isinstance(link, _Link) and link.frozen:
                    link.cut()
                super().shutdown()

            def connection_lost(self, exc: Exception | None) -> None:
                link = self.transport
                if isinstance(link, _Link):
                    link.frozen = False
                    links.discard(link)
                super().connection_lost(exc)

        return LinkProtocol
