"""Black–Scholes for European options: price, greeks and implied volatility.

Analytics, not order prices, so the arithmetic is binary floats (``math.erf`` for the normal
distribution). ``years`` is the time to expiry in years of 365 days, ``vol`` the annualised
volatility as a fraction, ``rate`` the continuously compounded risk-free rate and ``dividend``
the continuous dividend yield.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)
MIN_VOL, MAX_VOL = 1e-4, 20.0  # the range implied volatility is looked for in (0.01 % to 2000 %)


def _cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / _SQRT2))


def _pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / _SQRT2PI


@dataclass(frozen=True, slots=True)
class Greeks:
    price: float
    delta: float
    gamma: float
    theta: float  # per calendar day
    vega: float  # per 1 % of volatility (one hundredth of dPrice/dVol)


def price(spot: float, strike: float, years: float, vol: float, *, call: bool, rate: float = 0.0,
          dividend: float = 0.0) -> float:
    """The option's Black–Scholes value (its discounted intrinsic value when ``years`` or ``vol`` is 0)."""
    carried, discounted = spot * math.exp(-dividend * years), strike * math.exp(-rate * years)
    if years <= 0 or vol <= 0:
        return max(carried - discounted, 0.0) if call else max(discounted - carried, 0.0)
    d1, d2 = _d1_d2(spot, strike, years, vol, rate, dividend)
    if call:
        return carried * _cdf(d1) - discounted * _cdf(d2)
    return discounted * _cdf(-d2) - carried * _cdf(-d1)


def greeks(spot: float, strike: float, years: float, vol: float, *, call: bool, rate: float = 0.0,
           dividend: float = 0.0) -> Greeks:
    """Price, delta, gamma, theta (per calendar day) and vega (per 1 % of volatility); ``years`` and
    ``vol`` must be positive."""
    if years <= 0 or vol <= 0:
        raise ValueError("greeks need a positive time to expiry and volatility")
    d1, d2 = _d1_d2(spot, strike, years, vol, rate, dividend)
    carry, discount = math.exp(-dividend * years), math.exp(-rate * years)
    root = math.sqrt(years)
    density = _pdf(d1)
    decay = -spot * carry * density * vol / (2 * root)  # the time decay both rights share
    if call:
        value = spot * carry * _cdf(d1) - strike * discount * _cdf(d2)
        delta = carry * _cdf(d1)
        theta = decay - rate * strike * discount * _cdf(d2) + dividend * spot * carry * _cdf(d1)
    else:
        value = strike * discount * _cdf(-d2) - spot * carry * _cdf(-d1)
        delta = carry * (_cdf(d1) - 1)
        theta = decay + rate * strike * discount * _cdf(-d2) - dividend * spot * carry * _cdf(-d1)
    gamma = carry * density / (spot * vol * root)
    vega = spot * carry * density * root
    return Greeks(value, delta, gamma, theta / 365, vega / 100)


def implied_volatility(option_price: float, spot: float, strike: float, years: float, *, call: bool,
                       rate: float = 0.0, dividend: float = 0.0, tolerance: float = 1e-8) -> float | None:
    """The volatility at which :func:`price` gives ``option_price``; None when there is none: no time
    left, a price at or below the discounted intrinsic value, or at or above the no-arbitrage bound.

    Newton's method from Manaster and Koehler's start (where vega peaks, so the steps go one way),
    kept inside a bracket that every step narrows, and bisecting where a step would leave it.
    """
    if years <= 0 or spot <= 0 or strike <= 0 or not math.isfinite(option_price):
        return None
    carried, discounted = spot * math.exp(-dividend * years), strike * math.exp(-rate * years)
    floor = max(carried - discounted, 0.0) if call else max(discounted - carried, 0.0)
    ceiling = carried if call else discounted
    if not floor < option_price < ceiling:
        return None
    low, high = MIN_VOL, MAX_VOL
    if price(spot, strike, years, low, call=call, rate=rate, dividend=dividend) > option_price:
        return None  # below anything a volatility of 0.01 % gives: time value too small to read
    if price(spot, strike, years, high, call=call, rate=rate, dividend=dividend) < option_price:
        return None
    vol = min(max(math.sqrt(2 * abs(math.log(carried / discounted)) / years), 0.05), high)
    enough = tolerance * (option_price - floor)  # relative to the time value, all that volatility moves
    for _ in range(100):
        value = greeks(spot, strike, years, vol, call=call, rate=rate, dividend=dividend)
        error = value.price - option_price
        if abs(error) <= enough:
            return vol
        if error > 0:
            high = vol
        else:
            low = vol
        slope = value.vega * 100
        step = vol - error / slope if slope > 0 else low - 1.0
        vol = step if low < step < high else (low + high) / 2
        if high - low < 1e-12:
            return vol
    return vol


def _d1_d2(spot: float, strike: float, years: float, vol: float, rate: float, dividend: float) -> tuple[float, float]:
    deviation = vol * math.sqrt(years)
    d1 = (math.log(spot / strike) + (rate - dividend + vol * vol / 2) * years) / deviation
    return d1, d1 - deviation
