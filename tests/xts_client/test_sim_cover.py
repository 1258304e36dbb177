"""Cover and bracket orders on the XTS simulator: their legs in the paper exchange's books and in the
order book (ProductType CO / BO), exits, one-cancels-other, for an investor and for a dealer's client."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from brokerplex.models import Order, OrderStatus, OrderType, Product, Side, Variety
from brokerplex_xts_client.sim import XtsSimulator

EQUITY = {"exchangeSegment": "NSECM", "exchangeInstrumentID": 2885}


class Market:
    """The instrument the tests trade, priced on its ticks."""

    def __init__(self, sim: XtsSimulator) -> None:
        entry = sim.state.catalog.find("NSECM", 2885)
        assert entry is not None
        self.sim, self.symbol, self.tick = sim, entry.symbol, entry.listing.instrument.tick_size

    def last(self) -> Decimal:
        return self.sim.exchange.quotes([self.symbol])[self.symbol].last_price

    def at(self, fraction: str) -> Decimal:
        """The last price times ``fraction``, on a tick."""
        return (self.last() * Decimal(fraction) / self.tick).to_integral_value() * self.tick


def complete(order: Order) -> bool:
    return order.status is OrderStatus.COMPLETE


def order(sim: XtsSimulator, account: str, app_order_id: int) -> Order:
    return next(o for o in sim.exchange.orders(account) if int(o.order_id) == app_order_id)


def net(sim: XtsSimulator, account: str) -> int:
    return sum(position.quantity for position in sim.exchange.positions(account))


def cover(side: str = "BUY", **changes: Any) -> dict[str, Any]:
    return {**EQUITY, "orderSide": side, "orderType": "MARKET", "orderQuantity": 4, "disclosedQuantity": 0,
            "limitPrice": 0, "apiOrderSource": "", "orderUniqueIdentifier": "co1", **changes}


def test_cover_order_places_entry_and_stop_leg_then_exits_at_market(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api, market = xts_api(xts_sim, "investor"), Market(xts_sim)
    account = api.account["user_id"]
    stop = market.at("0.97")
    ids = api.ok("POST", "/interactive/orders/cover", cover(stopPrice=float(stop)))
    entry = xts_api.wait_until(lambda: order(xts_sim, account, ids["EntryAppOrderID"]),
                       complete)
    assert (entry.side, entry.quantity, entry.product, entry.variety) == (Side.BUY, 4, Product.MIS, Variety.CO)
    exit_leg = order(xts_sim, account, ids["ExitAppOrderID"])
    assert (exit_leg.side, exit_leg.order_type, exit_leg.trigger_price) == (Side.SELL, OrderType.SL_M, stop)
    assert exit_leg.status is OrderStatus.TRIGGER_PENDING
    book = {row["AppOrderID"]: row for row in api.ok("GET", "/interactive/orders")}
    assert {book[ids[key]]["ProductType"] for key in ids} == {"CO"}
    assert book[ids["EntryAppOrderID"]]["OrderUniqueIdentifier"] == "co1"
    assert net(xts_sim, account) == 4
    api.ok("PUT", "/interactive/orders/cover", {"appOrderID": ids["ExitAppOrderID"]})
    exited = xts_api.wait_until(lambda: order(xts_sim, account, ids["ExitAppOrderID"]),
                        complete)
    assert exited.order_type is OrderType.MARKET
    assert net(xts_sim, account) == 0
    again = xts_api.error_of(api.call("PUT", "/interactive/orders/cover", {"appOrderID": ids["ExitAppOrderID"]}))
    assert again["description"] == "Order is already complete"
    not_a_leg = xts_api.error_of(api.call("PUT", "/interactive/orders/cover", {"appOrderID": ids["EntryAppOrderID"]}))
    assert not_a_leg["description"] == "Order Not Found"


def test_cover_stop_leg_fires_when_the_market_falls_through_it(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api, market = xts_api(xts_sim, "investor"), Market(xts_sim)
    account = api.account["user_id"]
    stop = market.at("0.98")
    ids = api.ok("POST", "/interactive/orders/cover", cover(stopPrice=float(stop)))
    xts_api.wait_until(lambda: order(xts_sim, account, ids["EntryAppOrderID"]), complete)
    xts_sim.exchange.set_price(market.symbol, market.at("0.97"))
    xts_api.wait_until(lambda: order(xts_sim, account, ids["ExitAppOrderID"]), complete)
    assert net(xts_sim, account) == 0


def test_cover_with_a_stop_on_the_wrong_side_is_refused_before_anything_is_placed(
    xts_sim: XtsSimulator, xts_api: Any
) -> None:
    api, market = xts_api(xts_sim, "investor"), Market(xts_sim)
    refused = xts_api.error_of(api.call("POST", "/interactive/orders/cover", cover(stopPrice=float(market.at("1.02")))))
    assert "below" in refused["result"]["errors"][0]
    missing = xts_api.error_of(api.call("POST", "/interactive/orders/cover", cover(orderType="STOPMARKET")))
    assert len(missing["result"]["errors"]) == 2  # no stopPrice, and not a MARKET or LIMIT entry
    assert xts_sim.exchange.orders(api.account["user_id"]) == []


def test_dealer_cover_order_for_a_client_and_a_limit_entry_exit_cancels_both(
    xts_sim: XtsSimulator, xts_api: Any
) -> None:
    dealer, market = xts_api(xts_sim, "dealer"), Market(xts_sim)
    client, other = dealer.account["client_codes"]
    body = cover("SELL", orderType="LIMIT", limitPrice=float(market.at("1.03")), stopPrice=float(market.at("1.05")),
                 clientID=client)
    ids = dealer.ok("POST", "/interactive/orders/cover", body)
    entry = order(xts_sim, client, ids["EntryAppOrderID"])
    assert (entry.side, entry.order_type, entry.status) == (Side.SELL, OrderType.LIMIT, OrderStatus.OPEN)
    assert order(xts_sim, client, ids["ExitAppOrderID"]).side is Side.BUY
    assert xts_sim.exchange.orders(other) == []
    book = dealer.ok("GET", "/interactive/orders/dealerorderbook", clientID=client)
    assert {row["ProductType"] for row in book} == {"CO"}
    elsewhere = xts_api.error_of(dealer.call("PUT", "/interactive/orders/cover",
                                             {"appOrderID": ids["ExitAppOrderID"], "clientID": other}))
    assert elsewhere["description"] == "Order Not Found"
    dealer.ok("PUT", "/interactive/orders/cover", {"appOrderID": ids["ExitAppOrderID"], "clientID": client})
    assert {o.status for o in xts_sim.exchange.orders(client)} == {OrderStatus.CANCELLED}  # nothing had traded


def test_cancelling_a_cover_entry_that_never_traded_cancels_its_stop_leg(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api, market = xts_api(xts_sim, "investor"), Market(xts_sim)
    account = api.account["user_id"]
    body = cover(orderType="LIMIT", limitPrice=float(market.at("0.97")), stopPrice=float(market.at("0.95")))
    ids = api.ok("POST", "/interactive/orders/cover", body)
    api.ok("DELETE", "/interactive/orders", appOrderID=ids["EntryAppOrderID"])
    assert order(xts_sim, account, ids["ExitAppOrderID"]).status is OrderStatus.TRIGGER_PENDING
    trades = api.call("GET", "/interactive/orders/trades")  # any read of the books settles the legs
    assert xts_api.error_of(trades)["description"] == "Data Not Available"
    assert order(xts_sim, account, ids["ExitAppOrderID"]).status is OrderStatus.CANCELLED


def test_cover_trades_show_product_co_in_the_trade_book(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api, market = xts_api(xts_sim, "investor"), Market(xts_sim)
    ids = api.ok("POST", "/interactive/orders/cover", cover(stopPrice=float(market.at("0.97"))))
    trades = xts_api.wait_until(lambda: api.ok("GET", "/interactive/orders/trades"), lambda rows: bool(rows))
    assert {(row["AppOrderID"], row["ProductType"]) for row in trades} == {(ids["EntryAppOrderID"], "CO")}


def bracket(price: Decimal, **changes: Any) -> dict[str, Any]:
    return {**EQUITY, "orderType": "LIMIT", "orderSide": "BUY", "disclosedQuantity": 0, "orderQuantity": 3,
            "limitPrice": float(price), "squarOff": 20, "stopLossPrice": 15, "trailingStoploss": 0,
            "isProOrder": False, "apiOrderSource": "", "orderUniqueIdentifier": "bo1", **changes}


def test_bracket_legs_follow_the_fill_and_the_target_cancels_the_stop(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api, market = xts_api(xts_sim, "investor"), Market(xts_sim)
    account = api.account["user_id"]
    entry_id = api.ok("POST", "/interactive/orders/bracket", bracket(market.at("1.01")))["AppOrderID"]
    entry = xts_api.wait_until(lambda: order(xts_sim, account, entry_id), complete)
    assert entry.product is Product.MIS
    book = api.ok("GET", "/interactive/orders")  # the legs are placed when the books are next read
    legs = {row["OrderType"]: row for row in book if row["AppOrderID"] != entry_id}
    assert set(legs) == {"Limit", "StopMarket"}
    assert {row["ProductType"] for row in book} == {"BO"}
    assert {row["BoEntryOrderId"] for row in legs.values()} == {str(entry_id)}
    assert entry.average_price is not None
    target, stop = (order(xts_sim, account, legs[kind]["AppOrderID"]) for kind in ("Limit", "StopMarket"))
    assert (target.side, target.quantity, target.price) == (Side.SELL, 3, entry.average_price + 20)
    assert (stop.side, stop.trigger_price) == (Side.SELL, entry.average_price - 15)
    xts_sim.exchange.set_price(market.symbol, entry.average_price + 25)
    xts_api.wait_until(lambda: order(xts_sim, account, int(target.order_id)), complete)
    api.ok("GET", "/interactive/orders")
    assert order(xts_sim, account, int(stop.order_id)).status is OrderStatus.CANCELLED
    assert net(xts_sim, account) == 0
    finished = api.call("DELETE", "/interactive/orders/bracket", boEntryOrderId=entry_id)
    assert xts_api.error_of(finished)["description"] == "Order is already complete"


def test_a_resting_bracket_entry_is_modified_then_cancelled_without_legs(xts_sim: XtsSimulator, xts_api: Any) -> None:
    api, market = xts_api(xts_sim, "investor"), Market(xts_sim)
    account = api.account["user_id"]
    entry_id = api.ok("POST", "/interactive/orders/bracket", bracket(market.at("0.95")))["AppOrderID"]
    lower = market.at("0.94")
    api.ok("PUT", "/interactive/orders/bracket", {"appOrderID": entry_id, "limitPrice": float(lower),
                                                  "orderQuantity": 5, "stopLossPrice": 10})
    modified = order(xts_sim, account, entry_id)
    assert (modified.price, modified.quantity, modified.status) == (lower, 5, OrderStatus.OPEN)
    api.ok("DELETE", "/interactive/orders/bracket", boEntryOrderId=entry_id)
    assert [(int(o.order_id), o.status) for o in xts_sim.exchange.orders(account)] == [
        (entry_id, OrderStatus.CANCELLED)]
    backwards = xts_api.error_of(api.call("POST", "/interactive/orders/bracket",
                                          bracket(market.at("1"), orderType="MARKET", squarOff=-1)))
    assert backwards["result"]["errors"] == ["squarOff must be a positive distance from the entry price"]


def test_dealer_cancels_a_filled_bracket_legs_cancelled_and_position_exited(
    xts_sim: XtsSimulator, xts_api: Any
) -> None:
    dealer, market = xts_api(xts_sim, "dealer"), Market(xts_sim)
    client, other = dealer.account["client_codes"]
    body = bracket(market.at("0.99"), orderSide="SELL", clientID=client)
    entry_id = dealer.ok("POST", "/interactive/orders/bracket", body)["AppOrderID"]
    xts_api.wait_until(lambda: order(xts_sim, client, entry_id), complete)
    assert len(dealer.ok("GET", "/interactive/orders/dealerorderbook", clientID=client)) == 3
    assert net(xts_sim, client) == -3
    refused = dealer.call("DELETE", "/interactive/orders/bracket", boEntryOrderId=entry_id, clientID=other)
    assert xts_api.error_of(refused)["description"] == "Order Not Found"
    dealer.ok("DELETE", "/interactive/orders/bracket", boEntryOrderId=entry_id, clientID=client)
    xts_api.wait_until(lambda: net(xts_sim, client), lambda quantity: quantity == 0)
    statuses = sorted((o.order_type.value, o.side.value, o.status.value) for o in xts_sim.exchange.orders(client))
    assert statuses == [("LIMIT", "BUY", "CANCELLED"), ("LIMIT", "SELL", "COMPLETE"), ("MARKET", "BUY", "COMPLETE"),
                        ("SL-M", "BUY", "CANCELLED")]
    book = dealer.ok("GET", "/interactive/orders/dealerorderbook", clientID=client)
    assert {row["ProductType"] for row in book} == {"BO"}
