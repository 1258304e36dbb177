"""KiteTicker's binary wire format: pure encoders (benchmarks build frames with these).

Every integer is big-endian; prices are integers in the segment's units (paise; 10**7 per
rupee on CDS, 10**4 on BCD — see :func:`brokerplex_zerodha.sim.catalog.divisor`). A frame is
a 2-byte packet count, then per packet a 2-byte length and the packet. A 1-byte frame is the
heartbeat. The packet's length tells its kind: 8 ltp, 44 quote, 184 full (tradable), 28 and
32 (index quote and full).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence

HEARTBEAT = b"\x00"
DEPTH_LEVELS = 5
_UINT32 = 0xFFFF_FFFF

Level = tuple[int, int, int]  # quantity, price (units), orders

_LTP = struct.Struct(">II")
_QUOTE = struct.Struct(">11I")
_FULL_TAIL = struct.Struct(">5I")
_LEVEL = struct.Struct(">IIH2x")
_INDEX = struct.Struct(">6Ii")
_INDEX_FULL = struct.Struct(">6IiI")
FULL_LENGTH = _QUOTE.size + _FULL_TAIL.size + 2 * DEPTH_LEVELS * _LEVEL.size  # 184
_FULL_STAMP = _QUOTE.size + 16  # offset of exchange_timestamp in a full packet


def _u(value: int) -> int:
    """Clamp to what an unsigned 32-bit field can carry (the client reads them unsigned)."""
    return min(max(value, 0), _UINT32)


def encode_ltp(token: int, last: int) -> bytes:
    return _LTP.pack(_u(token), _u(last))


def encode_quote(
    token: int, last: int, last_quantity: int, average: int, volume: int, buy_quantity: int, sell_quantity: int,
    open_: int, high: int, low: int, close: int,
) -> bytes:
    values = (token, last, last_quantity, average, volume, buy_quantity, sell_quantity, open_, high, low, close)
    return _QUOTE.pack(*(_u(value) for value in values))


def encode_full(
    quote: bytes, last_trade_time: int, oi: int, oi_day_high: int, oi_day_low: int, exchange_time: int,
    bids: Sequence[Level], asks: Sequence[Level],
) -> bytes:
    """A 184-byte full packet: a 44-byte ``quote`` packet, then times, OI and 5 + 5 depth levels."""
    tail = _FULL_TAIL.pack(*(_u(v) for v in (last_trade_time, oi, oi_day_high, oi_day_low, exchange_time)))
    return quote + tail + _depth(bids) + _depth(asks)


def _depth(levels: Sequence[Level]) -> bytes:
    padded = [*levels[:DEPTH_LEVELS], *[(0, 0, 0)] * (DEPTH_LEVELS - len(levels))]
    return b"".join(_LEVEL.pack(_u(q), _u(p), min(max(o, 0), 0xFFFF)) for q, p, o in padded)


def encode_index(
    token: int, last: int, high: int, low: int, open_: int, close: int, exchange_time: int | None = None,
) -> bytes:
    """An index packet: 28 bytes (quote), or 32 with ``exchange_time`` (full). The signed
    field at offset 24 is the absolute change from the close, in units."""
    values = (_u(token), _u(last), _u(high), _u(low), _u(open_), _u(close))
    change = max(min(last - close, 0x7FFF_FFFF), -0x8000_0000)
    if exchange_time is None:
        return _INDEX.pack(*values, change)
    return _INDEX_FULL.pack(*values, change, _u(exchange_time))


def without_timestamp(packet: bytes) -> bytes:
    """``packet`` without its exchange timestamp: what tells whether a tick has news."""
    if len(packet) == FULL_LENGTH:
        return packet[:_FULL_STAMP] + packet[_FULL_STAMP + 4:]
    if len(packet) == _INDEX_FULL.size:
        return packet[:_INDEX.size]
    return packet


def frame(packets: Iterable[bytes]) -> bytes:
    """One binary WebSocket message carrying ``packets``."""
    items = list(packets)
    parts = [struct.pack(">H", len(items))]
    for packet in items:
        parts += (struct.pack(">H", len(packet)), packet)
    return b"".join(parts)
