"""The Interactive (trading) API: login, orders, books, portfolio, with investor and dealer rules.

Investor: no ``clientID``, its own code, its user id or ``*****`` all mean its own account.
Dealer: ``clientID`` is required; ``*****`` is its PRO book; other codes must be in its clientCodes
(spec 5.4). Order outcomes are asynchronous as on XTS: a placement answers an AppOrderID and a
refused order shows up as ``Rejected`` in the books and on the socket.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.responses import Response

from brokerplex.errors import BrokerplexError, OrderNotFoundError
from brokerplex.models import Order, OrderModify, OrderRequest, OrderType, Position, Side
from brokerplex_xts_client.sim.accounts import PRO, User
from brokerplex_xts_client.sim.catalog import Entry
from brokerplex_xts_client.sim.cover import LinkedOrders
from brokerplex_xts_client.sim.fields import (
    PRODUCTS,
    VALIDITIES,
    choice_field,
    decimal_field,
    integer_field,
    validation_messages,
)
from brokerplex_xts_client.sim.http import Call, MissingRoute, Refusal, Route, bad_request, no_data, success
from brokerplex_xts_client.sim.portfolio import Portfolio, net_quantity
from brokerplex_xts_client.sim.records import (
    REQUEST_ORDER_TYPES,
    Owner,
    balance_result,
    holdings_result,
    order_record,
    position_record,
    trade_record,
)
from brokerplex_xts_client.sim.state import INTERACTIVE, SimState

_ENUMS = {
    "socketEvent": ["joined", "error", "warning", "success", "order", "trade", "logout", "position",
                    "tradeConversion", "marketStatusUpdate", "exchangeAdapterState", "gttOrder", "gttOrderRejection"],
    "orderSide": ["BUY", "SELL"],
    "orderSource": ["TWS", "TWSAPI", "MobileAndroidAPI", "WebAPI", "MobileWindowsAPI", "MobileIOSAPI"],
    "positionSqureOffMode": ["DayWise", "NetWise"],
    "positionSquareOffQuantityType": ["Percentage", "ExactQty"],
    "dayOrNet": ["DAY", "NET"],
    "exchangeInfo": {
        segment: {"productType": ["MIS", "NRML", *(["CNC"] if segment.endswith("CM") else [])],
                  "orderType": ["StopLimit", "StopMarket", "Limit", "Market"], "timeInForce": ["DAY", "IOC"]}
        for segment in ("NSECM", "NSEFO", "NSECD", "BSECM", "MCXFO")
    },
}


class Interactive:
    def __init__(self, state: SimState) -> None:
        self.state = state
        self.portfolio = Portfolio(self)
        self.linked = LinkedOrders(self)  # cover and bracket legs

    def routes(self) -> dict[tuple[str, str], Route]:
        def route(handler: Any, bucket: str = "read", authenticated: bool = True) -> Route:
            return Route(handler, bucket, INTERACTIVE, authenticated)

        return {
            ("POST", "/user/session"): route(self.login, "login", authenticated=False),
            ("DELETE", "/user/session"): route(self.logout),
            ("GET", "/user/profile"): route(self.profile),
            ("GET", "/user/balance"): route(self.balance),
            ("GET", "/user/enums"): route(self.enums),
            ("POST", "/orders"): route(self.place, "order"),
            ("PUT", "/orders"): route(self.modify, "order"),
            ("DELETE", "/orders"): route(self.cancel, "order"),
            ("POST", "/orders/cancelall"): route(self.cancel_all, "order"),
            ("GET", "/orders"): route(self.order_book),
            ("GET", "/orders/trades"): route(self.trade_book),
            ("GET", "/orders/dealerorderbook"): route(self.dealer_order_book),
            ("GET", "/orders/dealertradebook"): route(self.dealer_trade_book),
            ("GET", "/portfolio/positions"): route(self.positions),
            ("GET", "/portfolio/dealerpositions"): route(self.dealer_positions),
            ("GET", "/portfolio/holdings"): route(self.holdings),
            ("PUT", "/portfolio/squareoff"): route(self.square_off, "order"),
            ("PUT", "/portfolio/positions/convert"): route(self.portfolio.convert, "order"),
            ("PUT", "/portfolio/squareoffall"): route(self.portfolio.square_off_all, "order"),
            ("POST", "/orders/margindetails"): route(self.portfolio.margin_details),
            ("POST", "/orders/cover"): route(self.linked.place_cover, "order"),
            ("PUT", "/orders/cover"): route(self.linked.exit_cover, "order"),
            ("POST", "/orders/bracket"): route(self.linked.place_bracket, "order"),
            ("PUT", "/orders/bracket"): route(self.linked.modify_bracket, "order"),
            ("DELETE", "/orders/bracket"): route(self.linked.cancel_bracket, "order"),
        }

    # -- who is acting ----------------------------------------------------------------------
    def _client(self, call: Call, *, allow_login_id: bool = False) -> tuple[User, str]:
        """(user, client code) the call acts for, by the rules of spec 5.4."""
        assert call.session is not None
        user = call.session.user
        value = call.field("clientID")
        code = None if value is None or value == "" else str(value)
        if user.investor:
            if code in (None, PRO, user.user_id, *user.client_codes):
                return user, user.client_codes[0]
            raise bad_request(f"clientID {code} is not mapped to user {user.user_id}")
        if code is None:
            raise bad_request("clientID is required for a dealer login")
        if code == PRO or (allow_login_id and code == user.user_id):
            return user, PRO
        if code in user.client_codes:
            return user, code
        raise bad_request(f"clientID {code} is not mapped to dealer {user.user_id}")

    def _dealer_only(self, call: Call) -> None:
        assert call.session is not None
        if not self.state.dealer_routes:
            raise MissingRoute()
        if call.session.user.investor:
            raise Refusal("Data Not Available", code="e-dealer-0001", errors=["dealer API used by an investor login"])

    def _investor_route(self, call: Call) -> None:
        assert call.session is not None
        if not call.session.user.investor and not self.state.dealer_investor_routes:
            raise no_data()

    def _owner(self, user: User, code: str) -> Owner:
        # The PRO book is the dealer's own account: records name the dealer as its client.
        return Owner(user.user_id, user.user_id if code == PRO else code)

    def _entry(self, symbol: str) -> Entry:
        entry = self.state.catalog.by_symbol(symbol)
        if entry is None:
            raise Refusal("Data Not Available", code="e-data-0001")
        return entry

    def order_record(self, order: Order, user: User, code: str) -> dict[str, Any]:
        return self.linked.decorate(order_record(
            order, self._entry(order.symbol), self._owner(user, code),
            self.state.unique_ids.get(order.order_id, order.client_order_id or ""), self.state.sequence()))

    # -- session ------------------------------------------------------------------------------
    async def login(self, call: Call) -> Response:
        app_key, secret_key = call.body.get("appKey"), call.body.get("secretKey")
        if not app_key or not secret_key:
            raise bad_request(*(f"{name} is required" for name in ("appKey", "secretKey") if not call.body.get(name)))
        user = self.state.user_by_key(INTERACTIVE, str(app_key), str(secret_key))
        if user is None:
            raise Refusal("Invalid appKey or secretKey", code="e-user-0001")
        session = self.state.login(user, INTERACTIVE)
        result = {
            "enums": _ENUMS, "clientCodes": list(user.client_codes), "exchangeSegmentArray": _segment_array(),
            "userID": user.user_id, "isInvestorClient": user.investor, "isOneTouchUser": False,
            "token": session.token,
        }
        return success("s-user-0001", "Valid User.", result)

    async def logout(self, call: Call) -> Response:
        assert call.session is not None
        self.state.logout(call.session.token)
        return success("s-user-0001", "successfully logout from all API.", "")

    async def enums(self, call: Call) -> Response:
        return success("s-user-0001", "OK", _ENUMS)

    async def profile(self, call: Call) -> Response:
        user, code = self._client(call)
        client_id = user.user_id if code == PRO else code
        exchanges = {segment: {"ClientId": client_id, "ExchangeSegNumber": number, "Enabled": True,
                               "ParticipantCode": ""}
                     for segment, number in (("NSECM", 1), ("NSEFO", 2), ("NSECD", 3), ("BSECM", 11), ("MCXFO", 51))}
        result = {
            "ClientId": client_id, "ClientName": user.name, "EmailId": f"{client_id.lower()}@example.invalid",
            "MobileNo": "9999999999", "PAN": "ABCDE1234F", "BranchId": "HO", "ClientType": 1, "ClientStatus": True,
            "IsInvestorClient": user.investor, "IsProClient": code == PRO, "IsConvertToInvestorClient": False,
            "IncludeInAutoSquareoff": True, "IncludeInAutoSquareoffBlocked": False,
            "OrderTypesAssigned": [], "ProductsAssigned": ["MIS", "NRML", "CNC"],
            "ResidentialAddress": "", "OfficeAddress": "", "GroupName": "", "ClientBankInfoList": [],
            "ClientExchangeDetailsList": exchanges,
            "ClientDealerMappingList": [] if user.investor else [
                {"DealerId": user.user_id, "ClientId": client, "CreatedBy": "ADMIN", "CreatedOn": "2024-01-01T00:00:00"}
                for client in user.client_codes],
        }
        return success("s-user-0001", "OK", result)

    async def balance(self, call: Call) -> Response:
        user, code = self._client(call)
        funds = self.state.exchange.funds(user.account(code))
        return success("s-user-0002", "OK", balance_result(funds, user.user_id if code == PRO else code))

    # -- orders ---------------------------------------------------------------------------------
    async def place(self, call: Call) -> Response:
        user, code = self._client(call)
        errors: list[str] = []
        entry = self._instrument(call, errors)
        side = choice_field(call, "orderSide", {"BUY": Side.BUY, "SELL": Side.SELL}, errors)
        kind = choice_field(call, "orderType", REQUEST_ORDER_TYPES, errors)
        product = choice_field(call, "productType", PRODUCTS, errors)
        validity = choice_field(call, "timeInForce", VALIDITIES, errors)
        quantity = integer_field(call, "orderQuantity", errors, required=True)
        disclosed = integer_field(call, "disclosedQuantity", errors) or 0
        limit = decimal_field(call, "limitPrice", errors)
        stop = decimal_field(call, "stopPrice", errors)
        unique = str(call.field("orderUniqueIdentifier") or "")
        if errors or entry is None:
            raise bad_request(*errors)
        try:
            request = OrderRequest(
                symbol=entry.symbol, side=side, quantity=quantity, order_type=kind, product=product,
                price=limit if kind in (OrderType.LIMIT, OrderType.SL) else None,
                trigger_price=stop if kind in (OrderType.SL, OrderType.SL_M) else None, validity=validity,
                disclosed_quantity=disclosed,
                client_order_id=unique if unique.isalnum() and len(unique) <= 20 else None,
            )
        except ValidationError as error:
            raise bad_request(*validation_messages(error)) from None
        placement = self.state.exchange.place(user.account(code), request)
        order_id = placement.order.order_id
        self.state.unique_ids[order_id] = unique
        self.state.on_interactive_change(user)
        result = {"AppOrderID": int(order_id), "OrderUniqueIdentifier": unique,
                  "ClientID": user.user_id if code == PRO else code}
        return success("s-orders-0001", "Request sent", result)

    def _instrument(self, call: Call, errors: list[str]) -> Entry | None:
        segment, token = call.field("exchangeSegment"), call.field("exchangeInstrumentID")
        if segment in (None, "") or token in (None, ""):
            errors += [f"{name} is required" for name, value in
                       (("exchangeSegment", segment), ("exchangeInstrumentID", token)) if value in (None, "")]
            return None
        entry = self.state.catalog.find(segment if isinstance(segment, int) else str(segment), token)
        if entry is None:
            errors.append(f"instrument {segment} {token} not found")
        elif not entry.listing.instrument.tradable:
            errors.append(f"instrument {segment} {token} is an index and cannot be traded")
            return None
        return entry

    def _order_id(self, call: Call) -> str:
        errors: list[str] = []
        number = integer_field(call, "appOrderID", errors, required=True)
        if errors or number is None:
            raise bad_request(*errors)
        return str(number).zfill(15)

    async def modify(self, call: Call) -> Response:
        user, code = self._client(call)
        order_id = self._order_id(call)
        errors: list[str] = []
        kind = choice_field(call, "modifiedOrderType", REQUEST_ORDER_TYPES, errors, required=False)
        product = str(call.field("modifiedProductType") or "").upper()
        if product not in ("", *PRODUCTS, "CO", "BO"):
            errors.append(f"modifiedProductType {product!r} is not one of {', '.join(PRODUCTS)}, CO, BO")
        validity = choice_field(call, "modifiedTimeInForce", VALIDITIES, errors, required=False)
        quantity = integer_field(call, "modifiedOrderQuantity", errors)
        limit = decimal_field(call, "modifiedLimitPrice", errors)
        stop = decimal_field(call, "modifiedStopPrice", errors)
        if errors:
            raise bad_request(*errors)
        account = user.account(code)
        current = self._find(account, order_id)
        leg = self.linked.kinds.get(order_id)
        if product in ("CO", "BO") and product != leg:
            raise bad_request(f"modifiedProductType {product} is for the legs of {product} orders")
        kind = kind or current.order_type
        try:
            changes = OrderModify(
                quantity=quantity or None, order_type=kind if kind is not current.order_type else None,
                price=limit if kind in (OrderType.LIMIT, OrderType.SL) and limit else None,
                trigger_price=stop if kind in (OrderType.SL, OrderType.SL_M) and stop else None, validity=validity,
            )
            order = self.state.exchange.modify(account, order_id, changes)
        except ValidationError as error:
            raise bad_request(*validation_messages(error)) from None
        except BrokerplexError as error:
            raise Refusal(str(error), code="e-orders-0002", errors=[str(error)]) from None
        self.state.on_interactive_change(user)
        result = {
            "AppOrderID": int(order.order_id), "appOrderID": int(order.order_id),
            "OrderUniqueIdentifier": self.state.unique_ids.get(order_id, ""),
            "productType": order.product.value, "orderType": kind.value,
            "modifiedOrderQuantity": order.quantity, "modifiedLimitPrice": float(order.price or 0),
            "modifiedStopPrice": float(order.trigger_price or 0), "ClientID": user.user_id if code == PRO else code,
        }
        return success("s-orders-0002", "Request sent", result)

    def _find(self, account: str, order_id: str) -> Order:
        try:
            history = self.state.exchange.order_history(account, order_id)
        except OrderNotFoundError:
            raise Refusal("Order Not Found", code="e-orders-0005",
                          errors=[f"AppOrderID {int(order_id)} not found"]) from None
        return history[-1]

    async def cancel(self, call: Call) -> Response:
        user, code = self._client(call)
        order_id = self._order_id(call)
        account = user.account(code)
        self._find(account, order_id)
        try:
            order = self.state.exchange.cancel(account, order_id)
        except BrokerplexError as error:
            raise Refusal(str(error), code="e-orders-0003", errors=[str(error)]) from None
        self.state.on_interactive_change(user)
        return success("s-orders-0003", "Request sent", {"AppOrderID": int(order.order_id)})

    async def cancel_all(self, call: Call) -> Response:
        user, code = self._client(call, allow_login_id=True)
        errors: list[str] = []
        entry = self._instrument(call, errors)
        if errors or entry is None:
            raise bad_request(*errors)
        account, cancelled = user.account(code), []
        for order in self.state.exchange.orders(account):
            if order.symbol == entry.symbol and not order.status.is_final:
                self.state.exchange.cancel(account, order.order_id)
                cancelled.append(int(order.order_id))
        self.state.on_interactive_change(user)
        return success("s-orders-0004", "Request sent", cancelled)

    async def square_off(self, call: Call) -> Response:
        """Close (part of) one position with a market order on the other side."""
        user, code = self._client(call)
        errors: list[str] = []
        entry = self._instrument(call, errors)
        product = choice_field(call, "productType", PRODUCTS, errors)
        kind = str(call.field("positionSquareOffQuantityType") or "").lower()
        value = decimal_field(call, "squareOffQtyValue", errors, required=True)
        if str(call.field("squareoffMode") or "").lower() not in ("daywise", "netwise"):
            errors.append("squareoffMode must be DayWise or NetWise")
        if kind not in ("exactqty", "percentage"):
            errors.append("positionSquareOffQuantityType must be ExactQty or Percentage")
        if errors or entry is None or value is None:
            raise bad_request(*errors)
        account = user.account(code)
        net = net_quantity(self.state.exchange, account, entry.symbol, product)
        lot = entry.listing.instrument.lot_size
        wanted = abs(net) if kind == "percentage" and value >= 100 else (
            int(abs(net) * value / 100) // lot * lot if kind == "percentage" else min(int(value), abs(net)))
        if not net or wanted <= 0:
            raise Refusal("No open position to square off", code="e-portfolio-0005",
                          errors=[f"no open {product.value} position in {entry.segment} {entry.token}"])
        if str(call.field("cancelOrders")).lower() == "true":
            for order in self.state.exchange.orders(account):
                if order.symbol == entry.symbol and not order.status.is_final:
                    self.state.exchange.cancel(account, order.order_id)
        request = OrderRequest(symbol=entry.symbol, side=Side.SELL if net > 0 else Side.BUY, quantity=wanted,
                               product=product)
        placement = self.state.exchange.place(account, request)
        self.state.unique_ids[placement.order.order_id] = ""
        self.state.on_interactive_change(user)
        return success("s-portfolio-0002", "Request sent", {"AppOrderID": int(placement.order.order_id)})

    # -- books ------------------------------------------------------------------------------------
    async def order_book(self, call: Call) -> Response:
        if call.field("appOrderID") not in (None, ""):
            return await self._history(call)  # order history is every login's route (spec 5.3)
        self._investor_route(call)
        return self._orders(call, empty_is_error=True)

    async def dealer_order_book(self, call: Call) -> Response:
        self._dealer_only(call)
        return self._orders(call, empty_is_error=False)

    def _orders(self, call: Call, *, empty_is_error: bool) -> Response:
        user, code = self._client(call)
        self.linked.settle(user, code)
        # newest first, as the captured IIFL book lists them
        orders = reversed(self.state.exchange.orders(user.account(code)))
        records = [self.order_record(order, user, code) for order in orders]
        if not records and empty_is_error:
            raise no_data()
        return success("s-orders-0001", "Success order book", records)

    async def _history(self, call: Call) -> Response:
        user, code = self._client(call)
        order_id = self._order_id(call)
        account = user.account(code)
        self.linked.settle(user, code)
        self._find(account, order_id)
        records: list[dict[str, Any]] = []
        for state in self.state.exchange.order_history(account, order_id):
            record = self.order_record(state, user, code)
            last = records[-1] if records else None
            if last is None or (last["OrderStatus"], last["CumulativeQuantity"], last["OrderQuantity"],
                                last["OrderPrice"]) != (record["OrderStatus"], record["CumulativeQuantity"],
                                                        record["OrderQuantity"], record["OrderPrice"]):
                records.append(record)
        return success("s-orders-0001", "Success order history", records)

    async def trade_book(self, call: Call) -> Response:
        self._investor_route(call)
        return self._trades(call, empty_is_error=True)

    async def dealer_trade_book(self, call: Call) -> Response:
        self._dealer_only(call)
        return self._trades(call, empty_is_error=False)

    def _trades(self, call: Call, *, empty_is_error: bool) -> Response:
        user, code = self._client(call)
        self.linked.settle(user, code)
        account = user.account(code)
        orders = {order.order_id: order for order in self.state.exchange.orders(account)}
        records: list[dict[str, Any]] = []
        for index, trade in enumerate(self.state.exchange.trades(account), start=1):
            order = orders[trade.order_id]
            unique = self.state.unique_ids.get(order.order_id, order.client_order_id or "")
            record = trade_record(trade, order, self._entry(order.symbol), self._owner(user, code), unique,
                                  self.state.sequence(), index)
            records.append(self.linked.decorate(record))
        records.reverse()  # newest first, like the order book
        if not records and empty_is_error:
            raise no_data()
        if empty_is_error:
            return success("s-trades-0001", "Success trade book", records)
        return success("s-dealertrade-0001", "Success trade book", records)

    async def positions(self, call: Call) -> Response:
        self._investor_route(call)
        return self._positions(call, empty_is_error=True)

    async def dealer_positions(self, call: Call) -> Response:
        self._dealer_only(call)
        return self._positions(call, empty_is_error=False)

    def _positions(self, call: Call, *, empty_is_error: bool) -> Response:
        user, code = self._client(call)
        mode = str(call.field("dayOrNet") or "NetWise").lower()
        if mode not in ("daywise", "netwise"):
            raise bad_request("dayOrNet must be DayWise or NetWise")
        day_wise = mode == "daywise"
        self.linked.settle(user, code)
        account_id = user.user_id if code == PRO else code
        rows = [
            position_record(position, self._entry(position.symbol), account_id, day_wise)
            for position in self.state.exchange.positions(user.account(code))
            if _shown(position, day_wise)
        ]
        if not rows and empty_is_error:
            raise no_data()
        return success("s-portfolio-0001", "Success positions", {"positionList": rows})

    async def holdings(self, call: Call) -> Response:
        self._investor_route(call)
        user, code = self._client(call)
        holdings = self.state.exchange.holdings(user.account(code))
        if not holdings:
            raise no_data()
        entries = {entry.symbol: entry for entry in self.state.catalog.entries}
        return success("s-holdings-0001", "OK",
                       holdings_result(holdings, entries, user.user_id if code == PRO else code))


def _shown(position: Position, day_wise: bool) -> bool:
    if day_wise:
        return bool(position.buy_quantity or position.sell_quantity)
    return bool(position.quantity or position.buy_quantity or position.sell_quantity)


def _segment_array() -> list[dict[str, Any]]:
    return [{"exchangeSegment": name, "id": number}
            for name, number in (("NSECM", 1), ("NSEFO", 2), ("NSECD", 3), ("BSECM", 11), ("MCXFO", 51))]
