"""``brokerplex sim zerodha``: kept import-light; the server loads when the command runs."""

from __future__ import annotations

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=0, show_default=True, help="0 picks a free port.")
@click.option("--api-key", default="kite_sim_key", show_default=True)
@click.option("--api-secret", default="kite_sim_secret", show_default=True)
@click.option("--redirect-url", default="http://127.0.0.1:5000/", show_default=True)
@click.option("--seed", default=1, show_default=True, type=int)
def zerodha(host: str, port: int, api_key: str, api_secret: str, redirect_url: str, seed: int) -> None:
    """Serve Kite Connect's REST API, login page and ticker on HOST:PORT."""
    raise click.ClickException("the Kite simulator is being built")
