"""``GET /brokers``: the installed brokers, what each can do, and the settings an account of it takes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from brokerplex.broker import settings_fields
from brokerplex_server.deps import CurrentUser, Manager

router = APIRouter(tags=["brokers"])


@router.get("/brokers")
def brokers(manager: Manager, _user: CurrentUser) -> list[dict[str, Any]]:
    """Every installed broker: as ``brokerplex brokers --json`` lists it, with its settings' schema
    (``secret`` settings are write-only: never returned once stored)."""
    return [{"name": b.name, "title": b.spec.title, "distribution": b.distribution, "version": b.version,
             "plugin": b.plugin, "capabilities": b.spec.capabilities.as_dict(),
             "settings": settings_fields(b.spec.load().settings_model)} for b in manager.brokers().values()]
