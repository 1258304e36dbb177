"""Engine.IO 3 and Socket.IO 2 packets as text: pure encode/decode, no I/O.

Engine.IO 3 (one packet per WebSocket text frame): a type digit, then data.

====  =======  ==========================================================
type  name     data
====  =======  ==========================================================
0     OPEN     handshake JSON: sid, upgrades, pingInterval, pingTimeout (ms)
1     CLOSE    —
2     PING     optional text (``probe`` during a transport upgrade)
3     PONG     echoes the ping's text
4     MESSAGE  a Socket.IO packet
5     UPGRADE  —
6     NOOP     —
====  =======  ==========================================================

In Engine.IO 3 the CLIENT pings every ``pingInterval`` and the server answers; Engine.IO 4
reversed that, which is one reason python-socketio 5 cannot talk to XTS.

Socket.IO 2 (inside MESSAGE): ``<type>[/namespace,][ackId][JSON]``, e.g. ``2["joined","…"]``,
``2/chat,7["ask",1]``, ``0`` (connected to ``/``), ``4"Invalid Token"`` (refused). Binary
packets (types 5 and 6) carry attachments in separate frames; XTS never sends them and they
are refused with :class:`SocketProtocolError`.
"""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass, field
from typing import Any

from brokerplex.errors import BrokerError, InputError, ProtocolError, RefusedError
from brokerplex.wire import parse_json

# ---------------------------------------------------------------- errors


class SocketProtocolError(ProtocolError):
    """A frame that is not valid Engine.IO 3 / Socket.IO 2 (or uses a feature we refuse)."""


class ConnectionLost(BrokerError):
    """The socket died without a goodbye: missed pongs, a broken transport, a dropped TCP link."""

    nothing_happened = False


class PongTimeout(ConnectionLost):
    """A ping went unanswered: the server or the path to it is dead, whatever the socket says."""


class ConnectionRefused(RefusedError):
    """The server refused the socket (Socket.IO ERROR on connect, or an HTTP refusal of the upgrade)."""


def _short(text: str, limit: int = 80) -> str:
    """A frame excerpt for error messages, so a huge tick never floods a log line."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


# ---------------------------------------------------------------- Engine.IO 3


class EioType(enum.IntEnum):
    OPEN = 0
    CLOSE = 1
    PING = 2
    PONG = 3
    MESSAGE = 4
    UPGRADE = 5
    NOOP = 6


@dataclass(frozen=True, slots=True)
class EioPacket:
    type: EioType
    data: str = ""


def encode_eio(packet: EioPacket) -> str:
    return f"{int(packet.type)}{packet.data}"


def decode_eio(frame: str) -> EioPacket:
    """One Engine.IO packet from one WebSocket text frame."""
    if not frame:
        raise SocketProtocolError("empty Engine.IO frame")
    head = frame[0]
    if not ("0" <= head <= "6"):
        raise SocketProtocolError(f"unknown Engine.IO packet type in {_short(frame)}")
    return EioPacket(EioType(int(head)), frame[1:])


@dataclass(frozen=True, slots=True)
class Handshake:
    """The OPEN packet's data; intervals in seconds (the wire carries milliseconds)."""

    sid: str
    ping_interval: float
    ping_timeout: float
    upgrades: tuple[str, ...] = ()

    def encode(self) -> str:
        return json.dumps(
            {
                "sid": self.sid,
                "upgrades": list(self.upgrades),
                "pingInterval": round(self.ping_interval * 1000),
                "pingTimeout": round(self.ping_timeout * 1000),
            },
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, data: str) -> Handshake:
        try:
            fields = parse_json(data)
        except ValueError:
            raise SocketProtocolError(f"Engine.IO OPEN data is not JSON: {_short(data)}") from None
        if not isinstance(fields, dict):
            raise SocketProtocolError(f"Engine.IO OPEN data is not an object: {_short(data)}")
        sid = fields.get("sid")
        upgrades = fields.get("upgrades", [])
        if not isinstance(sid, str) or not sid:
            raise SocketProtocolError("Engine.IO OPEN packet has no sid")
        if not isinstance(upgrades, list) or not all(isinstance(name, str) for name in upgrades):
            raise SocketProtocolError("Engine.IO OPEN packet has malformed upgrades")
        return cls(
            sid=sid,
            ping_interval=_milliseconds(fields, "pingInterval"),
            ping_timeout=_milliseconds(fields, "pingTimeout"),
            upgrades=tuple(upgrades),
        )


def _milliseconds(fields: dict[str, Any], name: str) -> float:
    value = fields.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise SocketProtocolError(f"Engine.IO OPEN packet has no valid {name}")
    return float(value) / 1000


# ---------------------------------------------------------------- Socket.IO 2


class SioType(enum.IntEnum):
    CONNECT = 0
    DISCONNECT = 1
    EVENT = 2
    ACK = 3
    ERROR = 4
    BINARY_EVENT = 5
    BINARY_ACK = 6


@dataclass(frozen=True, slots=True)
class SioPacket:
    """A Socket.IO 2 packet. ``data`` is a JSON value, or None when the packet carries none.

    For EVENT packets ``data`` is ``[name, *args]``; for ACK it is the list of answers. A top-level
    JSON ``null`` (never sent by Socket.IO) reads as "no data".
    """

    type: SioType
    namespace: str = "/"
    data: Any = None
    ack_id: int | None = None

    @property
    def event(self) -> tuple[str, list[Any]]:
        """(name, args) of an EVENT packet."""
        if self.type is not SioType.EVENT:
            raise SocketProtocolError(f"not an EVENT packet: {self.type.name}")
        name, *args = self.data
        return name, args


@dataclass(frozen=True, slots=True)
class Message:
    """One event as an application sees it."""

    namespace: str
    name: str
    args: tuple[Any, ...] = field(default=())
    ack_id: int | None = None

    @property
    def data(self) -> Any:
        """The single argument XTS sends; None without arguments, the list of them when several."""
        if not self.args:
            return None
        return self.args[0] if len(self.args) == 1 else list(self.args)


def event_packet(name: str, *args: Any, namespace: str = "/", ack_id: int | None = None) -> SioPacket:
    if not isinstance(name, str) or not name:
        raise InputError("a Socket.IO event needs a non-empty string name")
    return SioPacket(SioType.EVENT, namespace, [name, *args], ack_id)


def _dumps(data: Any) -> str:
    try:
        # Compact and unescaped like JavaScript's JSON.stringify, which the XTS server uses.
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise InputError(f"Socket.IO data is not JSON-serialisable: {error}") from None


def encode_sio(packet: SioPacket) -> str:
    """Encode; what cannot be encoded is the caller's mistake (InputError)."""
    if packet.type in (SioType.BINARY_EVENT, SioType.BINARY_ACK):
        raise InputError("binary Socket.IO packets are not supported")
    if not packet.namespace.startswith("/") or "," in packet.namespace:
        raise InputError(f"invalid Socket.IO namespace {_short(packet.namespace)}")
    text = str(int(packet.type))
    if packet.namespace != "/":
        text += packet.namespace + ","  # the JavaScript encoder always writes the comma
    if packet.ack_id is not None:
        if packet.ack_id < 0:
            raise InputError("a Socket.IO ack id cannot be negative")
        text += str(packet.ack_id)
    if packet.data is not None:
        text += _dumps(packet.data)
    return text


def decode_sio(text: str) -> SioPacket:
    """One Socket.IO 2 packet from the data of an Engine.IO MESSAGE."""
    if not text or not ("0" <= text[0] <= "6"):
        raise SocketProtocolError(f"unknown Socket.IO packet type in {_short(text)}")
    kind = SioType(int(text[0]))
    if kind in (SioType.BINARY_EVENT, SioType.BINARY_ACK):
        raise SocketProtocolError("binary Socket.IO packets are not supported")
    rest = text[1:]
    namespace = "/"
    if rest.startswith("/"):
        namespace, _, rest = rest.partition(",")
        namespace = namespace.partition("?")[0]  # a v2 client may append its query to CONNECT
    digits = len(rest) - len(rest.lstrip("0123456789"))
    ack_id = int(rest[:digits]) if digits else None
    body = rest[digits:]
    data: Any = None
    if body:
        try:
            data = parse_json(body)
        except ValueError:
            raise SocketProtocolError(f"Socket.IO packet data is not JSON: {_short(text)}") from None
    packet = SioPacket(kind, namespace, data, ack_id)
    _check_shape(packet, text)
    return packet


def _check_shape(packet: SioPacket, text: str) -> None:
    if packet.type is SioType.EVENT and not (
        isinstance(packet.data, list) and packet.data and isinstance(packet.data[0], str)
    ):
        raise SocketProtocolError(f"Socket.IO EVENT without a string event name: {_short(text)}")
    if packet.type is SioType.ACK and (packet.ack_id is None or not isinstance(packet.data, list)):
        raise SocketProtocolError(f"Socket.IO ACK without an id and an argument list: {_short(text)}")


def message_of(packet: SioPacket) -> Message:
    name, args = packet.event
    return Message(packet.namespace, name, tuple(args), packet.ack_id)


# ---------------------------------------------------------------- both layers


def encode_message(packet: SioPacket) -> str:
    """The WebSocket text frame carrying a Socket.IO packet."""
    return encode_eio(EioPacket(EioType.MESSAGE, encode_sio(packet)))
