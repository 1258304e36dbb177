"""The ASGI app: FastAPI (OpenAPI generated from the routes' types, pydantic models shared with the
library, Starlette's WebSockets) under uvicorn. One :class:`AsyncBrokerManager` per worker process,
made at start-up on the worker's event loop; its store is the server's store.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from brokerplex.aiomanager import AsyncBrokerManager
from brokerplex_server import errors
from brokerplex_server.audit import AuditTrail
from brokerplex_server.auth.users import UserStore
from brokerplex_server.config import ServerConfig
from brokerplex_server.console import BUILT, Console
from brokerplex_server.ratelimits import SharedLimits
from brokerplex_server.routes import ROUTERS

API_PREFIX = "/api/v1"


def create_app(config: ServerConfig) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        shared_limits = SharedLimits(config.bus) if config.bus else None  # workers draw from one count
        if shared_limits is not None:
            shared_limits.install()  # before any broker is made
        manager = AsyncBrokerManager(config.home, database=config.database, bus=config.bus)
        manager.store.engine  # noqa: B018 - migrate (and import an old home) before the first request
        app.state.manager = manager
        app.state.users = UserStore(manager.store)
        app.state.audit = trail = AuditTrail(manager.store)
        gc.freeze()  # what start-up made lives as long as the server: no collection walks it again
        try:
            yield
        finally:
            trail.flush()
            await manager.close()
            if shared_limits is not None:
                await shared_limits.close()

    app = FastAPI(title="brokerplex", version="1", lifespan=lifespan, openapi_url=f"{API_PREFIX}/openapi.json",
                  docs_url="/api/docs", redoc_url=None)
    app.state.config = config
    errors.install(app)
    if config.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins), allow_credentials=True,
                           allow_methods=["*"], allow_headers=["Authorization", "Content-Type", "X-CSRF-Token"])
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    app.mount("/", Console(config.console or BUILT))  # last: every path the API does not take
    return app


def app_from_environment() -> FastAPI:
    """The app of a ``serve --workers N`` worker process (uvicorn imports it by name)."""
    return create_app(ServerConfig.from_environment())
