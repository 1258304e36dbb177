"""The pure XTS → unified mappings, on the sloppy shapes real servers send (spec 4.5, 8, 10)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brokerplex.errors import ProtocolError
from brokerplex.formats import IST
from brokerplex.models import OrderModify, OrderStatus, OrderType, Product, Side, Validity, Variety
from brokerplex_xts_client import mapping, quotes


def order_record(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "LoginID": "AB12", "ClientID": "AB12", "AppOrderID": 4100200, "GeneratedBy": "TWSAPI",
        "ExchangeOrderID": "", "ExchangeSegment": "NSECM", "ExchangeInstrumentID": 1594, "OrderSide": "Buy",
        "OrderType": "Limit", "ProductType": "CNC", "TimeInForce": "DAY", "OrderPrice": 1510.5,
        "OrderQuantity": 10, "OrderStopPrice": 0, "OrderStatus": "New", "OrderAverageTradedPrice": "",
        "LeavesQuantity": 10, "CumulativeQuantity": 0, "OrderDisclosedQuantity": 0,
        "OrderGeneratedDateTime": "2026-11-24T10:15:30.1234567", "LastUpdateDateTime": "2026-11-24T10:15:31.7654321",
        "OrderExpiryDate": "1980-01-01T00:00:00", "CancelRejectReason": "", "OrderUniqueIdentifier": "abc123",
    }
    record.update(changes)
    return record


class TestScalars:
    @pytest.mark.parametrize(("sent", "expected"), [
        ("6,202.50", Decimal("6202.50")), ("1,00,000.25", Decimal("100000.25")), (" 57.10 ", Decimal("57.10")),
        (97.7, Decimal("97.7")), (75, Decimal(75)), ("-75", Decimal(-75)),
    ])
    def test_numbers_in_every_spelling(self, sent: object, expected: Decimal) -> None:
        assert mapping.decimal(sent, "OrderPrice") == expected

    @pytest.mark.parametrize("sent", ["", "NaN", "nan", None, " ", "-"])
    def test_no_value_is_the_default(self, sent: object) -> None:
        """XTS's own words for "no value"; a field a record cannot be without is then missing."""
        assert mapping.decimal(sent, "OrderPrice") is None
        assert mapping.amount_or_zero(sent, "RealizedMTM") == 0
        with pytest.raises(ProtocolError, match="without OrderQuantity"):
            mapping.quantity(sent, "OrderQuantity")

    @pytest.mark.parametrize("sent", ["12a", {"x": 1}, [1], True, float("nan"), float("inf"), "Infinity"])
    def test_garbage_is_a_protocol_error_naming_the_field(self, sent: object) -> None:
        with pytest.raises(ProtocolError, match="OrderPrice"):
            mapping.decimal(sent, "OrderPrice")

    def test_fractional_quantity_is_a_protocol_error(self) -> None:
        assert mapping.integer("1,500", "OrderQuantity") == 1500
        with pytest.raises(ProtocolError):
            mapping.integer("1.5", "OrderQuantity")

    @given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
    def test_thousands_separators_never_change_the_value(self, value: Decimal) -> None:
        whole, _, fraction = f"{value:.2f}".partition(".")
        grouped = f"{int(whole):,}.{fraction}"
        assert mapping.decimal(grouped, "OrderPrice") == value


class TestEnums:
    @pytest.mark.parametrize(("sent", "expected"), [("Buy", Side.BUY), ("BUY", Side.BUY), ("sell", Side.SELL)])
    def test_side_any_case(self, sent: str, expected: Side) -> None:
        assert mapping.SIDES(sent) is expected

    @pytest.mark.parametrize(("sent", "expected"), [
        ("Market", OrderType.MARKET), ("LIMIT", OrderType.LIMIT), ("StopMarket", OrderType.SL_M),
        ("STOPLIMIT", OrderType.SL), ("stoplimit", OrderType.SL),
    ])
    def test_order_types_any_case(self, sent: str, expected: OrderType) -> None:
        assert mapping.ORDER_TYPES(sent) is expected

    @pytest.mark.parametrize(("sent", "kind", "expected"), [
        ("PendingNew", OrderType.LIMIT, OrderStatus.PENDING), ("New", OrderType.LIMIT, OrderStatus.OPEN),
        ("New", OrderType.SL_M, OrderStatus.TRIGGER_PENDING), ("PartiallyFilled", OrderType.LIMIT, OrderStatus.OPEN),
        ("Filled", OrderType.MARKET, OrderStatus.COMPLETE), ("CANCELLED", OrderType.LIMIT, OrderStatus.CANCELLED),
        ("Rejected", OrderType.MARKET, OrderStatus.REJECTED), ("Replaced", OrderType.LIMIT, OrderStatus.OPEN),
        ("Trigger Pending", OrderType.SL, OrderStatus.TRIGGER_PENDING),
    ])
    def test_statuses(self, sent: str, kind: OrderType, expected: OrderStatus) -> None:
        assert mapping.order_status(sent, kind) is expected

    def test_unknown_side_is_a_protocol_error_not_a_key_error(self) -> None:
        with pytest.raises(ProtocolError, match="order side"):
            mapping.SIDES("Short")

    @pytest.mark.parametrize("word", ["Expired", "Frozen", "", None, 7])
    def test_an_unknown_status_is_unreadable_never_pending(self, word: object) -> None:
        """An order whose state we cannot name is not an unfinished one: the record is unreadable."""
        with pytest.raises(ProtocolError, match="unreadable order record"):
            mapping.order(order_record(OrderStatus=word), "NSE:INFY")

    def test_an_unknown_validity_is_unreadable_never_day(self) -> None:
        with pytest.raises(ProtocolError, match="validity"):
            mapping.order(order_record(TimeInForce="GTT"), "NSE:INFY")
        assert mapping.order(order_record(TimeInForce=None), "NSE:INFY").validity is Validity.DAY


class TestTimes:
    def test_seven_fraction_digits_on_the_ist_clock(self) -> None:
        moment = mapping.interactive_time("2020-12-30T12:21:41.1823828")
        assert moment == dt.datetime(2020, 12, 30, 12, 21, 41, 182382, tzinfo=IST)

    def test_offset_and_api_forms(self) -> None:
        assert mapping.interactive_time("2020-12-30T12:21:41+05:30") == dt.datetime(2020, 12, 30, 12, 21, 41,
                                                                                      tzinfo=IST)
        assert mapping.interactive_time("30-12-2020 12:21:41") == dt.datetime(2020, 12, 30, 12, 21, 41, tzinfo=IST)

    def test_the_1980_placeholder_is_no_date(self) -> None:
        assert mapping.interactive_time("1980-01-01T00:00:00") is None
        assert mapping.interactive_time("") is None

    def test_market_data_times_count_from_1980_on_the_ist_clock(self) -> None:
        # 2025-01-06 11:16:09 IST, as a tick of that moment carries it (spec section 10)
        utc = mapping.market_time(1420629369, segment=1)
        assert utc is not None
        assert dt.datetime.fromtimestamp(utc, dt.UTC) == dt.datetime(2025, 1, 6, 5, 46, 9, tzinfo=dt.UTC)

    def test_ohlc_times_are_shifted_by_ist(self) -> None:
        bars = quotes.candles("1735981200|100.5|101|99.5|100|1200|0|,1735981260|100|100.2|99.9|100.1|300|0|")
        assert bars[0].at == dt.datetime(2025, 1, 4, 3, 30, tzinfo=dt.UTC)  # 09:00 IST
        assert (bars[1].close, bars[1].volume, bars[1].open_interest) == (Decimal("100.1"), 300, None)
        assert quotes.candles(" ") == []

    def test_candles_come_oldest_first_with_open_interest(self) -> None:
        bars = quotes.candles("1735981260|100|100.2|99.9|100.1|300|750|,1735981200|100.5|101|99.5|100|1200|700|")
        assert [bar.open_interest for bar in bars] == [700, 750]

    @pytest.mark.parametrize("bar", [
        "1735981200|100.5|101|99.5|100|1200|",  # no open interest: six values
        "1735981200|100.5|101|99.5|100|1200|0|9|",  # an eighth value
        "1735981200|100.5|99|99.5|100|1200|0|",  # high below the open
        "1735981200|100.5|101|100.6|100|1200|0|",  # low above the open
        "x|100.5|101|99.5|100|1200|0|",
        "1735981200|100.5|101|99.5|100|12.5|0|",  # a fractional volume
    ])
    def test_a_malformed_bar_is_a_protocol_error(self, bar: str) -> None:
        with pytest.raises(ProtocolError):
            quotes.candles(bar)

    def test_a_candle_without_a_price_is_unreadable_never_zero(self) -> None:
        with pytest.raises(ProtocolError, match="close"):
            quotes.candles("1735981200|100.5|101|99.5||1200|0|")

    def test_ohlc_query_format(self) -> None:
        assert quotes.ohlc_time(dt.datetime(2025, 1, 4, 3, 30, tzinfo=dt.UTC)) == "Jan 04 2025 090000"


class TestRecords:
    def test_a_cover_order_is_modified_as_one(self) -> None:
        """A CO leg reads as an intraday order of variety co, and its modify restates ProductType CO."""
        cover = mapping.order(order_record(ProductType="CO", OrderType="StopMarket", OrderStopPrice=1490), "NSE:INFY")
        assert (cover.product, cover.variety) == (Product.MIS, Variety.CO)
        body = mapping.modify_body(4100200, cover, OrderModify(trigger_price=Decimal("1495.5")))
        assert (body["modifiedProductType"], body["modifiedStopPrice"], body["modifiedOrderQuantity"]) == (
            "CO", 1495.5, 10)
        plain = mapping.order(order_record(), "NSE:INFY")
        assert (plain.variety, mapping.modify_body(1, plain, OrderModify(quantity=5))["modifiedProductType"]) == (
            Variety.REGULAR, "CNC")

    def test_bracket_legs_name_their_entry(self) -> None:
        """BoEntryOrderId links a leg to its entry; the entry names itself, and an ordinary order nothing."""
        leg = mapping.order(order_record(ProductType="BO", BoEntryOrderId="4100100"), "NSE:INFY")
        assert (leg.product, leg.variety, leg.parent_order_id) == (Product.MIS, Variety.BO, "4100100")
        assert mapping.modify_body(4100200, leg, OrderModify(price=Decimal(1500)))["modifiedProductType"] == "BO"
        entry = mapping.order(order_record(ProductType="BO", BoEntryOrderId="4100200"), "NSE:INFY")
        assert (entry.variety, entry.parent_order_id) == (Variety.BO, None)
        for empty in ("", 0, None):
            assert mapping.order(order_record(BoEntryOrderId=empty), "NSE:INFY").parent_order_id is None
        with pytest.raises(ProtocolError):
            mapping.order(order_record(ProductType="BO", BoEntryOrderId="entry"), "NSE:INFY")

    def test_overnight_quantity_is_what_the_days_trades_do_not_explain(self) -> None:
        record = {"ExchangeSegment": "NSECM", "ExchangeInstrumentId": "1594", "ProductType": "CNC",
                  "Quantity": "7", "OpenBuyQuantity": "3", "OpenSellQuantity": "1"}
        assert mapping.position(record, "NSE:INFY").overnight_quantity == 5

    def test_resting_order(self) -> None:
        order = mapping.order(order_record(), "NSE:INFY")
        assert order.order_id == "4100200"
        assert order.client_order_id == "abc123"
        assert (order.side, order.order_type, order.product, order.validity) == (
            Side.BUY, OrderType.LIMIT, Product.CNC, Validity.DAY)
        assert order.status is OrderStatus.OPEN
        assert order.price == Decimal("1510.5")
        assert order.trigger_price is None
        assert order.average_price is None  # "" until something trades
        assert order.pending_quantity == 10
        assert order.placed_at == dt.datetime(2026, 11, 24, 10, 15, 30, 123456, tzinfo=IST)

    def test_filled_order_with_separated_average(self) -> None:
        order = mapping.order(order_record(OrderStatus="Filled", OrderAverageTradedPrice="2,853.50",
                                           CumulativeQuantity="10", LeavesQuantity="0", AppOrderID="4100201"),
                              "NSE:INFY")
        assert order.status is OrderStatus.COMPLETE
        assert order.average_price == Decimal("2853.50")
        assert order.filled_quantity == 10
        assert order.order_id == "4100201"

    def test_cancelled_order_counts_the_cancelled_quantity(self) -> None:
        order = mapping.order(order_record(OrderStatus="Cancelled", CumulativeQuantity=4, LeavesQuantity=6),
                              "NSE:INFY")
        assert (order.cancelled_quantity, order.pending_quantity) == (6, 0)

    def test_order_without_id_is_a_protocol_error(self) -> None:
        record = order_record()
        del record["AppOrderID"]
        with pytest.raises(ProtocolError, match="order record"):
            mapping.order(record, "NSE:INFY")

    @pytest.mark.parametrize("broken", [
        {"AppOrderID": None}, {"AppOrderID": 0}, {"AppOrderID": ""}, {"OrderQuantity": None},
        {"OrderStatus": None}, {"OrderSide": None}, {"OrderGeneratedDateTime": None},
        {"OrderGeneratedDateTime": "1980-01-01T00:00:00"}, {"OrderPrice": 1e308 * 10},
        {"OrderQuantity": [[[1]]]},
    ])
    def test_required_order_fields_are_never_defaults(self, broken: dict[str, object]) -> None:
        """AppOrderID null is not order "0", a null quantity is not 0, a missing time is not now."""
        with pytest.raises(ProtocolError, match="unreadable order record"):
            mapping.order(order_record(**broken), "NSE:INFY")

    @pytest.mark.parametrize("segment", [None, "", "NSEXX", 99, [["NSECM"]]])
    def test_a_record_must_say_where_it_trades(self, segment: object) -> None:
        with pytest.raises(ProtocolError, match="unreadable record"):
            mapping.record_symbol(lambda seg, ident: None, segment, 1594, {"TradingSymbol": "INFY"})
        assert mapping.record_symbol(lambda seg, ident: None, "NSECM", 1594, {"TradingSymbol": "INFY"}) == \
            "NSE:INFY"  # a contract missing from the master keeps a readable stand-in

    def test_a_position_with_an_absurd_price_is_unreadable(self) -> None:
        record = {"ExchangeSegment": "NSECM", "ExchangeInstrumentId": "1594", "ProductType": "CNC",
                  "BuyAveragePrice": 1e308, "Quantity": "5", "UnrealizedMTM": "1e308"}
        with pytest.raises(ProtocolError, match="unreadable position"):
            mapping.position(record, "NSE:INFY")
        with pytest.raises(ProtocolError, match="without Quantity"):
            mapping.position({**record, "Quantity": None, "BuyAveragePrice": 1}, "NSE:INFY")

    def test_a_quote_with_a_time_no_calendar_holds_or_no_last_price_is_unreadable(self) -> None:
        quote = {"ExchangeSegment": 1, "ExchangeInstrumentID": 1594,
                 "Touchline": {"LastTradedPrice": 1500.5, "LastTradedTime": 10**19}}
        with pytest.raises(ProtocolError, match="out of range"):
            quotes.quote(quote, "NSE:INFY")
        with pytest.raises(ProtocolError, match=r"without a last price|without LastTradedPrice"):
            quotes.quote({**quote, "Touchline": {"LastTradedPrice": None}}, "NSE:INFY")

    def test_rest_position_family(self) -> None:
        position = mapping.position({
            "ExchangeSegment": "NSEFO", "ExchangeInstrumentId": "41376", "ProductType": "MIS", "Multiplier": "1",
            "BuyAveragePrice": "0.00", "SellAveragePrice": "82.70", "OpenBuyQuantity": "0",
            "OpenSellQuantity": "75", "Quantity": "-75", "BuyAmount": "0.00", "SellAmount": "6,202.50",
            "UnrealizedMTM": "1,485.00", "RealizedMTM": "0.00"}, "NFO:X")
        assert position.quantity == -75
        assert position.sell_quantity == 75
        assert position.sell_value == Decimal("6202.50")
        assert position.average_price == Decimal("82.70")
        assert position.unrealised_pnl == Decimal(1485)

    def test_socket_position_family(self) -> None:
        position = mapping.position({
            "ProductType": "NRML", "BuyAveragePrice": 101.5, "SellAveragePrice": 0, "LongPosition": 50,
            "ShortPosition": 0, "NetPosition": 50, "BuyValue": 5075, "SellValue": 0, "RealizedMTM": 0,
            "UnrealizedMTM": "-25", "ExchangeInstrumentID": "35001"}, "NFO:Y")
        assert (position.quantity, position.buy_quantity, position.buy_value) == (50, 50, Decimal(5075))
        assert position.average_price == Decimal("101.5")

    def test_trade(self) -> None:
        trade = mapping.trade(order_record(ExecutionID="E77", LastTradedPrice=1510.5, LastTradedQuantity=4,
                                           LastExecutionTransactTime="2026-11-24T10:16:00"), "NSE:INFY")
        assert (trade.trade_id, trade.order_id, trade.quantity, trade.price) == ("E77", "4100200", 4,
                                                                                 Decimal("1510.5"))

    def test_funds_from_the_all_segment(self) -> None:
        result = {"BalanceList": [
            {"limitHeader": "CASH|NSE|MTF", "limitObject": {"RMSSubLimits": {"cashAvailable": "1"}}},
            {"limitHeader": "ALL|ALL|ALL", "limitObject": {"RMSSubLimits": {
                "cashAvailable": "1,00,000.00", "collateral": 0, "marginUtilized": "2,500.5",
                "netMarginAvailable": "97,499.50", "MTM": "NaN", "UnrealizedMTM": "NaN", "RealizedMTM": "12"}}},
        ]}
        funds = mapping.funds(result)
        assert funds.cash == Decimal(100000)
        assert funds.available_margin == Decimal("97499.50")
        assert funds.used_margin == Decimal("2500.5")
        assert funds.unrealised_pnl == 0
        with pytest.raises(ProtocolError):
            mapping.funds({"BalanceList": []})

    def test_holdings_both_shapes(self) -> None:
        def resolve(segment: int, ident: int) -> str | None:
            return {(1, 1594): "NSE:INFY"}.get((segment, ident))

        current = {"RMSHoldings": {"Holdings": {"INE009A01021": {
            "ISIN": "INE009A01021", "HoldingQuantity": "12", "BuyAvgPrice": "1,450.25",
            "ExchangeNSEInstrumentId": 1594, "ExchangeBSEInstrumentId": 0}}}}
        old = {"RMSHoldingList": [{"ISIN": "INE009A01021", "HoldingQuantity": 12, "BuyAvgPrice": 1450.25,
                                   "ExchangeNSEInstrumentId": "1594"}]}
        for result in (current, old):
            (holding,) = mapping.holdings(result, resolve)
            assert (holding.symbol, holding.quantity, holding.average_price) == ("NSE:INFY", 12,
                                                                                Decimal("1450.25"))
        for unreadable in ("", {}, {"RMSHoldings": None}):  # not "no holdings": a reply we cannot read
            with pytest.raises(ProtocolError, match="unreadable holdings reply"):
                mapping.holdings(unreadable, resolve)


class TestQuotes:
    def test_nested_depth_quote_sorted(self) -> None:
        message = {
            "ExchangeSegment": 1, "ExchangeInstrumentID": 1594, "ExchangeTimeStamp": 1479900000,
            "Bids": [{"Size": 10, "Price": 1500.1, "TotalOrders": 2}, {"Size": 5, "Price": 1500.3, "TotalOrders": 1},
                     {"Size": 0, "Price": 0, "TotalOrders": 0}],
            "Asks": [{"Size": 7, "Price": 1501, "TotalOrders": 1}, {"Size": 3, "Price": 1500.5, "TotalOrders": 1}],
            "Touchline": {"LastTradedPrice": 1500.4, "LastTradedQunatity": 2, "TotalTradedQuantity": 12345,
                          "AverageTradedPrice": 1499.9, "Open": 1490, "High": 1510, "Low": 1488, "Close": 1495,
                          "LastTradedTime": 1479899990},
        }
        quote = quotes.quote(message, "NSE:INFY")
        assert quote.last_price == Decimal("1500.4")
        assert [level.price for level in quote.depth.bids] == [Decimal("1500.3"), Decimal("1500.1")]
        assert [level.price for level in quote.depth.asks] == [Decimal("1500.5"), Decimal(1501)]
        assert quote.last_quantity == 2
        assert quote.last_traded_at == dt.datetime(2026, 11, 23, 5, 49, 50, tzinfo=dt.UTC)  # 11:19:50 IST

    def test_flat_touchline_quote(self) -> None:
        message = {"ExchangeSegment": 1, "ExchangeInstrumentID": 2885, "LastTradedPrice": "1,250.5",
                   "BidInfo": {"Size": 4, "Price": 1250.4, "TotalOrders": 1},
                   "AskInfo": {"Size": 6, "Price": 1250.6, "TotalOrders": 2}, "Close": 1240}
        quote = quotes.quote(message, "NSE:RELIANCE")
        assert quote.last_price == Decimal("1250.5")
        assert quote.depth.bids[0].quantity == 4
        assert quote.depth.asks[0].orders == 2

    def test_list_quotes_are_json_strings(self) -> None:
        assert quotes.listed_quotes({"listQuotes": ['{"a": 1}', {"b": 2}]}) == [{"a": 1}, {"b": 2}]
        for unreadable in ("{not json", "[" * 100_000 + "]" * 100_000, '{"LastTradedPrice": NaN}'):
            with pytest.raises(ProtocolError, match="not JSON"):  # never RecursionError
                quotes.listed_quotes({"listQuotes": [unreadable]})
