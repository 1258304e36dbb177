"""Account settings of an XTS dealer login: the investor settings plus a default client."""

from __future__ import annotations

from pydantic import Field, field_validator

from brokerplex_xts_client.settings import XtsClientSettings

#: The client code of the dealer's own proprietary (PRO) book (spec section 5.2).
PRO = "*****"


class XtsProSettings(XtsClientSettings):
    """What ``brokerplex activate xts_pro ACCOUNT -o …`` takes."""

    client_code: str | None = Field(
        default=None, description=f"default client of this account ({PRO} is the dealer's own PRO book); "
                                  "without one, every order and book names its client (--client)")

    @field_validator("client_code")
    @classmethod
    def _one_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.strip()
        if not code or any(char.isspace() for char in code):
            raise ValueError(f"client_code must be one client code (or {PRO}), not {value!r}")
        return code
