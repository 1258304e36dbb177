"""The trader operations under ``/accounts/{account}``, named like the Python API (``brokerplex.ops``) and
typed by its models: one router mounting the modules that hold them, one per job."""

from __future__ import annotations

from fastapi import APIRouter

from brokerplex_server.routes import ops_gtt, ops_limits, ops_market, ops_trading

router = APIRouter()
for part in (ops_trading.router, ops_gtt.router, ops_limits.router, ops_market.router):
    router.include_router(part)
