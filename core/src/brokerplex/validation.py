"""Turning pydantic validation errors into one clear line, without echoing input values
(a value may be a secret)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from brokerplex.errors import InputError

M = TypeVar("M", bound=BaseModel)


def describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        message = str(error["msg"]).removeprefix("Value error, ")
        location = ".".join(str(part) for part in error["loc"])
        # A validator's own message often names its field already ("symbol 'X' has no exchange").
        named = not location or message.lower().startswith(location.replace("_", " "))
        parts.append(message if named else f"{location}: {message}")
    return "; ".join(parts)


def build(model: type[M], data: dict[str, Any]) -> M:
    """``model.model_validate(data)``, raising InputError with a readable one-line reason."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe(exc)) from None


def revalidated(instance: M) -> M:
    """``instance`` validated again, however it was made: ``model_copy(update=...)`` and ``model_construct``
    skip validation, and what they build must not reach a broker unchecked."""
    model = type(instance)
    try:
        return model.model_validate(instance.model_dump(warnings=False))
    except ValidationError as exc:
        raise InputError(f"invalid {model.__name__}: {describe(exc)}") from None
