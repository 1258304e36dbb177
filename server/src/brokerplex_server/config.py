"""What a server process is told: through ``brokerplex serve``'s options, or the environment for the
worker processes of ``--workers N`` (which import the app by name)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from brokerplex.hub.manager import BUS_VARIABLE
from brokerplex.storage import ENV_HOME, home_dir
from brokerplex.store import ENV_DATABASE

ENV_INSECURE_COOKIES = "BROKERPLEX_INSECURE_COOKIES"
ENV_CORS_ORIGINS = "BROKERPLEX_CORS_ORIGINS"
ENV_CONSOLE = "BROKERPLEX_CONSOLE"


@dataclass(frozen=True, slots=True)
class ServerConfig:
    home: Path
    database: str | None = None  # None: $BROKERPLEX_DATABASE, else SQLite under home
    bus: str | None = None  # None: the hub in this process
    #: Session cookies carry Secure unless told otherwise (plain-HTTP loopback development and tests).
    secure_cookies: bool = True
    #: Origins allowed to call the API from a browser; none by default (the console is served same-origin).
    cors_origins: tuple[str, ...] = ()
    #: The console's build served at / (None: the one shipped in this package, console.BUILT).
    console: Path | None = None

    @classmethod
    def from_environment(cls) -> ServerConfig:
        """The config a worker process of ``serve --workers N`` finds in its environment."""
        origins = os.environ.get(ENV_CORS_ORIGINS, "")
        console = os.environ.get(ENV_CONSOLE)
        return cls(home=home_dir(), database=os.environ.get(ENV_DATABASE) or None,
                   bus=os.environ.get(BUS_VARIABLE) or None,
                   secure_cookies=os.environ.get(ENV_INSECURE_COOKIES, "") in ("", "0"),
                   cors_origins=tuple(origin.strip() for origin in origins.split(",") if origin.strip()),
                   console=Path(console) if console else None)

    def environment(self) -> dict[str, str]:
        """The variables that make :meth:`from_environment` give this config back."""
        variables = {ENV_HOME: str(self.home), ENV_INSECURE_COOKIES: "" if self.secure_cookies else "1",
                     ENV_CORS_ORIGINS: ",".join(self.cors_origins), ENV_CONSOLE: str(self.console or "")}
        if self.database:
            variables[ENV_DATABASE] = self.database
        if self.bus:
            variables[BUS_VARIABLE] = self.bus
        return variables
