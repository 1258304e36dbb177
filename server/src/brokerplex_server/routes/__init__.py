"""The API's routers, one module per subject; ``ROUTERS`` is what the app mounts under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from brokerplex_server.routes import accounts, admin, books, brokers, fanout, ops, orders, session, stream

ROUTERS: list[APIRouter] = [brokers.router, session.router, admin.router, ops.router, stream.router,
                            accounts.router, orders.router, books.router, fanout.router]
