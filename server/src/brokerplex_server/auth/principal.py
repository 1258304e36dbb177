"""The caller of a request, and what each role may do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # manages accounts and users; trades and reads every account
    TRADER = "trader"  # trades and reads the accounts granted
    VIEWER = "viewer"  # reads the accounts granted


class Scope(StrEnum):
    READ = "read"
    TRADE = "trade"


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in user (cookie session) or an API key's owner, limited to the key's scope."""

    user_id: int
    name: str
    role: Role
    accounts: frozenset[str]  # granted accounts; admins see every account whatever this says
    scope: Scope  # a read key cannot trade even for a trader; a cookie session has the role's full scope
    source: str  # the caller's address, for the audit log
    via_cookie: bool = False

    def may_read(self, account: str) -> bool:
        return self.role is Role.ADMIN or account in self.accounts

    def may_trade(self, account: str) -> bool:
        return self.scope is Scope.TRADE and self.role is not Role.VIEWER and self.may_read(account)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN and self.scope is Scope.TRADE
