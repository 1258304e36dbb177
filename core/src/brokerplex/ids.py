"""Client order ids: short, alphanumeric, unique, roughly time-ordered.

16 characters fit Kite's 20-character ``tag`` and XTS's ``orderUniqueIdentifier``:
8 base-36 digits of milliseconds since the epoch (good until 2059) and 8 random ones
(36**8 ≈ 2.8e12 per millisecond), so two processes practically never collide — and the
journal's primary key refuses a collision if they ever do.
"""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        digits.append(_ALPHABET[digit])
    return "".join(reversed(digits))


def new_client_order_id() -> str:
    # One draw of random bits, not one per character: this runs on every order.
    return _base36(time.time_ns() // 1_000_000, 8) + _base36(secrets.randbelow(36**8), 8)
