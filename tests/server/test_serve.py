"""``brokerplex serve`` itself: its first line, its store, its documents, a clean stop."""

from __future__ import annotations

import httpx

from apiserver import ApiServer
from brokerplex_server.auth.principal import Role


def test_first_line_names_a_url_that_serves_the_openapi_document_and_the_docs(api: ApiServer) -> None:
    document = httpx.get(f"{api.url}/api/v1/openapi.json").json()
    assert document["info"]["title"] == "brokerplex"
    assert "/api/v1/brokers" in document["paths"]
    docs = httpx.get(f"{api.url}/api/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_an_admin_key_lists_the_brokers_with_their_settings_and_no_key_gets_the_one_error_shape(
        api: ApiServer) -> None:
    refused = api.client().get("/brokers")
    assert refused.status_code == 401
    assert refused.json() == {"error": {"type": "AuthenticationError", "message": refused.json()["error"]["message"],
                                        "broker_code": None, "outcome_known": True}}
    listed = api.client(api.key("root", Role.ADMIN)).get("/brokers")
    assert listed.status_code == 200
    paper = next(broker for broker in listed.json() if broker["name"] == "paper")
    assert paper["settings"]["opening_cash"]["secret"] is False
    assert paper["capabilities"]
