"""The worker's side: every event reaches the receiver, signed, deduplicable; outages, kills, failures, replays."""

from datetime import timedelta

from sqlalchemy import select

from app.models import OutboxEvent, WebhookDelivery
from app.models.base import utcnow
from app.outbox.service import Cursor
from app.settings import Settings
from app.webhooks import delivery
from app.webhooks.delivery import claim_due, deliver_due, fan_out, record, send_all, sign
from tests.submissions.conftest import HEALTH, PLAN, report

SETTINGS = Settings(webhook_disable_after=2)


async def subscribe(client, world, receiver, **fields):  # type: ignore[no-untyped-def]
    response = await client.post("/api/v1/webhooks", headers=world.admin, json={"url": receiver.url, **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def some_events(client, world) -> None:  # type: ignore[no-untyped-def]
    """A submission sent and accepted (workflow and verdict events), a cycle closed and reopened."""
    await report(client, world, world.health, 2024, [{"target": "W1.2a", "value": 6.8, "unit": "1/10万"}])
    for action in ("close", "reopen"):
        response = await client.post(f"/api/v1/plans/{PLAN}/cycles/2024/annual/{action}", headers=world.admin)
        assert response.status_code == 200, response.text


async def events_after(db, cursor: str) -> list[OutboxEvent]:  # type: ignore[no-untyped-def]
    after = Cursor.parse(cursor)
    rows = (await db.execute(select(OutboxEvent).order_by(OutboxEvent.txid, OutboxEvent.id))).scalars()
    return [e for e in rows if Cursor(e.txid, e.id) > after]


async def run_worker(sessionmaker, now=None, settings=SETTINGS) -> int:  # type: ignore[no-untyped-def]
    """One round of the worker's webhook jobs (the runner calls the same two)."""
    await fan_out(sessionmaker, now=now)
    return await deliver_due(sessionmaker, now=now, settings=settings)


def test_signature_matches_the_standard_webhooks_test_vector() -> None:
    # The example of the Standard Webhooks specification (and of its reference libraries' tests).
    assert sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                '{"test": 2432232314}') == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


async def test_every_event_is_delivered_signed_once_per_webhook_id(client, db, sessionmaker, world,  # type: ignore[no-untyped-def]
                                                                    receiver) -> None:
    created = await subscribe(client, world, receiver)
    secret = created["secret"]
    assert secret.startswith("whsec_")
    await some_events(client, world)
    events = await events_after(db, created["cursor"])
    types = {e.type for e in events}
    assert {"submission.submitted", "submission.accepted", "verdict.changed", "cycle.closed",
            "cycle.reopened"} <= types

    assert await run_worker(sessionmaker) == len(events)
    assert await run_worker(sessionmaker) == 0  # nothing twice
    assert sorted(receiver.ids()) == sorted(f"evt_{e.id}" for e in events)
    by_id = {e.id: e for e in events}
    for request in receiver.requests:
        payload = request.verified(secret)
        event = by_id[int(request.webhook_id.removeprefix("evt_"))]
        assert payload["type"] == event.type
        assert payload["data"]["subject"] == event.subject and payload["data"]["plan"] == PLAN
        assert payload["data"]["cursor"] == str(Cursor(event.txid, event.id))
        assert request.headers["webhook-signature"].startswith("v1,")

    log = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries?status=delivered",
                            headers=world.admin)).json()
    assert log["total"] == len(events)
    assert {d["status"] for d in log["items"]} == {"delivered"} and all(d["response_status"] == 204
                                                                        for d in log["items"])
    cursor = (await client.get(f"/api/v1/webhooks/{created['id']}", headers=world.admin)).json()["cursor"]
    assert Cursor.parse(cursor) == max(Cursor(e.txid, e.id) for e in events)


async def test_filters_by_type_and_plan(client, db, sessionmaker, world, receiver) -> None:  # type: ignore[no-untyped-def]
    accepted = await subscribe(client, world, receiver, event_types=["submission.accepted"], plans=[PLAN])
    other_plan = await subscribe(client, world, receiver, plans=["xicheng-2021-2025"])
    await some_events(client, world)
    await run_worker(sessionmaker)
    payloads = [r.verified(accepted["secret"]) for r in receiver.requests]
    assert [p["type"] for p in payloads] == ["submission.accepted"]
    assert payloads[0]["data"]["unit"] == HEALTH and payloads[0]["data"]["status"] == "accepted"
    log = (await client.get(f"/api/v1/webhooks/{other_plan['id']}/deliveries", headers=world.admin)).json()
    assert log["total"] == 0


async def test_an_outage_is_retried_with_backoff_until_delivered(client, db, sessionmaker, world,  # type: ignore[no-untyped-def]
                                                                  receiver) -> None:
    created = await subscribe(client, world, receiver, event_types=["cycle.closed"])
    response = await client.post(f"/api/v1/plans/{PLAN}/cycles/2024/annual/close", headers=world.admin)
    assert response.status_code == 200
    receiver.down(3)
    now = utcnow()
    assert await run_worker(sessionmaker, now) == 1
    assert await run_worker(sessionmaker, now + timedelta(seconds=4)) == 0  # not due before its backoff
    assert await run_worker(sessionmaker, now + timedelta(seconds=6)) == 1
    assert await run_worker(sessionmaker, now + timedelta(seconds=40)) == 1
    [pending] = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=world.admin)).json()["items"]
    assert pending["status"] == "pending" and pending["attempts"] == 3 and pending["response_status"] == 503
    assert pending["last_error"] == "HTTP 503"
    assert await run_worker(sessionmaker, now + timedelta(minutes=5)) == 1  # the receiver is back
    [done] = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=world.admin)).json()["items"]
    assert done["status"] == "delivered" and done["attempts"] == 4 and done["next_attempt_at"] is None
    assert len(receiver.requests) == 4 and len(receiver.unique()) == 1
    for request in receiver.requests:
        request.verified(created["secret"])


async def test_a_worker_killed_mid_way_loses_nothing(client, db, sessionmaker, world, receiver) -> None:  # type: ignore[no-untyped-def]
    created = await subscribe(client, world, receiver, event_types=["cycle.closed", "cycle.reopened"])
    for action in ("close", "reopen"):
        await client.post(f"/api/v1/plans/{PLAN}/cycles/2024/annual/{action}", headers=world.admin)
    await fan_out(sessionmaker)
    now = utcnow()
    # Worker 1 claims both, sends them, and dies before recording the answers.
    claims = await claim_due(sessionmaker, now, SETTINGS)
    assert len(claims) == 2
    await send_all(claims, SETTINGS)
    assert len(receiver.requests) == 2
    # Within the lease nobody sends them again; after it, the next worker does, with the same webhook-ids.
    assert await deliver_due(sessionmaker, now=now + timedelta(seconds=5), settings=SETTINGS) == 0
    lease_over = now + timedelta(seconds=SETTINGS.webhook_timeout_seconds) + delivery.LEASE_MARGIN
    assert await deliver_due(sessionmaker, now=lease_over, settings=SETTINGS) == 2
    assert len(receiver.requests) == 4 and len(receiver.unique()) == 2
    # The dead worker's late record changes nothing: its claims are stale.
    outcomes = await send_all(claims, SETTINGS)
    await record(sessionmaker, outcomes, lease_over, SETTINGS)
    rows = (await db.execute(select(WebhookDelivery).where(WebhookDelivery.subscription_id == created["id"])
                             .execution_options(populate_existing=True))).scalars().all()
    assert {(r.status, r.attempts) for r in rows} == {("delivered", 2)}


async def test_repeated_failures_disable_and_the_office_re_enables(client, db, sessionmaker, world,  # type: ignore[no-untyped-def]
                                                                    receiver) -> None:
    created = await subscribe(client, world, receiver, event_types=["cycle.closed", "cycle.reopened"])
    url = f"/api/v1/webhooks/{created['id']}"
    for action in ("close", "reopen"):
        await client.post(f"/api/v1/plans/{PLAN}/cycles/2024/annual/{action}", headers=world.admin)
    receiver.down(1000)
    now = utcnow()
    await run_worker(sessionmaker, now)
    for hours in range(1, 27):  # a day of retries
        await run_worker(sessionmaker, now + timedelta(hours=hours))
    log = (await client.get(f"{url}/deliveries", headers=world.admin)).json()
    assert {d["status"] for d in log["items"]} == {"failed"}
    assert all(d["attempts"] >= 8 for d in log["items"])
    disabled = (await client.get(url, headers=world.admin)).json()
    assert disabled["enabled"] is False and disabled["consecutive_failures"] == 2
    assert "连续 2 次投递失败" in disabled["disabled_reason"]

    # While disabled nothing is fanned out or sent; the events wait for it.
    await client.post(f"/api/v1/plans/{PLAN}/cycles/2024/annual/close", headers=world.admin)
    sent = len(receiver.requests)
    await run_worker(sessionmaker, now + timedelta(hours=30))
    assert len(receiver.requests) == sent
    receiver.answers.clear()
    enabled = await client.patch(url, headers=world.admin, json={"enabled": True})
    assert enabled.json()["enabled"] is True and enabled.json()["consecutive_failures"] == 0
    assert enabled.json()["disabled_reason"] is None
    assert await run_worker(sessionmaker, now + timedelta(hours=30)) == 1
    assert receiver.requests[-1].verified(created["secret"])["type"] == "cycle.closed"


async def test_replay_sends_past_events_again_with_their_webhook_id(client, db, sessionmaker, world,  # type: ignore[no-untyped-def]
                                                                     receiver) -> None:
    created = await subscribe(client, world, receiver)
    url = f"/api/v1/webhooks/{created['id']}"
    await some_events(client, world)
    await run_worker(sessionmaker)
    first = receiver.ids()
    events = await events_after(db, created["cursor"])
    middle = events[len(events) // 2]

    middle_cursor = str(Cursor(middle.txid, middle.id))
    replayed = await client.post(f"{url}/replay", headers=world.admin,
                                 json={"from_cursor": created["cursor"], "to_cursor": middle_cursor})
    assert replayed.status_code == 202, replayed.text
    expected = [f"evt_{e.id}" for e in events if Cursor(e.txid, e.id) <= Cursor(middle.txid, middle.id)]
    assert replayed.json() == {"scheduled": len(expected)}
    again = await client.post(f"{url}/replay", headers=world.admin, json={"from_cursor": created["cursor"]})
    assert again.json() == {"scheduled": len(events) - len(expected)}  # the pending ones are not added twice
    await run_worker(sessionmaker)
    assert sorted(receiver.ids()[len(first):]) == sorted(first)
    # Before the subscription existed: a backfill by time.
    backfill = await client.post(f"{url}/replay", headers=world.admin,
                                 json={"since": (utcnow() - timedelta(days=1)).isoformat()})
    assert backfill.json()["scheduled"] >= len(events)


async def test_ping_is_signed_and_logged(client, db, sessionmaker, world, receiver) -> None:  # type: ignore[no-untyped-def]
    created = await subscribe(client, world, receiver)
    queued = await client.post(f"/api/v1/webhooks/{created['id']}/test", headers=world.admin)
    assert queued.status_code == 202 and queued.json()["status"] == "pending"
    assert queued.json()["event_type"] == "ping" and queued.json()["event_cursor"] is None
    await deliver_due(sessionmaker, settings=SETTINGS)
    [request] = receiver.requests
    payload = request.verified(created["secret"])
    assert payload["type"] == "ping" and payload["data"] == {"subscription_id": created["id"]}
    assert request.webhook_id == queued.json()["webhook_id"]
    log = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=world.admin)).json()
    assert log["items"][0]["status"] == "delivered"


async def test_a_destination_no_longer_allowed_is_not_contacted(client, db, sessionmaker, world,  # type: ignore[no-untyped-def]
                                                                 receiver) -> None:
    created = await subscribe(client, world, receiver)
    await client.post(f"/api/v1/webhooks/{created['id']}/test", headers=world.admin)
    strict = Settings(webhook_allowed_hosts=["10.0.0.0/8"])
    assert await deliver_due(sessionmaker, settings=strict) == 1
    assert receiver.requests == []
    [ping] = (await client.get(f"/api/v1/webhooks/{created['id']}/deliveries", headers=world.admin)).json()["items"]
    assert ping["status"] == "failed" and "127.0.0.1" in ping["last_error"]
