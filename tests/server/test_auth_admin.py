"""Admin routes over the real server: users and keys managed, bad input refused with nothing written, the
audit log typed, filtered and newest first, and no secret in any answer."""

from __future__ import annotations

import datetime as dt

import httpx

from apiserver import ApiServer
from brokerplex_server.auth.principal import Role, Scope

PASSWORD = "a long enough password"


def test_an_admin_adds_a_user_gives_a_key_revokes_it_and_removes_the_user(api: ApiServer) -> None:
    admin = api.client(api.key("root", Role.ADMIN))
    made = admin.post("/users", json={"name": "tom", "password": PASSWORD, "role": "trader", "accounts": ["p1"]})
    assert made.status_code == 201, made.text
    assert made.json() == {"name": "tom", "role": "trader", "accounts": ["p1"],
                           "created_at": made.json()["created_at"], "keys": [], "totp": False}
    key_answer = admin.post("/users/tom/keys", json={"scope": "read"})
    assert key_answer.status_code == 201
    key = key_answer.json()["key"]
    assert key_answer.json()["scope"] == "read"
    tom = api.client(key)
    assert tom.get("/accounts/p1/orders").status_code == 200

    listed = admin.get("/users").json()
    assert [user["name"] for user in listed] == ["root", "tom"]
    shown = str(listed)
    assert key not in shown
    assert PASSWORD not in shown
    assert "argon2" not in shown
    assert listed[1]["keys"][0]["prefix"] == key_answer.json()["prefix"]

    assert admin.delete(f"/users/tom/keys/{key_answer.json()['prefix']}").status_code == 204
    assert tom.get("/session").status_code == 401
    assert admin.delete(f"/users/tom/keys/{key_answer.json()['prefix']}").status_code == 404
    second = api.client(admin.post("/users/tom/keys", json={}).json()["key"])
    assert second.get("/session").json()["user"] == "tom"
    assert admin.delete("/users/tom").status_code == 204
    assert second.get("/session").status_code == 401
    assert [user["name"] for user in admin.get("/users").json()] == ["root"]


def test_bad_input_is_refused_and_writes_nothing(api: ApiServer) -> None:
    admin = api.client(api.key("root", Role.ADMIN))
    before = admin.get("/users").json()
    for body, status, words in [
        ({"name": "tom", "password": PASSWORD, "role": "trader", "accounts": ["nope"]}, 422, "no account 'nope'"),
        ({"name": "tom", "password": "short", "role": "trader"}, 422, "at least 8"),
        ({"name": "tom", "password": PASSWORD, "role": "king"}, 422, "role"),
        ({"name": "bad name", "password": PASSWORD, "role": "viewer"}, 422, "invalid user name"),
        ({"name": "root", "password": PASSWORD, "role": "viewer"}, 422, "exists"),
        ({"name": "ann", "password": PASSWORD, "role": "admin", "accounts": ["p1"]}, 422, "no accounts to an admin"),
    ]:
        answer = admin.post("/users", json=body)
        assert answer.status_code == status, (body, answer.text)
        assert words in answer.json()["error"]["message"]
        assert PASSWORD not in answer.text
    assert admin.get("/users").json() == before
    assert admin.post("/users/nobody/keys", json={}).status_code == 404
    assert admin.post("/users/root/keys", json={"scope": "everything"}).status_code == 422
    assert admin.delete("/users/nobody").status_code == 404
    assert admin.delete("/users/root").status_code == 422  # not yourself
    assert admin.get("/audit", params={"limit": 0}).status_code == 422
    assert admin.get("/audit", params={"since": "2026-01-02T09:15:00"}).status_code == 422  # no zone
    assert admin.get("/users").json() == before


def test_the_audit_log_names_who_what_where_newest_first_and_filters(api: ApiServer) -> None:
    started = dt.datetime.now(dt.UTC)
    admin = api.client(api.key("root", Role.ADMIN))
    for name in ("ann", "bob"):
        assert admin.post("/users", json={"name": name, "password": PASSWORD, "role": "viewer",
                                          "accounts": ["p1"]}).status_code == 201
    made = admin.post("/users/ann/keys", json={"scope": "read"}).json()
    assert admin.delete("/users/bob").status_code == 204

    entries = admin.get("/audit").json()
    assert [(entry["action"], entry["target"]) for entry in entries] == [
        ("user.remove", "bob"), ("key.add", "ann"), ("user.add", "bob"), ("user.add", "ann")]
    assert {(entry["user"], entry["source"], entry["outcome"]) for entry in entries} == {("root", "127.0.0.1", "ok")}
    assert entries[1]["detail"] == {"scope": "read", "prefix": made["prefix"]}
    assert made["key"] not in str(entries)
    assert PASSWORD not in str(entries)
    assert all(dt.datetime.fromisoformat(entry["at"]) >= started.replace(microsecond=0) for entry in entries)

    def actions(**filters: object) -> list[str]:
        answer = admin.get("/audit", params=filters)  # type: ignore[arg-type]
        assert answer.status_code == 200, answer.text
        return [entry["action"] for entry in answer.json()]

    assert actions(action="user.add") == ["user.add", "user.add"]
    assert actions(user="root", limit=1) == ["user.remove"]
    assert actions(user="nobody") == []
    assert actions(account="p1") == []
    assert actions(since=entries[1]["at"]) == ["user.remove"]
    document = httpx.get(f"{api.url}/api/v1/openapi.json").json()
    schema = document["paths"]["/api/v1/audit"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["items"]["$ref"].endswith("/AuditEntry")


def test_only_an_admin_with_a_trade_scope_key_manages_users(api: ApiServer) -> None:
    read_only_admin = api.client(api.key("root", Role.ADMIN, scope=Scope.READ))
    trader = api.client(api.key("tina", Role.TRADER, ("p1",)))
    for client in (read_only_admin, trader):
        assert client.get("/users").status_code == 403
        assert client.get("/audit").status_code == 403
        refused = client.post("/users", json={"name": "x1", "password": PASSWORD, "role": "admin"})
        assert refused.status_code == 403
    assert api.users().get("x1") is None
