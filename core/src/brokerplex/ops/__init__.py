"""Trader operations: exits, cancel-all, conversions, baskets, slicing, target positions, GTT, margins,
instruments and option chains, candles, P&L, and the account limits with their kill switch.

Each is native where the broker's wire offers it (:class:`~brokerplex.ops.contract.BrokerOperations`,
declared in ``Capabilities.operations``) and emulated by the manager from the primitives otherwise;
:func:`modes` says which, per broker, so that nothing is silently different.
"""

from __future__ import annotations

from typing import Literal

from brokerplex.capabilities import Capabilities

Mode = Literal["native", "emulated", "unsupported"]

#: Operations a broker may do natively (``Capabilities.operations``).
NATIVE = ("exit", "slice", "cancel_all", "convert", "margins", "basket_margins", "gtt", "candles")
#: Operations the manager builds from the primitives when the broker has no route for them.
EMULATED = ("exit", "cancel_all", "basket", "slice", "target", "search", "expiries", "chain", "depth", "pnl")


def modes(capabilities: Capabilities) -> dict[str, Mode]:
    """Every operation → how this broker does it."""
    names = dict.fromkeys((*NATIVE, *EMULATED))
    return {name: "native" if name in capabilities.operations else "emulated" if name in EMULATED
            else "unsupported" for name in names}
