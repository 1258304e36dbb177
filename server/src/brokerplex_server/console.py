"""The web console at ``/``: the Vite build of ``console/`` (``npm run build`` writes it to ``console_dist``
beside this module, and the wheel ships it, so a pip install needs no Node).

Every path outside ``/api`` is the console's: a file of the build when there is one, else ``index.html``
(the console routes on the client), except under ``/assets``, where a missing file is a 404 (a browser
must not get HTML for a script). Build assets carry a content hash in their names, so they are cached for
a year; ``index.html`` is revalidated on every load, so a new build is seen at once. Without a build, the
console's paths answer a page that says how to make one; the API is served either way.

The console's responses carry the security headers of a trading screen: a Content-Security-Policy that
allows this origin only (scripts, the API's fetches and its WebSocket), never a frame, and no Referer.
The API's responses are left as they are (the OpenAPI docs page loads its scripts from a CDN).
"""

from __future__ import annotations

import html
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

#: Where ``npm run build`` in console/ writes (gitignored; the wheel includes it as an artifact).
BUILT = Path(__file__).with_name("console_dist")
ASSETS = "assets/"
API = "api"

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",  # the component library sets styles at run time
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",  # the API and its WebSocket, same origin ('self' covers ws: and wss: in CSP 3)
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>brokerplex: the console is not built</title></head>
<body><main><h1>The console is not built</h1>
<p>This server has no console build in <code>{folder}</code>. Build it from a clone of brokerplex with
<code>make</code> (or <code>npm ci &amp;&amp; npm run build</code> in <code>console/</code>), or install the
<code>brokerplex-server</code> wheel, which ships it.</p>
<p>The API answers meanwhile: <a href="/api/docs">/api/docs</a>.</p></main></body></html>
"""


class Console:
    """The ASGI app of every path the API's routes do not take (mounted last, at ``/``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._files = StaticFiles(directory=folder, check_dir=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # no socket but the API's: refused as the router refuses one
            await send({"type": "websocket.close", "code": 1000, "reason": ""})
            return
        if scope["type"] != "http":
            return
        path = str(scope["path"]).lstrip("/")
        if path == API or path.startswith(f"{API}/"):
            raise HTTPException(404)  # the API's own answer for a path it has not
        if scope["method"] not in ("GET", "HEAD"):
            raise HTTPException(405, headers={"Allow": "GET, HEAD"})
        response = await self._response(path, scope)
        response.headers.update(SECURITY_HEADERS)
        await response(scope, receive, send)

    async def _response(self, path: str, scope: Scope) -> Response:
        index = self.folder / "index.html"
        if not index.is_file():
            return HTMLResponse(_MISSING.format(folder=html.escape(str(self.folder))), status_code=503,
                                headers={"Cache-Control": "no-store"})
        try:
            response = await self._files.get_response(path or "index.html", scope)
        except HTTPException as exc:
            if exc.status_code != 404 or path.startswith(ASSETS):
                raise
            response = await self._files.get_response("index.html", scope)  # a route of the console's own
        response.headers["Cache-Control"] = IMMUTABLE if path.startswith(ASSETS) else REVALIDATE
        return response
