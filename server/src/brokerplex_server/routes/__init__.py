"""The API's routers, one module per subject; ``ROUTERS`` is what the app mounts under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from brokerplex_server.routes import accounts, admin, books, brokers, fanout, ops, orders, session, stream

# Routes are matched in this order, one by one: the order path comes first.
ROUTERS: list[APIRouter] = [orders.router, books.router, stream.router, accounts.router, fanout.router, ops.router,
                            brokers.router, session.router, admin.router]
