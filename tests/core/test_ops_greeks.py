"""Black–Scholes against published values (Hull, Options, Futures and Other Derivatives), put–call
parity, and implied volatility read back from prices across strikes, maturities and volatilities."""

from __future__ import annotations

import math

import pytest

from brokerplex.ops.greeks import greeks, implied_volatility, price


def test_prices_match_hulls_example() -> None:
    # Hull, example 15.6: S=42, K=40, r=10 %, σ=20 %, six months.
    assert price(42, 40, 0.5, 0.2, call=True, rate=0.1) == pytest.approx(4.76, abs=0.005)
    assert price(42, 40, 0.5, 0.2, call=False, rate=0.1) == pytest.approx(0.81, abs=0.005)


def test_greeks_match_hulls_examples() -> None:
    # Hull, chapter 19: S=49, K=50, r=5 %, σ=20 %, 20 weeks (0.3846 years).
    call = greeks(49, 50, 0.3846, 0.2, call=True, rate=0.05)
    assert call.price == pytest.approx(2.40, abs=0.005)
    assert call.delta == pytest.approx(0.522, abs=0.0005)
    assert call.gamma == pytest.approx(0.066, abs=0.0005)
    assert call.vega * 100 == pytest.approx(12.1, abs=0.05)  # per 100 % of volatility
    assert call.theta * 365 == pytest.approx(-4.31, abs=0.005)  # per year
    assert call.theta == pytest.approx(-4.31 / 365, abs=0.0001)  # per calendar day


def test_put_greeks_follow_from_the_calls() -> None:
    spot, strike, years, vol, rate, dividend = 26_000.0, 26_200.0, 12 / 365, 0.14, 0.065, 0.012
    call = greeks(spot, strike, years, vol, call=True, rate=rate, dividend=dividend)
    put = greeks(spot, strike, years, vol, call=False, rate=rate, dividend=dividend)
    carried, discounted = spot * math.exp(-dividend * years), strike * math.exp(-rate * years)
    assert call.price - put.price == pytest.approx(carried - discounted, abs=1e-8)  # put–call parity
    assert call.delta - put.delta == pytest.approx(math.exp(-dividend * years))
    assert call.gamma == pytest.approx(put.gamma)
    assert call.vega == pytest.approx(put.vega)
    # theta: the difference is the decay of the carried spot less the discounted strike's, per day
    expected = (rate * discounted - dividend * carried) / 365
    assert put.theta - call.theta == pytest.approx(expected)


def test_delta_and_vega_are_the_slopes_of_the_price() -> None:
    args = {"call": False, "rate": 0.065, "dividend": 0.0}
    at = greeks(100.0, 95.0, 0.2, 0.3, **args)
    bump = 1e-4
    assert at.delta == pytest.approx((price(100 + bump, 95, 0.2, 0.3, **args) - price(100 - bump, 95, 0.2, 0.3, **args))
                                     / (2 * bump), rel=1e-6)
    assert at.vega == pytest.approx((price(100, 95, 0.2, 0.3 + bump, **args) - price(100, 95, 0.2, 0.3 - bump, **args))
                                    / (2 * bump) / 100, rel=1e-6)
    one_day = price(100, 95, 0.2 - 1 / 365, 0.3, **args) - at.price
    assert at.theta == pytest.approx(one_day, rel=0.02)


@pytest.mark.parametrize("vol", [0.05, 0.13, 0.3, 0.8, 2.5])
@pytest.mark.parametrize("years", [1 / 365, 7 / 365, 0.25, 2.0])
@pytest.mark.parametrize("moneyness", [0.9, 0.97, 1.0, 1.03, 1.1])
@pytest.mark.parametrize("call", [True, False])
def test_implied_volatility_reads_back_the_volatility(vol: float, years: float, moneyness: float, call: bool) -> None:
    spot, strike = 26_000.0, 26_000.0 * moneyness
    value = price(spot, strike, years, vol, call=call, rate=0.065)
    found = implied_volatility(value, spot, strike, years, call=call, rate=0.065)
    discounted = strike * math.exp(-0.065 * years)
    if value - max(spot - discounted if call else discounted - spot, 0) < 0.01:
        return  # a time value under a paisa: below what any market quotes, nothing to read
    assert found == pytest.approx(vol, abs=1e-5)


def test_implied_volatility_of_prices_with_no_volatility_in_them_is_none() -> None:
    spot, strike, years = 26_000.0, 25_000.0, 7 / 365
    intrinsic = spot - strike * math.exp(-0.065 * years)
    assert implied_volatility(intrinsic - 1, spot, strike, years, call=True, rate=0.065) is None  # below intrinsic
    assert implied_volatility(intrinsic, spot, strike, years, call=True, rate=0.065) is None
    assert implied_volatility(spot, spot, strike, years, call=True, rate=0.065) is None  # a call worth the spot
    assert implied_volatility(strike, spot, strike, years, call=False, rate=0.065) is None  # a put worth the strike
    assert implied_volatility(100.0, spot, strike, 0.0, call=True) is None  # expired
    assert implied_volatility(100.0, spot, strike, -0.01, call=True) is None
    assert implied_volatility(0.0, spot, 27_000.0, years, call=True) is None
    assert implied_volatility(math.nan, spot, strike, years, call=True) is None


def test_expired_or_volatility_free_prices_are_the_intrinsic_value() -> None:
    assert price(110, 100, 0.0, 0.2, call=True) == 10
    assert price(110, 100, 0.0, 0.2, call=False) == 0
    assert price(90, 100, 1.0, 0.0, call=False, rate=0.05) == pytest.approx(100 * math.exp(-0.05) - 90)
    with pytest.raises(ValueError, match="positive"):
        greeks(100, 100, 0.0, 0.2, call=True)
