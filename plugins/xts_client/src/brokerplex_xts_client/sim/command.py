"""``brokerplex sim xts``: kept import-light; the server loads when the command runs."""

from __future__ import annotations

import click

from brokerplex_paper.simkit.command import serve_until_signalled


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=0, show_default=True, help="0 picks a free port.")
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--dealer-routes/--no-dealer-routes", default=True, show_default=True,
              help="Serve the dealer book routes (dealerorderbook, dealertradebook, dealerpositions).")
@click.option("--dealer-investor-routes/--no-dealer-investor-routes", default=True, show_default=True,
              help="Let dealer logins read the investor book routes too, as some brokers do.")
def xts(host: str, port: int, seed: int, dealer_routes: bool, dealer_investor_routes: bool) -> None:
    """Serve XTS interactive and market-data APIs (REST and Socket.IO) on HOST:PORT.

    The first line printed is JSON: the root URL and every account with its app keys.
    Runs until interrupted (SIGINT or SIGTERM).
    """
    from brokerplex_xts_client.sim.server import XtsSimulator

    simulator = XtsSimulator(host=host, port=port, seed=seed, dealer_routes=dealer_routes,
                             dealer_investor_routes=dealer_investor_routes)
    serve_until_signalled(simulator, {"root": simulator.root, "accounts": simulator.accounts})
