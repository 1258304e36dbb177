"""Reading an Interactive request's fields: numbers, whole numbers, enum choices, pydantic's messages.

Every problem is appended to ``errors`` so that one Bad Request lists them all, as XTS does.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from brokerplex.models import Product, Validity
from brokerplex_xts_client.sim.http import Call

PRODUCTS = {"MIS": Product.MIS, "NRML": Product.NRML, "CNC": Product.CNC}
VALIDITIES = {"DAY": Validity.DAY, "IOC": Validity.IOC}


def decimal_field(call: Call, name: str, errors: list[str], *, required: bool = False) -> Decimal | None:
    value = call.field(name)
    if value is None or value == "":
        if required:
            errors.append(f"{name} is required")
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors.append(f"{name} must be a number")
        return None
    if not number.is_finite():
        errors.append(f"{name} must be a number")
        return None
    return number


def integer_field(call: Call, name: str, errors: list[str], *, required: bool = False) -> int | None:
    number = decimal_field(call, name, errors, required=required)
    if number is None:
        return None
    if number != number.to_integral_value():
        errors.append(f"{name} must be a whole number")
        return None
    return int(number)


def choice_field(call: Call, name: str, choices: dict[str, Any], errors: list[str], *, required: bool = True) -> Any:
    value = call.field(name)
    if value is None or value == "":
        if required:
            errors.append(f"{name} is required")
        return None
    found = choices.get(str(value).upper())
    if found is None:
        errors.append(f"{name} {value!r} is not one of {', '.join(choices)}")
    return found


def validation_messages(error: ValidationError) -> list[str]:
    return [str(problem["msg"]).removeprefix("Value error, ") for problem in error.errors()]
