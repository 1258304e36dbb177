"""Paper exchange models written as XTS records: orders (9004), trades (9005), positions (9002),
balance, holdings, profile, and the market-data messages 1501/1502/1505/1510/1512 (full and partial).

Field names, casing and the server's sloppiness (numbers as strings, ``LastTradedQunatity``,
thousands separators in money strings) follow spec sections 4.5, 6 and 11.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from brokerplex.formats import IST
from brokerplex.models import Funds, Holding, Order, OrderStatus, OrderType, Position, Quote, Side, Trade
from brokerplex_xts_client.sim.catalog import Entry, display_name, plain

NO_DATE = "1980-01-01T00:00:00"
NO_DATE_API = "01-01-1980 00:00:00"
_EPOCH_1980 = 315532800  # 1980-01-01 in Unix seconds
ORDER_TYPES = {OrderType.MARKET: "Market", OrderType.LIMIT: "Limit", OrderType.SL: "StopLimit",
               OrderType.SL_M: "StopMarket"}
REQUEST_ORDER_TYPES = {"MARKET": OrderType.MARKET, "LIMIT": OrderType.LIMIT, "STOPLIMIT": OrderType.SL,
                       "STOPMARKET": OrderType.SL_M}
SIDES = {Side.BUY: "Buy", Side.SELL: "Sell"}


# -- time --------------------------------------------------------------------------------------


def ist(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(IST)


def local_text(moment: dt.datetime) -> str:
    """``2020-12-30T12:21:41.1823828``: IST wall clock, no zone, seven fractional digits."""
    local = ist(moment)
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond:06d}0"


def zoned_text(moment: dt.datetime) -> str:
    return f"{ist(moment):%Y-%m-%dT%H:%M:%S}+05:30"


def api_text(moment: dt.datetime) -> str:
    return f"{ist(moment):%d-%m-%Y %H:%M:%S}"


def ist_wall_seconds(moment: dt.datetime) -> int:
    """Seconds since 1970 on the IST wall clock (OHLC bars, 1505 BarTime)."""
    return int(moment.timestamp()) + 19_800


def seconds_1980(moment: dt.datetime) -> int:
    """Market-data tick times: seconds since 1980-01-01 00:00 IST wall clock."""
    return ist_wall_seconds(moment) - _EPOCH_1980


def money_text(value: Decimal) -> str:
    """``6,202.50``: how positions and average prices are written."""
    return f"{value:,.2f}"


def number(value: Decimal | None) -> float | int:
    """A JSON number as XTS prints it: ``1234.5``, ``1262``."""
    if value is None:
        return 0
    return int(value) if value == value.to_integral_value() else float(value)


# -- orders and trades ---------------------------------------------------------------------------


def xts_status(order: Order) -> str:
    if order.status is OrderStatus.PENDING:
        return "Replaced" if order.status_message == "modified" else "PendingNew"
    if order.status is OrderStatus.TRIGGER_PENDING:
        return "New"
    if order.status is OrderStatus.OPEN:
        if order.filled_quantity:
            return "PartiallyFilled"
        if order.status_message == "modified":
            return "Replaced"
        return "Open" if order.trigger_price is not None else "New"
    return {OrderStatus.COMPLETE: "Filled", OrderStatus.CANCELLED: "Cancelled",
            OrderStatus.REJECTED: "Rejected"}[order.status]


class Owner:
    """Who an order belongs to, as the records name it."""

    __slots__ = ("client_id", "login_id")

    def __init__(self, login_id: str, client_id: str) -> None:
        self.login_id, self.client_id = login_id, client_id


def order_record(order: Order, entry: Entry, owner: Owner, unique_id: str, sequence: int) -> dict[str, Any]:
    status = xts_status(order)
    traded = order.average_price if order.filled_quantity else None
    reason = order.status_message if order.status in (OrderStatus.REJECTED, OrderStatus.CANCELLED) else ""
    return {
        "LoginID": owner.login_id, "ClientID": owner.client_id, "AppOrderID": int(order.order_id),
        "OrderReferenceID": "", "GeneratedBy": "TWSAPI", "ExchangeOrderID": order.exchange_order_id or "",
        "OrderCategoryType": "NORMAL", "ExchangeSegment": entry.segment, "ExchangeInstrumentID": entry.token,
        "OrderSide": SIDES[order.side], "OrderType": ORDER_TYPES[order.order_type],
        "ProductType": order.product.value, "TimeInForce": order.validity.value,
        "OrderPrice": number(order.price), "OrderQuantity": order.quantity,
        "OrderStopPrice": number(order.trigger_price), "OrderStatus": status,
        "OrderAverageTradedPrice": money_text(traded) if traded is not None else "",
        "LeavesQuantity": order.pending_quantity if status not in ("Cancelled", "Rejected") else 0,
        "CumulativeQuantity": order.filled_quantity, "OrderDisclosedQuantity": order.disclosed_quantity,
        "OrderGeneratedDateTime": local_text(order.placed_at),
        "ExchangeTransactTime": zoned_text(order.updated_at if order.exchange_order_id else order.placed_at),
        "LastUpdateDateTime": local_text(order.updated_at), "OrderExpiryDate": NO_DATE,
        "CancelRejectReason": f"OEMS:RMS : {reason}" if status == "Rejected" and reason else reason,
        "OrderUniqueIdentifier": unique_id, "OrderLegStatus": "SingleOrderLeg", "IsSpread": False,
        "BoLegDetails": 0, "BoEntryOrderId": "",
        "OrderAverageTradedPriceAPI": number(traded) if traded is not None else "NaN",
        "OrderSideAPI": order.side.value, "OrderGeneratedDateTimeAPI": api_text(order.placed_at),
        "ExchangeTransactTimeAPI": api_text(order.updated_at), "LastUpdateDateTimeAPI": api_text(order.updated_at),
        "OrderExpiryDateAPI": NO_DATE_API, "AlgoID": "", "AlgoCategory": 0,
        "MessageSynchronizeUniqueKey": owner.login_id, "MessageCode": 9004, "MessageVersion": 4, "TokenID": 0,
        "ApplicationType": 146, "SequenceNumber": sequence, "TradingSymbol": entry.listing.instrument.tradingsymbol,
    }


def trade_record(
    trade: Trade, order: Order, entry: Entry, owner: Owner, unique_id: str, sequence: int, index: int
) -> dict[str, Any]:
    record = order_record(order, entry, owner, unique_id, sequence)
    del record["OrderExpiryDate"], record["OrderExpiryDateAPI"]
    record.update({
        "MessageCode": 9005, "MessageSynchronizeUniqueKey": owner.client_id,
        "LastTradedPrice": number(trade.price), "LastTradedQuantity": trade.quantity,
        "LastExecutionTransactTime": f"{ist(trade.filled_at):%Y-%m-%dT%H:%M:%S}",
        "LastExecutionTransactTimeAPI": api_text(trade.filled_at),
        "ExecutionID": trade.trade_id.lstrip("0") or "0", "ExecutionReportIndex": index,
    })
    return record


# -- positions, holdings, balance, profile --------------------------------------------------------


def _pnl_parts(position: Position) -> tuple[Decimal, Decimal, Decimal]:
    buy_avg = position.buy_value / position.buy_quantity if position.buy_quantity else Decimal(0)
    sell_avg = position.sell_value / position.sell_quantity if position.sell_quantity else Decimal(0)
    return buy_avg, sell_avg, position.sell_value - position.buy_value


def position_record(position: Position, entry: Entry, account_id: str, day_wise: bool) -> dict[str, Any]:
    """A REST ``positionList`` element: every number a string, money with separators."""
    buy_avg, sell_avg, net = _pnl_parts(position)
    quantity = position.quantity if not day_wise else position.buy_quantity - position.sell_quantity
    multiplier = position.multiplier
    return {
        "AccountID": account_id, "TradingSymbol": display_name(entry.listing.instrument),
        "ExchangeSegment": entry.segment, "ExchangeInstrumentId": str(entry.token),
        "ProductType": position.product.value, "Marketlot": str(entry.listing.instrument.lot_size),
        "Multiplier": plain(multiplier), "BuyAveragePrice": money_text(buy_avg),
        "SellAveragePrice": money_text(sell_avg),
        "OpenBuyQuantity": str(position.buy_quantity), "OpenSellQuantity": str(position.sell_quantity),
        "Quantity": str(quantity), "BuyAmount": money_text(position.buy_value),
        "SellAmount": money_text(position.sell_value), "NetAmount": money_text(net),
        "UnrealizedMTM": money_text(position.unrealised_pnl), "RealizedMTM": money_text(position.realised_pnl),
        "MTM": money_text(position.unrealised_pnl + position.realised_pnl),
        "BEP": money_text(position.average_price),
        "SumOfTradedQuantityAndPriceBuy": money_text(position.buy_value),
        "SumOfTradedQuantityAndPriceSell": money_text(position.sell_value),
        "MessageCode": 9002, "MessageVersion": 1, "TokenID": 0, "ApplicationType": 0, "SequenceNumber": 0,
    }


def position_event(position: Position, entry: Entry, owner: Owner) -> dict[str, Any]:
    """The ``position`` socket event (socket field names, TRX sample)."""
    buy_avg, sell_avg, net = _pnl_parts(position)
    return {
        "LoginID": owner.login_id, "AccountID": owner.client_id,
        "TradingSymbol": entry.listing.instrument.tradingsymbol, "ExchangeSegment": entry.segment,
        "ExchangeInstrumentID": str(entry.token), "ProductType": position.product.value,
        "Multiplier": plain(position.multiplier), "Marketlot": str(entry.listing.instrument.lot_size),
        "BuyAveragePrice": plain(buy_avg.quantize(Decimal("0.0001"))),
        "SellAveragePrice": plain(sell_avg.quantize(Decimal("0.0001"))),
        "LongPosition": str(position.buy_quantity), "ShortPosition": str(position.sell_quantity),
        "NetPosition": str(position.buy_quantity - position.sell_quantity), "BuyValue": plain(position.buy_value),
        "SellValue": plain(position.sell_value), "NetValue": plain(net),
        "UnrealizedMTM": f"{position.unrealised_pnl:.2f}", "RealizedMTM": f"{position.realised_pnl:.2f}",
        "MTM": f"{position.unrealised_pnl + position.realised_pnl:.2f}", "BEP": f"{position.average_price:.2f}",
        "SumOfTradedQuantityAndPriceBuy": plain(position.buy_value),
        "SumOfTradedQuantityAndPriceSell": plain(position.sell_value), "IsDayWiseNetWise": "DayWise",
        "StatisticsLevel": "ParentLevel", "IsInterOpPosition": False, "childPositions": {},
        "MessageCode": 9002, "MessageVersion": 1, "TokenID": 0, "ApplicationType": 0, "SequenceNumber": 0,
    }


def holdings_result(holdings: list[Holding], entries: dict[str, Entry], account_id: str) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for holding in holdings:
        entry = entries.get(holding.symbol)
        isin = holding.isin or f"SIM{holding.symbol.partition(':')[2]}"
        nse = entry.token if entry is not None and entry.segment == "NSECM" else 0
        rows[isin] = {
            "ISIN": isin, "HoldingQuantity": holding.quantity + holding.t1_quantity,
            "BuyAvgPrice": number(holding.average_price), "ExchangeNSEInstrumentId": nse,
            "ExchangeBSEInstrumentId": entry.token if entry is not None and entry.segment == "BSECM" else 0,
            "HoldingType": 1, "CollateralQuantity": 0, "Haircut": 0, "MarketRate": number(holding.last_price),
            "UsedQuantity": 0, "IsNeedToDelete": False, "CreatedOn": "", "LastUpdatedOn": "",
        }
    return {"RMSHoldings": {"Holdings": rows, "ClientId": account_id}}


def balance_result(funds: Funds, account_id: str) -> dict[str, Any]:
    def text(value: Decimal) -> str:
        return plain(value.quantize(Decimal("0.01")))

    zero = "0"
    limit = {
        "RMSSubLimits": {
            "cashAvailable": text(funds.cash), "collateral": 0, "marginUtilized": text(funds.used_margin),
            "netMarginAvailable": text(funds.available_margin), "MTM": text(funds.unrealised_pnl + funds.realised_pnl),
            "UnrealizedMTM": text(funds.unrealised_pnl), "RealizedMTM": text(funds.realised_pnl),
        },
        "marginAvailable": {
            "CashMarginAvailable": text(funds.cash), "AdhocMargin": zero, "NotinalCash": zero, "PayInAmount": zero,
            "PayOutAmount": zero, "CNCSellBenifit": zero, "DirectCollateral": zero, "HoldingCollateral": zero,
            "ClientBranchAdhoc": zero, "SellOptionsPremium": zero, "NetOptionPremium": zero,
            "BuyOptionsPremium": zero, "TotalBranchAdhoc": zero, "AdhocFOMargin": "NaN",
            "AdhocCurrencyMargin": "NaN", "AdhocCommodityMargin": "NaN",
        },
        "marginUtilized": {
            "GrossExposureMarginPresent": zero, "BuyExposureMarginPresent": zero, "SellExposureMarginPresent": zero,
            "VarELMarginPresent": text(funds.used_margin), "ScripBasketMarginPresent": zero,
            "GrossExposureLimitPresent": zero, "BuyExposureLimitPresent": zero, "SellExposureLimitPresent": zero,
            "CNCLimitUsed": zero, "CNCAmountUsed": zero, "MarginUsed": text(funds.used_margin), "LimitUsed": "NaN",
            "TotalSpanMargin": zero, "ExposureMarginPresent": zero,
        },
        "limitsAssigned": dict.fromkeys((
            "CNCLimit", "TurnoverLimitPresent", "MTMLossLimitPresent", "BuyExposureLimit", "SellExposureLimit",
            "GrossExposureLimit", "GrossExposureDerivativesLimit", "BuyExposureFuturesLimit",
            "BuyExposureOptionsLimit", "SellExposureOptionsLimit", "SellExposureFuturesLimit", "AdhocOptionsBuy",
            "AdhocCashCNCMargin"), zero),
        "AccountID": account_id,
    }
    return {"BalanceList": [{"limitHeader": "ALL|ALL|ALL", "limitObject": limit}]}


# -- market data ----------------------------------------------------------------------------------


def _level(price: Decimal, size: int, orders: int) -> dict[str, Any]:
    return {"Size": size, "Price": number(price), "TotalOrders": orders, "BuyBackMarketMaker": 0}


def touchline(quote: Quote) -> dict[str, Any]:
    bids, asks = quote.depth.bids, quote.depth.asks
    bid = _level(bids[0].price, bids[0].quantity, bids[0].orders) if bids else _level(Decimal(0), 0, 0)
    ask = _level(asks[0].price, asks[0].quantity, asks[0].orders) if asks else _level(Decimal(0), 0, 0)
    traded = quote.last_traded_at or quote.timestamp or dt.datetime.now(IST)
    updated = quote.timestamp or traded
    return {
        "BidInfo": bid, "AskInfo": ask, "LastTradedPrice": number(quote.last_price),
        "LastTradedQunatity": quote.last_quantity,
        "TotalBuyQuantity": sum(level.quantity for level in bids) * 7,
        "TotalSellQuantity": sum(level.quantity for level in asks) * 7,
        "TotalTradedQuantity": quote.volume, "AverageTradedPrice": number(quote.average_price or quote.last_price),
        "LastTradedTime": seconds_1980(traded), "LastUpdateTime": seconds_1980(updated),
        "PercentChange": float(quote.change_percent or 0), "Open": number(quote.open), "High": number(quote.high),
        "Low": number(quote.low), "Close": number(quote.close), "TotalValueTraded": None,
        "BuyBackTotalBuy": 0, "BuyBackTotalSell": 0,
    }


def _header(code: int, entry: Entry, quote: Quote) -> dict[str, Any]:
    return {"MessageCode": code, "MessageVersion": 4, "ApplicationType": 0, "TokenID": 0,
            "ExchangeSegment": entry.segment_id, "ExchangeInstrumentID": entry.token,
            "ExchangeTimeStamp": seconds_1980(quote.timestamp or dt.datetime.now(IST))}


def _depth(levels: list[Any], count: int = 5) -> list[dict[str, Any]]:
    rows = [_level(level.price, level.quantity, level.orders) for level in levels[:count]]
    return rows + [_level(Decimal(0), 0, 0)] * (count - len(rows))


def message(code: int, entry: Entry, quote: Quote, sequence: int) -> dict[str, Any]:
    """The socket (nested) form of one market-data message."""
    body = _header(code, entry, quote)
    if code == 1501:
        body.update({"Touchline": touchline(quote), "BookType": 1, "XMarketType": 1})
    elif code == 1502:
        body.update({"Bids": _depth(quote.depth.bids), "Asks": _depth(quote.depth.asks), "Touchline": touchline(quote),
                     "BookType": 1, "XMarketType": 1})
    elif code == 1512:
        del body["ExchangeTimeStamp"]
        line = touchline(quote)
        body.update({"BookType": 1, "XMarketType": 1, "LastTradedPrice": line["LastTradedPrice"],
                     "LastTradedQunatity": line["LastTradedQunatity"], "LastUpdateTime": line["LastUpdateTime"],
                     "PercentChange": line["PercentChange"], "Close": line["Close"]})
        return body
    elif code == 1510:
        body.update({"XTSMarketType": 1, "OpenInterest": quote.open_interest or 0})
    elif code == 1504:
        body.update({"IndexName": entry.listing.instrument.tradingsymbol, "IndexValue": number(quote.last_price),
                     "OpeningIndex": number(quote.open), "ClosingIndex": number(quote.close),
                     "HighIndexValue": number(quote.high), "LowIndexValue": number(quote.low),
                     "PercentChange": float(quote.change_percent or 0), "YearlyHigh": number(quote.high),
                     "YearlyLow": number(quote.low), "NoOfUpmoves": 0, "NoOfDownmoves": 0,
                     "MarketCapitalisation": 0})
    elif code == 1505:
        moment = quote.timestamp or dt.datetime.now(IST)
        del body["ExchangeTimeStamp"]
        body.update({"MessageVersion": 1, "BarTime": ist_wall_seconds(moment.replace(second=0, microsecond=0)),
                     "BarVolume": quote.last_quantity, "High": number(quote.last_price),
                     "Low": number(quote.last_price), "Open": number(quote.last_price),
                     "Close": number(quote.last_price), "OpenInterest": quote.open_interest or 0,
                     "SumOfQtyInToPrice": 0})
        return body
    body["SequenceNumber"] = sequence
    return body


def quote_element(code: int, entry: Entry, quote: Quote, sequence: int) -> str | None:
    """One ``listQuotes`` element (a JSON string); None when the instrument has no such data.

    As captured: 1501 and 1512 quotes are flat, 1502 is nested like the socket message,
    and 1510 has no data on the REST snapshot.
    """
    if code == 1510:
        return None
    if code in (1501, 1512):
        line = touchline(quote)
        flat: dict[str, Any] = {"MessageCode": code, "ExchangeSegment": entry.segment_id,
                                "ExchangeInstrumentID": entry.token}
        if code == 1501:
            flat.update({key: value for key, value in line.items() if key not in ("BidInfo", "AskInfo")})
            flat.update({"AskInfo": line["AskInfo"], "BidInfo": line["BidInfo"]})
        else:
            flat.update({key: line[key] for key in ("LastTradedPrice", "LastTradedQunatity", "LastUpdateTime",
                                                    "PercentChange", "Close")})
        flat.update({"XMarketType": 1, "BookType": 1})
        return json.dumps(flat, separators=(",", ":"))
    return json.dumps(message(code, entry, quote, sequence), separators=(",", ":"))


def _group(index: int, level: Any) -> str:
    return f"{index}|{level.quantity}|{plain(level.price)}|{level.orders}"


def partial(code: int, entry: Entry, quote: Quote) -> str:
    """The ``<code>-json-partial`` text: ``t:<segment>_<id>,key:value,…`` (NM's key names)."""
    line = touchline(quote)
    parts = [f"t:{entry.segment_id}_{entry.token}"]
    if code in (1501, 1502):
        levels = 1 if code == 1501 else 5
        bids = "|".join(_group(i, level) for i, level in enumerate(quote.depth.bids[:levels]))
        asks = "|".join(_group(i, level) for i, level in enumerate(quote.depth.asks[:levels]))
        parts += [f"ltp:{line['LastTradedPrice']}", f"ltq:{line['LastTradedQunatity']}",
                  f"tb:{line['TotalBuyQuantity']}", f"ts:{line['TotalSellQuantity']}",
                  f"v:{line['TotalTradedQuantity']}", f"ap:{line['AverageTradedPrice']}",
                  f"ltt:{line['LastTradedTime']}", f"lut:{line['LastUpdateTime']}",
                  f"pc:{round(line['PercentChange'], 2)}", f"o:{line['Open']}", f"h:{line['High']}",
                  f"l:{line['Low']}", f"c:{line['Close']}", f"vp:{int(quote.volume * quote.last_price)}",
                  f"ai:{asks}", f"bi:{bids}"]
    elif code == 1512:
        parts += [f"ltp:{line['LastTradedPrice']}", f"ltq:{line['LastTradedQunatity']}",
                  f"lut:{line['LastUpdateTime']}", "bt:1", "mt:1"]
    elif code == 1510:
        parts += [f"o:{quote.open_interest or 0}"]
    elif code == 1504:
        parts[0] = f"t:{entry.segment_id}_{entry.listing.instrument.tradingsymbol}"
        parts += [f"ltp:{line['LastTradedPrice']}", f"lut:{line['LastUpdateTime']}", f"yh:{line['High']}",
                  f"yl:{line['Low']}", f"pc:{round(line['PercentChange'], 2)}", f"o:{line['Open']}",
                  f"h:{line['High']}", f"l:{line['Low']}", f"c:{line['Close']}"]
    elif code == 1505:
        body = message(1505, entry, quote, 0)
        parts += [f"o:{body['Open']}", f"h:{body['High']}", f"l:{body['Low']}", f"c:{body['Close']}",
                  f"bt:{body['BarTime']}", f"bv:{body['BarVolume']}", "pv:0"]
    return ",".join(parts)
