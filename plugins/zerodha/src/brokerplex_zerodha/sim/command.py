"""``brokerplex sim zerodha``: kept import-light; the server loads when the command runs."""

from __future__ import annotations

import click

from brokerplex_paper.simkit.command import serve_until_signalled


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=0, show_default=True, help="0 picks a free port.")
@click.option("--api-key", default="kite_sim_key", show_default=True)
@click.option("--api-secret", default="kite_sim_secret", show_default=True)
@click.option("--redirect-url", default="http://127.0.0.1:5000/", show_default=True)
@click.option("--seed", default=1, show_default=True, type=int)
def zerodha(host: str, port: int, api_key: str, api_secret: str, redirect_url: str, seed: int) -> None:
    """Serve Kite Connect's REST API, login page and ticker on HOST:PORT.

    The first line of output is JSON with the rest, ws and login URLs; the simulator then
    serves until interrupted (SIGINT or SIGTERM).
    """
    from brokerplex_zerodha.sim.server import KiteSimulator

    simulator = KiteSimulator(host=host, port=port, api_key=api_key, api_secret=api_secret,
                              redirect_url=redirect_url, seed=seed)
    serve_until_signalled(simulator, {"rest": simulator.rest, "ws": simulator.ws, "login": simulator.login})
