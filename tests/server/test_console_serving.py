"""``brokerplex serve`` serves the console's build at ``/``: files of the build, ``index.html`` for the console's
own routes, hashed assets cached for a year, the security headers of a trading screen; the API as before.

The build here is a small folder of the same shape as ``npm run build``'s (given through
``BROKERPLEX_CONSOLE``), so these tests need no Node; tests/console drive the real build in Chromium."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from apiserver import ApiServer
from brokerplex_server.console import CONTENT_SECURITY_POLICY

if TYPE_CHECKING:
    from tests.server.conftest import Start

pytestmark = pytest.mark.parametrize("database", [None])  # serving files: SQLite is enough

INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-4f2a9c.js"></script></head></html>'
SCRIPT = "console.log('the console')"


@pytest.fixture
def build(tmp_path: Path) -> Path:
    folder = tmp_path / "console_dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX)
    (folder / "assets" / "index-4f2a9c.js").write_text(SCRIPT)
    (folder / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return folder


@pytest.fixture
def site(start_server: Start, build: Path) -> httpx.Client:
    server: ApiServer = start_server(env={"BROKERPLEX_CONSOLE": str(build)})
    client = httpx.Client(base_url=server.url, timeout=20)
    server.clients.append(client)
    return client


def assert_secured(response: httpx.Response) -> None:
    headers = response.headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "connect-src 'self'" in CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"


def test_the_index_at_the_root_and_for_the_consoles_own_routes(site: httpx.Client) -> None:
    for path in ("/", "/index.html", "/orders", "/accounts/k1/login", "/watch/NSE:RELIANCE"):
        page = site.get(path)
        assert page.status_code == 200, path
        assert page.text == INDEX
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["cache-control"] == "no-cache"  # a new build is seen at the next load
        assert_secured(page)


def test_assets_are_cached_for_a_year_and_a_missing_one_is_not_the_index(site: httpx.Client) -> None:
    script = site.get("/assets/index-4f2a9c.js")
    assert script.status_code == 200
    assert script.text == SCRIPT
    assert "javascript" in script.headers["content-type"]
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert_secured(script)
    missing = site.get("/assets/index-000000.js")
    assert missing.status_code == 404
    assert "javascript" not in missing.headers.get("content-type", "")
    assert missing.text != INDEX
    icon = site.get("/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["cache-control"] == "no-cache"


def test_a_known_index_is_not_sent_again(site: httpx.Client) -> None:
    first = site.get("/")
    again = site.get("/orders", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    head = site.head("/")
    assert head.status_code == 200
    assert head.content == b""


def test_nothing_outside_the_build_is_served(site: httpx.Client, build: Path) -> None:
    (build.parent / "secret.txt").write_text("not for the browser")
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt"):
        answer = site.get(path)
        assert "not for the browser" not in answer.text, path


def test_the_api_answers_as_before(site: httpx.Client) -> None:
    schema = site.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "content-security-policy" not in schema.headers  # the API's answers are its own
    for method in ("GET", "POST", "DELETE"):
        unknown = site.request(method, "/api/v1/no-such-route")
        assert unknown.status_code == 404, method
        assert unknown.json()["error"]["type"] == "HTTPError"
    assert site.get("/api").status_code == 404
    refused = site.get("/api/v1/accounts")
    assert refused.status_code == 401
    assert refused.json()["error"]["type"] == "AuthenticationError"
    assert site.post("/orders").status_code == 405  # the console's paths are read, never written


def test_without_a_build_a_page_says_how_to_make_one(start_server: Start, tmp_path: Path) -> None:
    server = start_server(env={"BROKERPLEX_CONSOLE": str(tmp_path / "nothing-built")})
    server.child.stderr.wait_for(lambda line: "the web console is not built" in line)  # said at the start too
    with httpx.Client(base_url=server.url, timeout=20) as site:
        page = site.get("/orders")
        assert page.status_code == 503
        assert "The console is not built" in page.text
        assert "npm run build" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert_secured(page)
        assert site.get("/api/v1/openapi.json").status_code == 200
