"""The dealer (XTS PRO) adapter: one login acting for many client codes and its PRO book.

Every interactive call of a dealer names its client as ``clientID`` (spec section 5.2):
the account's default (setting ``client_code``) or the one a caller picks (``client=``).
:meth:`XtsProBroker.for_client` gives the login acting for another of its clients; that
copy shares the login's connection, tokens, instrument master and streams, so a
client costs no extra request.

Books come from the dealer routes (``dealerorderbook``, ``dealertradebook``,
``dealerpositions``). A host without them (HTTP 404) is read through the investor
routes with ``clientID`` instead, and the login remembers which route answered.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from brokerplex import wire
from brokerplex.broker import AccountContext, BrokerSettings
from brokerplex.errors import AuthenticationError, ClientCodeError
from brokerplex.models import Profile
from brokerplex_xts_client.broker import XtsClientBroker
from brokerplex_xts_client.http import MissingRouteError
from brokerplex_xts_pro.settings import PRO, XtsProSettings

#: Book → dealer route under /interactive (spec section 4.4).
DEALER_ROUTES: Mapping[str, str] = {
    "orders": "/orders/dealerorderbook", "trades": "/orders/dealertradebook",
    "positions": "/portfolio/dealerpositions",
}


class XtsProBroker(XtsClientBroker):
    settings_model = XtsProSettings
    settings: XtsProSettings

    def __init__(self, context: AccountContext, settings: BrokerSettings) -> None:
        assert isinstance(settings, XtsProSettings)
        super().__init__(context, settings)
        self.client_code = settings.client_code
        # Book → the route that answered, shared by every client copy of this login.
        self._book_routes: dict[str, str] = {}

    def accept_login(self, result: Mapping[str, Any]) -> None:
        """Accept dealer logins only (an investor login acts for itself and takes no clientID), and adopt the
        login's client codes, in which the default client must be."""
        flag = result.get("isInvestorClient")
        if flag is not False:
            said = "XTS did not say isInvestorClient" if flag is None else f"XTS says isInvestorClient={flag}"
            raise AuthenticationError(
                f"these are not dealer credentials ({said}); xts_pro is for dealer logins: activate an investor "
                f"login with the xts_client broker instead (brokerplex activate xts_client {self.context.account} …)",
                broker=self.context.broker)
        if self.client_code is not None:  # the default client must be one the login holds, as it spells it
            self.login_clients = [str(code) for code in result.get("clientCodes") or []]
            self.client_code = self._held(self.client_code, dealer=wire.text(result.get("userID"), "userID", None))

    # -- clients ------------------------------------------------------------------------------------
    async def client_codes(self) -> list[str]:
        """The login's client codes, then ``*****``, the dealer's own book."""
        return self._held_codes()

    def _held_codes(self) -> list[str]:
        return [*self.login_clients, PRO]

    async def for_client(self, code: str) -> XtsProBroker:
        held = self._held(code)
        if held == self.client_code:
            return self
        acting = copy.copy(self)  # shares http, master, streams and the remembered routes
        acting.client_code = held
        return acting

    def _held(self, code: str, *, dealer: str | None = None) -> str:
        """``code`` as the login holds it (codes are matched without regard to case); ``dealer``: the login's
        user id while it logs in, before it is stored."""
        held = self._held_codes()
        wanted = code.strip().upper()
        found = next((known for known in held if known.upper() == wanted), None)
        if found is None:
            who = dealer or self.http.user_id or "this login"
            raise ClientCodeError(f"client {code!r} is not held by dealer {who} (account "
                                  f"{self.context.account!r}); it holds {', '.join(held)}")
        return found

    def record_client(self, record: Mapping[str, Any]) -> str | None:
        """Streamed records name the client (``ClientID``/``AccountID``); the dealer's own id is its PRO book."""
        code = wire.text(wire.field(record, "ClientID", "AccountID"), "ClientID", "")
        return PRO if code and code == self.http.user_id else code or None

    # -- reads ----------------------------------------------------------------------------------------
    async def profile(self) -> Profile:
        """The dealer login, with the name XTS gives for its default client (else its PRO book)."""
        acting = await self.for_client(self.client_code or PRO)
        found = await XtsClientBroker.profile(acting)
        return found.model_copy(update={"user_id": self.http.user_id or found.user_id})

    async def records(self, route: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """A client's book from the dealer route, or from the investor route on a host without it."""
        dealer = DEALER_ROUTES[route]
        path = self._book_routes.get(route, dealer)
        try:
            result = await self.interactive("GET", path, params=params, empty=[])
        except MissingRouteError:
            if path != dealer:
                raise
            path = self.routes[route]
            result = await self.interactive("GET", path, params=params, empty=[])
        self._book_routes[route] = path
        return self._listed(route, result)
