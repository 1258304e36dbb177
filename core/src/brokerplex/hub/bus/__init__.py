"""Placeholder until the bus lands."""

from typing import Any

Bus: Any = None
