"""Subscriptions through REST and GraphQL: the office only, input checked field by field, the secret shown once."""

import json

import pytest
from sqlalchemy import func, select

from app.models import AuditEvent, WebhookDelivery, WebhookSubscription
from app.settings import get_settings
from app.webhooks.delivery import deliver_due, fan_out
from tests.graphql.conftest import codes, gql
from tests.submissions.conftest import PLAN

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


async def count(db, model) -> int:  # type: ignore[no-untyped-def]
    return (await db.execute(select(func.count()).select_from(model))).scalar_one()


async def test_create_read_update_delete(client, db, world, receiver) -> None:  # type: ignore[no-untyped-def]
    created = await client.post("/api/v1/webhooks", headers=world.admin, json={
        "url": receiver.url, "event_types": ["verdict.changed", "verdict.changed"], "plans": [PLAN],
        "secret": SECRET})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"] == SECRET and body["event_types"] == ["verdict.changed"] and body["enabled"] is True
    url = f"/api/v1/webhooks/{body['id']}"

    read = await client.get(url, headers=world.admin)
    listed = await client.get("/api/v1/webhooks", headers=world.admin)
    for text in (read.text, listed.text):
        assert "secret" not in text and SECRET not in text
    assert listed.json()["total"] == 1 and read.json()["cursor"] == body["cursor"]

    disabled = await client.patch(url, headers=world.admin, json={"enabled": False, "plans": []})
    assert disabled.json()["enabled"] is False and disabled.json()["disabled_reason"] == "由妇儿工委办公室停用"
    assert disabled.json()["plans"] == []

    deleted = await client.delete(url, headers=world.admin)
    assert deleted.status_code == 204
    assert (await client.get(url, headers=world.admin)).status_code == 404
    audit = (await db.execute(select(AuditEvent).where(AuditEvent.entity_type == "webhook")
                              .order_by(AuditEvent.id))).scalars().all()
    assert [a.action for a in audit] == ["webhook.create", "webhook.update", "webhook.delete"]
    assert SECRET not in json.dumps([[a.before, a.after] for a in audit])


async def test_a_generated_secret_is_a_standard_webhooks_secret(client, world, receiver) -> None:  # type: ignore[no-untyped-def]
    created = (await client.post("/api/v1/webhooks", headers=world.admin, json={"url": receiver.url})).json()
    assert created["secret"].startswith("whsec_") and len(created["secret"]) == 6 + 44
    assert created["event_types"] == [] and created["plans"] == []


@pytest.mark.parametrize(("body", "field"), [
    ({"url": "http://203.0.113.7/hooks"}, "url"),  # public address: outside the allow-list
    ({"url": "http://hooks.invalid/x"}, "url"),  # a name not listed and not resolvable
    ({"url": "ftp://127.0.0.1/x"}, "url"),
    ({"url": "http://user:pw@127.0.0.1/x"}, "url"),
    ({"url": "http://127.0.0.1:99999/x"}, "url"),
    ({"url": "http://127.0.0.1/x", "event_types": ["verdict.changed", "plan.deleted"]}, "event_types[1]"),
    ({"url": "http://127.0.0.1/x", "plans": ["no-such-plan"]}, "plans[0]"),
    ({"url": "http://127.0.0.1/x", "secret": "not-a-secret"}, "secret"),
    ({"url": "http://127.0.0.1/x", "secret": "whsec_c2hvcnQ="}, "secret"),  # 5 bytes
    ({"url": "http://127.0.0.1/x", "enabled": "yes"}, "enabled"),
    ({"url": "http://127.0.0.1/x", "extra": 1}, "extra"),
    ({}, "url"),
])
async def test_bad_input_is_422_naming_the_field(client, db, world, body, field) -> None:  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/webhooks", headers=world.admin, json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await count(db, WebhookSubscription) == 0


async def test_the_allow_list_setting_admits_named_hosts(client, world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WEBHOOK_ALLOWED_HOSTS", "*.example.gov.cn,203.0.113.0/24")
    get_settings.cache_clear()
    try:
        for url in ("https://hooks.example.gov.cn/fuer", "http://203.0.113.7/hooks"):
            response = await client.post("/api/v1/webhooks", headers=world.admin, json={"url": url})
            assert response.status_code == 201, response.text
        refused = await client.post("/api/v1/webhooks", headers=world.admin, json={"url": "http://127.0.0.1/x"})
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "url"
    finally:
        get_settings.cache_clear()


async def test_update_and_replay_check_their_input(client, db, world, receiver) -> None:  # type: ignore[no-untyped-def]
    created = (await client.post("/api/v1/webhooks", headers=world.admin, json={"url": receiver.url})).json()
    url = f"/api/v1/webhooks/{created['id']}"
    for body, field in (({"url": "http://8.8.8.8/"}, "url"), ({"event_types": ["nope"]}, "event_types[0]"),
                        ({"enabled": 1}, "enabled")):
        response = await client.patch(url, headers=world.admin, json=body)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field, response.text
    for body, field in (({}, "from_cursor"), ({"from_cursor": "abc"}, "from_cursor"),
                        ({"from_cursor": "5", "to_cursor": "3"}, "to_cursor"),
                        ({"since": 1700000000}, "since"), ({"since": "2026-01-01T00:00:00"}, "since"),
                        ({"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "until")):
        response = await client.post(f"{url}/replay", headers=world.admin, json=body)
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == field, response.text
    bad_status = await client.get(f"{url}/deliveries?status=lost", headers=world.admin)
    assert bad_status.status_code == 422 and bad_status.json()["errors"][0]["field"] == "status"
    assert (await client.get("/api/v1/webhooks/999999", headers=world.admin)).status_code == 404
    assert (await client.get("/api/v1/webhooks/0", headers=world.admin)).status_code == 422
    assert await count(db, WebhookDelivery) == 0


async def test_readers_and_units_get_403(client, world, receiver) -> None:  # type: ignore[no-untyped-def]
    created = (await client.post("/api/v1/webhooks", headers=world.admin, json={"url": receiver.url})).json()
    one = f"/api/v1/webhooks/{created['id']}"
    calls = [("POST", "/api/v1/webhooks", {"url": receiver.url}), ("GET", "/api/v1/webhooks", None),
             ("GET", one, None), ("PATCH", one, {"enabled": False}), ("DELETE", one, None),
             ("GET", f"{one}/deliveries", None), ("POST", f"{one}/replay", {"from_cursor": "0"}),
             ("POST", f"{one}/test", None)]
    for headers in (world.reader, world.health):
        for method, path, body in calls:
            response = await client.request(method, path, headers=headers, json=body)
            assert response.status_code == 403, (method, path, response.text)
            assert response.json()["code"] == "FORBIDDEN"
    assert (await client.get("/api/v1/webhooks")).status_code == 401
    assert (await client.get(one, headers=world.admin)).json()["enabled"] is True


WEBHOOK = "id url eventTypes plans enabled disabledReason consecutiveFailures cursor"


async def test_graphql_covers_the_same(client, db, sessionmaker, world, receiver) -> None:  # type: ignore[no-untyped-def]
    created = await gql(client, f"""mutation($input: WebhookInput!) {{
        createWebhook(input: $input) {{ secret webhook {{ {WEBHOOK} }} }} }}""",
                        {"input": {"url": receiver.url, "eventTypes": ["cycle.closed"]}}, world.admin)
    assert "errors" not in created, created
    webhook = created["data"]["createWebhook"]["webhook"]
    secret = created["data"]["createWebhook"]["secret"]
    assert secret.startswith("whsec_") and webhook["eventTypes"] == ["cycle.closed"]

    await client.post(f"/api/v1/plans/{PLAN}/cycles/2024/annual/close", headers=world.admin)
    await fan_out(sessionmaker)
    await deliver_due(sessionmaker)
    assert receiver.requests[0].verified(secret)["type"] == "cycle.closed"

    read = await gql(client, f"""query($id: Int!) {{ webhooks {{ total items {{ id }} }}
        webhook(id: $id) {{ {WEBHOOK} }}
        webhookDeliveries(id: $id, status: delivered) {{ total items {{ webhookId status attempts responseStatus
          eventType eventCursor }} }} }}""", {"id": webhook["id"]}, world.admin)
    assert "errors" not in read, read
    assert read["data"]["webhook"]["cursor"] != webhook["cursor"]
    [log] = read["data"]["webhookDeliveries"]["items"]
    assert log["status"] == "delivered" and log["responseStatus"] == 204 and log["webhookId"] == receiver.ids()[0]

    replayed = await gql(client, """mutation($id: Int!, $input: ReplayInput!) {
        replayWebhook(id: $id, input: $input) { scheduled } }""",
                         {"id": webhook["id"], "input": {"fromCursor": webhook["cursor"]}}, world.admin)
    assert replayed["data"]["replayWebhook"]["scheduled"] == 1
    ping = await gql(client, "mutation($id: Int!) { testWebhook(id: $id) { eventType status } }",
                     {"id": webhook["id"]}, world.admin)
    assert ping["data"]["testWebhook"] == {"eventType": "ping", "status": "pending"}
    patched = await gql(client, """mutation($id: Int!) { updateWebhook(id: $id, input: {enabled: false}) {
        enabled disabledReason } }""", {"id": webhook["id"]}, world.admin)
    assert patched["data"]["updateWebhook"]["enabled"] is False

    bad = await gql(client, """mutation { createWebhook(input: {url: "http://8.8.8.8/x", eventTypes: ["nope"]}) {
        secret } }""", None, world.admin)
    assert codes(bad) == ["VALIDATION"]
    assert {e["field"] for e in bad["errors"][0]["extensions"]["errors"]} == {"url", "eventTypes[0]"}
    for headers in (world.reader, world.health):
        denied = await gql(client, "{ webhooks { total } }", None, headers)
        assert codes(denied) == ["FORBIDDEN"]
        denied = await gql(client, "mutation($id: Int!) { deleteWebhook(id: $id) }", {"id": webhook["id"]}, headers)
        assert codes(denied) == ["FORBIDDEN"]
    deleted = await gql(client, "mutation($id: Int!) { deleteWebhook(id: $id) }", {"id": webhook["id"]}, world.admin)
    assert deleted["data"]["deleteWebhook"] == webhook["id"]
