"""The Market Data API: login, client config, master, quotes, subscriptions, OHLC, lookups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from brokerplex.formats import IST
from brokerplex.models import InstrumentType, Quote
from brokerplex_paper.hours import SESSIONS
from brokerplex_paper.market import rng, round_to_tick, walk
from brokerplex_xts_client.sim.catalog import (
    INDEX,
    OPTION_TYPES,
    SEGMENT_IDS,
    SEGMENT_NAMES,
    Entry,
    display_name,
    instrument_id,
    plain,
    price_band,
    series,
)
from brokerplex_xts_client.sim.http import Call, Refusal, Route, bad_request, success
from brokerplex_xts_client.sim.records import ist_wall_seconds, number, quote_element
from brokerplex_xts_client.sim.state import MARKETDATA, QUOTE_LIMIT, SUBSCRIPTION_LIMIT, SimState

MESSAGE_CODES = (1501, 1502, 1505, 1510, 1512)
_COMPRESSIONS = {"D": 86_400, "W": 7 * 86_400, "M": 30 * 86_400}
_MAX_BARS = 20_000
_CLIENT_CONFIG = {
    "exchangeSegments": {**SEGMENT_IDS},
    "xtsMessageCode": {"touchlineEvent": 1501, "marketDepthEvent": 1502, "indexDataEvent": 1504,
                       "candleDataEvent": 1505, "openInterestEvent": 1510, "marketStatusEvent": 1507,
                       "ltpEvent": 1512, "instrumentPropertyChangeEvent": 1105},
    "publishFormat": ["Binary", "JSON"],
    "broadCastMode": ["Full", "Partial"],
    "instrumentType": {"1": "Futures", "2": "Options", "4": "Spread", "8": "Equity", "16": "Spot",
                       "Futures": 1, "Options": 2, "Spread": 4, "Equity": 8, "Spot": 16},
}


def _segment_name(value: Any) -> str | None:
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        return SEGMENT_NAMES.get(int(value))
    text = str(value).upper()
    return text if text in SEGMENT_IDS else None


def parse_ohlc_time(text: str) -> dt.datetime | None:
    """``Jan 04 2025 090000`` (IST), or epoch seconds."""
    text = text.strip()
    if text.isdigit():
        return dt.datetime.fromtimestamp(int(text), IST)
    try:
        return dt.datetime.strptime(text, "%b %d %Y %H%M%S").replace(tzinfo=IST)
    except ValueError:
        return None


class MarketData:
    def __init__(self, state: SimState) -> None:
        self.state = state

    def routes(self) -> dict[tuple[str, str], Route]:
        def route(handler: Any, bucket: str = "read", authenticated: bool = True) -> Route:
            return Route(handler, bucket, MARKETDATA, authenticated)

        return {
            ("POST", "/auth/login"): route(self.login, "login", authenticated=False),
            ("DELETE", "/auth/logout"): route(self.logout),
            ("GET", "/config/clientconfig"): route(self.client_config),
            # Public on real hosts: clients fetch them with no token or an interactive one (spec 6).
            ("POST", "/instruments/master"): route(self.master, "master", authenticated=False),
            ("POST", "/instruments/quotes"): route(self.quotes, "quotes"),
            ("POST", "/instruments/subscription"): route(self.subscribe, "subscription"),
            ("PUT", "/instruments/subscription"): route(self.unsubscribe, "subscription"),
            ("GET", "/instruments/subscription"): route(self.subscription_list, "subscription"),
            ("GET", "/instruments/ohlc"): route(self.ohlc, "ohlc"),
            ("GET", "/instruments/indexlist"): route(self.index_list, authenticated=False),
            ("GET", "/instruments/instrument/series"): route(self.series),
            ("GET", "/instruments/instrument/symbol"): route(self.equity_symbol, "search"),
            ("GET", "/instruments/instrument/expirydate"): route(self.expiry_dates, "search"),
            ("GET", "/instruments/instrument/futuresymbol"): route(self.future_symbol, "search"),
            ("GET", "/instruments/instrument/optionsymbol"): route(self.option_symbol, "search"),
            ("GET", "/instruments/instrument/optiontype"): route(self.option_type, "search"),
            ("POST", "/search/instrumentsbyid"): route(self.search_by_id, "search"),
            ("GET", "/search/instruments"): route(self.search_by_string, "search"),
        }

    async def login(self, call: Call) -> Response:
        app_key, secret_key = call.body.get("appKey"), call.body.get("secretKey")
        if not app_key or not secret_key:
            raise bad_request(*(f"{name} is required" for name in ("appKey", "secretKey") if not call.body.get(name)))
        user = self.state.user_by_key(MARKETDATA, str(app_key), str(secret_key))
        if user is None:
            raise Refusal("Invalid appKey or secretKey", code="e-user-0001")
        session = self.state.login(user, MARKETDATA)
        return success("s-user-0001", "Valid User.",
                       {"token": session.token, "userID": user.user_id, "appVersion": "1.0.0-sim",
                        "application_expiry_date": "2099-12-31"})

    async def logout(self, call: Call) -> Response:
        assert call.session is not None
        self.state.logout(call.session.token)
        return success("s-user-0001", "successfully logout from all API.", "")

    async def client_config(self, call: Call) -> Response:
        return success("s-user-0001", "Client configuration fetched successfully!", _CLIENT_CONFIG)

    async def master(self, call: Call) -> Response:
        wanted = call.body.get("exchangeSegmentList")
        if not isinstance(wanted, list) or not wanted:
            raise bad_request("exchangeSegmentList must be a non-empty list of segment names")
        names = [_segment_name(segment) for segment in wanted]
        unknown = [str(segment) for segment, name in zip(wanted, names, strict=True) if name is None]
        if unknown:
            raise bad_request(*(f"exchangeSegment {segment} is not valid" for segment in unknown))
        return success("s-instrument-0009", "Instrument master fetched successfully!",
                       self.state.catalog.master([name for name in names if name]))

    # -- quotes and subscriptions --------------------------------------------------------------
    def _request(self, call: Call) -> tuple[int, list[Any], list[Entry]]:
        code, instruments = call.body.get("xtsMessageCode"), call.body.get("instruments")
        errors = []
        try:
            code = int(str(code))
        except ValueError:
            errors.append("xtsMessageCode is required")
        if isinstance(code, int) and code not in (*MESSAGE_CODES, 1504):
            errors.append(f"xtsMessageCode {code} is not supported")
        if not isinstance(instruments, list) or not instruments:
            errors.append("instruments must be a non-empty list")
        elif len(instruments) > QUOTE_LIMIT:
            errors.append(f"at most {QUOTE_LIMIT} instruments a request")
        if errors:
            raise bad_request(*errors)
        assert isinstance(code, int)
        assert isinstance(instruments, list)
        entries = []
        for item in instruments:
            if not isinstance(item, dict) or "exchangeSegment" not in item or "exchangeInstrumentID" not in item:
                raise bad_request("every instrument needs exchangeSegment and exchangeInstrumentID")
            entry = self.state.catalog.find(_segment_name(item["exchangeSegment"]) or "", item["exchangeInstrumentID"])
            if entry is not None:
                entries.append(entry)
        return code, instruments, entries

    def quote_of(self, entries: list[Entry]) -> dict[str, Quote]:
        return self.state.exchange.quotes([entry.symbol for entry in entries])

    def _list_quotes(self, code: int, entries: list[Entry]) -> list[str]:
        quotes = self.quote_of(entries)
        elements = [quote_element(code, entry, quotes[entry.symbol], self.state.sequence())
                    for entry in entries if entry.symbol in quotes]
        return [element for element in elements if element is not None]

    async def quotes(self, call: Call) -> Response:
        code, instruments, entries = self._request(call)
        result = {"mdp": code, "quotesList": instruments, "listQuotes": self._list_quotes(code, entries)}
        return success("s-quotes-0001", "Get quotes successfully!", result)

    async def subscribe(self, call: Call) -> Response:
        assert call.session is not None
        code, instruments, entries = self._request(call)
        session = self.state.sessions.find(call.session.token) or call.session
        wanted = session.subscriptions.setdefault(code, {})
        keys = {key for codes in session.subscriptions.values() for key in codes}
        added = {(entry.segment_id, entry.token) for entry in entries} - keys
        if len(keys) + len(added) > SUBSCRIPTION_LIMIT:
            raise Refusal("Subscription limit exceeded", code="e-session-0012",
                          errors=[f"at most {SUBSCRIPTION_LIMIT} instruments can be subscribed"])
        for entry in entries:
            wanted[(entry.segment_id, entry.token)] = entry
        result = {"mdp": code, "quotesList": instruments, "listQuotes": self._list_quotes(code, entries),
                  "Remaining_Subscription_Count": SUBSCRIPTION_LIMIT - session.subscribed_count()}
        return success("s-session-0001", "Instrument subscribed successfully!", result)

    async def unsubscribe(self, call: Call) -> Response:
        assert call.session is not None
        code, instruments, entries = self._request(call)
        subscribed = call.session.subscriptions.get(code, {})
        for entry in entries:
            subscribed.pop((entry.segment_id, entry.token), None)
        return success("s-session-0002", "Instrument unsubscribed successfully!",
                       {"xtsMessageCode": code, "unsubList": instruments})

    async def subscription_list(self, call: Call) -> Response:
        assert call.session is not None
        try:
            code = int(str(call.field("xtsMessageCode")))
        except ValueError:
            raise bad_request("xtsMessageCode is required") from None
        listed = [{"exchangeSegment": segment, "exchangeInstrumentID": token}
                  for segment, token in call.session.subscriptions.get(code, {})]
        return success("s-session-0003", "Subscription list", {"mdp": code, "subscriptionList": listed})

    # -- OHLC -----------------------------------------------------------------------------------
    async def ohlc(self, call: Call) -> Response:
        segment, token = call.field("exchangeSegment"), call.field("exchangeInstrumentID")
        start = parse_ohlc_time(str(call.field("startTime") or ""))
        end = parse_ohlc_time(str(call.field("endTime") or ""))
        compression = str(call.field("compressionValue") or "").upper()
        seconds = _COMPRESSIONS.get(compression) or (int(compression) if compression.isdigit() else 0)
        errors = [f"{name} is invalid" for name, bad in (
            ("startTime", start is None), ("endTime", end is None), ("compressionValue", seconds < 60))if bad]
        entry = self.state.catalog.find(_segment_name(segment) or "", token)
        if entry is None:
            errors.append(f"instrument {segment} {token} not found")
        if errors:
            raise bad_request(*errors)
        assert start is not None
        assert end is not None
        assert entry is not None
        bars = self._bars(entry, start, min(end, self.state.clock()), seconds)
        result = {"exchangeSegment": segment, "exchangeInstrumentID": token, "dataReponse": ",".join(bars)}
        return success("s-instrument-0002", "Data found", result)

    def _bars(self, entry: Entry, start: dt.datetime, end: dt.datetime, seconds: int) -> list[str]:
        """Bars of the paper price model, trading hours only, stamped in IST wall-clock seconds."""
        listing = entry.listing
        open_at, close_at = SESSIONS[listing.instrument.exchange.value]
        bars: list[str] = []
        day = start.astimezone(IST).date()
        while day <= end.astimezone(IST).date() and len(bars) < _MAX_BARS:
            if day.weekday() < 5:
                session_start = dt.datetime.combine(day, open_at, IST)
                session_end = dt.datetime.combine(day, close_at, IST)
                step = min(seconds, int((session_end - session_start).total_seconds()))
                moment = session_start
                while moment < session_end and len(bars) < _MAX_BARS:
                    if start <= moment < end:  # bars that start inside [start, end)
                        bars.append(self._bar(entry, moment, step))
                    moment += dt.timedelta(seconds=step)
            day += dt.timedelta(days=1)
        return bars

    def _bar(self, entry: Entry, moment: dt.datetime, seconds: int) -> str:
        listing, seed = entry.listing, self.state.exchange.seed
        samples = [walk(listing, listing.reference_price, seed, moment + dt.timedelta(seconds=seconds * i / 4), 1.0)
                   for i in range(5)]
        tick = listing.instrument.tick_size
        prices = [round_to_tick(price, tick) for price in samples]
        volume = 0 if not listing.instrument.tradable else \
            rng(seed, entry.symbol, moment.isoformat(), "bar").randint(1, 400) * listing.instrument.lot_size
        oi = 0
        if listing.instrument.instrument_type in (InstrumentType.FUT, InstrumentType.CE, InstrumentType.PE):
            oi = rng(seed, entry.symbol, "oi").randint(100, 50_000) * listing.instrument.lot_size
        values = [prices[0], max(prices), min(prices), prices[-1]]
        return "|".join([str(ist_wall_seconds(moment)), *(plain(value) for value in values), str(volume),
                         str(oi), ""])

    # -- lookups --------------------------------------------------------------------------------
    def _segment(self, call: Call) -> str:
        name = _segment_name(call.field("exchangeSegment"))
        if name is None:
            raise bad_request("exchangeSegment is invalid")
        return name

    async def index_list(self, call: Call) -> Response:
        segment = self._segment(call)
        names = [f"{entry.listing.instrument.tradingsymbol}_{entry.token}"
                 for entry in self.state.catalog.indices(segment)]
        return success("s-indexlist-0001", "Index list fetched successfully!",
                       {"exchangeSegment": SEGMENT_IDS[segment], "indexList": names})

    async def series(self, call: Call) -> Response:
        segment = self._segment(call)
        found = sorted({series(entry.listing.instrument) for entry in self.state.catalog.entries
                        if entry.segment == segment})
        return success("s-instrument-0001", "Series fetched successfully!", found)

    def _matching(self, call: Call, *, expiry: bool = False) -> list[Entry]:
        segment = self._segment(call)
        wanted_series = str(call.field("series") or "").upper()
        symbol = str(call.field("symbol") or "").upper()
        found = [entry for entry in self.state.catalog.entries
                 if entry.segment == segment and series(entry.listing.instrument) == wanted_series
                 and (entry.listing.instrument.name.upper() == symbol
                      or entry.listing.instrument.tradingsymbol.upper() == symbol)]
        if expiry:
            text = str(call.field("expiryDate") or "")
            try:
                day = dt.datetime.strptime(text, "%d%b%Y").date()
            except ValueError:
                raise bad_request("expiryDate must look like 26Mar2020") from None
            found = [entry for entry in found if entry.listing.instrument.expiry == day]
        if not found:
            raise Refusal("Data not available", code="e-instrument-0003")
        return found

    async def equity_symbol(self, call: Call) -> Response:
        return success("s-instrument-0001", "Data found", [self.describe(entry) for entry in self._matching(call)])

    async def expiry_dates(self, call: Call) -> Response:
        days = sorted({entry.listing.instrument.expiry for entry in self._matching(call)
                       if entry.listing.instrument.expiry is not None})
        return success("s-instrument-0001", "Data found", [f"{day.isoformat()}T14:30:00" for day in days])

    async def future_symbol(self, call: Call) -> Response:
        found = [entry for entry in self._matching(call, expiry=True)
                 if entry.listing.instrument.instrument_type is InstrumentType.FUT]
        if not found:
            raise Refusal("Data not available", code="e-instrument-0003")
        return success("s-instrument-0001", "Data found", [self.describe(entry) for entry in found])

    async def option_symbol(self, call: Call) -> Response:
        right = str(call.field("optionType") or "").upper()
        try:
            strike = Decimal(str(call.field("strikePrice")))
        except ArithmeticError:
            raise bad_request("strikePrice must be a number") from None
        found = [entry for entry in self._matching(call, expiry=True)
                 if entry.listing.instrument.instrument_type.value == right
                 and entry.listing.instrument.strike == strike]
        if not found:
            raise Refusal("Data not available", code="e-instrument-0003")
        return success("s-instrument-0001", "Data found", [self.describe(entry) for entry in found])

    async def option_type(self, call: Call) -> Response:
        rights = sorted({entry.listing.instrument.instrument_type.value for entry in self._matching(call, expiry=True)
                         if entry.listing.instrument.instrument_type in OPTION_TYPES})
        return success("s-instrument-0001", "Data found", rights)

    async def search_by_id(self, call: Call) -> Response:
        instruments = call.body.get("instruments")
        if not isinstance(instruments, list):
            raise bad_request("instruments must be a list")
        found = []
        for item in instruments:
            if isinstance(item, dict):
                entry = self.state.catalog.find(_segment_name(item.get("exchangeSegment")) or "",
                                                item.get("exchangeInstrumentID"))
                if entry is not None:
                    found.append(self.describe(entry))
        return success("s-instrument-0001", "Data found", found)

    async def search_by_string(self, call: Call) -> Response:
        text = str(call.field("searchString") or "").upper()
        if not text:
            raise bad_request("searchString is required")
        found = [self.describe(entry) for entry in self.state.catalog.entries
                 if text in entry.listing.instrument.tradingsymbol.upper()][:50]
        return success("s-instrument-0001", "Data found", found)

    def describe(self, entry: Entry) -> dict[str, Any]:
        """An instrument object of the lookup and search routes."""
        instrument = entry.listing.instrument
        high, low = price_band(entry.listing)
        kind = series(instrument)
        name = instrument.name if instrument.expiry else instrument.tradingsymbol
        described: dict[str, Any] = {
            "ExchangeSegment": entry.segment_id, "ExchangeInstrumentID": entry.token,
            "InstrumentType": {InstrumentType.EQ: 8, InstrumentType.INDEX: INDEX, InstrumentType.FUT: 1}.get(
                instrument.instrument_type, 2),
            "Name": name, "DisplayName": display_name(instrument), "Description": instrument.tradingsymbol,
            "Series": kind, "NameWithSeries": f"{name}-{kind}",
            "InstrumentID": instrument_id(entry.segment, entry.token),
            "PriceBand": {"High": number(high), "Low": number(low), "HighString": plain(high), "LowString": plain(low),
                          "CreditRating": f"{plain(low)}-{plain(high)}"},
            "FreezeQty": (instrument.freeze_quantity or 0) + 1, "TickSize": number(instrument.tick_size),
            "LotSize": instrument.lot_size, "Multiplier": number(instrument.multiplier), "DecimalDisplace": 2,
            "ISIN": instrument.isin or "", "Industry": 0,
        }
        if instrument.expiry is not None:
            described.update({
                "UnderlyingInstrumentId": -1, "UnderlyingIndexName": instrument.underlying or instrument.name,
                "ContractExpiration": f"{instrument.expiry.isoformat()}T14:30:00",
                "ContractExpirationString": instrument.expiry.strftime("%d%b%Y"),
                "RemainingExpiryDays": (instrument.expiry - self.state.clock().date()).days,
            })
        if instrument.strike is not None:
            described.update({"StrikePrice": number(instrument.strike),
                              "OptionType": OPTION_TYPES[instrument.instrument_type]})
        return described
