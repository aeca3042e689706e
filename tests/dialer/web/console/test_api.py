"""The console over HTTP in-process: sign-in, roles, CSRF, own calls only, forms, expiry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient

from dialer.web.console.backend import AgentState, LeadCard
from tests.dialer.web.console.conftest import PASSWORD, ManualClock, csrf_of, sign_in
from tests.dialer.web.console.fake_backend import FakeBackend

JSON = {"Accept": "application/json"}
LEAD = LeadCard(
    lead_id=41,
    phone="+13125550123",
    name="Maria Lopez",
    fields=(("City", "Chicago"), ("State", "IL")),
    custom=(("Policy", "HX-2231"), ("Renewal", "2026-06-01")),
    timezone="America/Chicago",
)


async def ready(client: AsyncClient, csrf: str) -> None:
    r = await client.post("/console/agent/campaigns", data={"campaign": ["1"], "csrf_token": csrf})
    assert r.status_code == 200
    r = await client.post("/console/agent/ready", data={"csrf_token": csrf}, headers=JSON)
    assert r.json() == {"ok": True}


async def test_pages_need_a_session(client: AsyncClient) -> None:
    for path in ("/console/agent", "/console/supervisor", "/console/"):
        r = await client.get(path, follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/console/login"
    assert (await client.get("/console/agent/panel", headers=JSON)).status_code == 401
    assert (await client.post("/console/agent/ready", headers=JSON)).status_code == 401
    stream = await client.get("/console/agent/events", headers={"Accept": "text/event-stream"})
    assert stream.status_code == 401  # EventSource gives up, the page reloads to sign-in


async def test_wrong_password_and_unknown_user_are_refused_alike(client: AsyncClient) -> None:
    for user, password in (("alice", "wrong password"), ("nobody", "correct horse battery")):
        page = await client.get("/console/login")
        r = await client.post(
            "/console/login",
            data={"username": user, "password": password, "csrf_token": csrf_of(page.text)},
        )
        assert r.status_code == 401
        assert "wrong username or password" in r.text
        assert "dialer_session" not in r.cookies


async def test_login_form_needs_its_csrf_token(client: AsyncClient) -> None:
    await client.get("/console/login")
    r = await client.post(
        "/console/login",
        data={"username": "alice", "password": "correct horse battery", "csrf_token": "forged"},
    )
    assert r.status_code == 403
    assert "dialer_session" not in r.cookies


@pytest.mark.parametrize(
    ("user", "home"),
    [("alice", "/console/agent"), ("sue", "/console/supervisor"), ("carl", "/console/supervisor")],
)
async def test_each_role_lands_on_its_view(client: AsyncClient, user: str, home: str) -> None:
    await sign_in(client, user)
    r = await client.get("/console/", follow_redirects=False)
    assert r.headers["location"] == home


async def test_session_cookie_is_http_only_and_same_site(client: AsyncClient) -> None:
    page = await client.get("/console/login")
    r = await client.post(
        "/console/login",
        data={
            "username": "alice",
            "password": "correct horse battery",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()


async def test_agent_goes_ready_and_gets_a_screen_pop(
    client: AsyncClient, backend: FakeBackend
) -> None:
    csrf = await sign_in(client, "alice")
    await ready(client, csrf)
    assert backend.agents["alice"].state is AgentState.READY
    backend.connect("alice", LEAD)
    page = (await client.get("/console/agent/panel")).text
    for shown in (
        "Maria Lopez",
        "+13125550123",
        "Chicago",
        "HX-2231",
        "Hello Maria Lopez",
        "Hang up",
    ):
        assert shown in page


async def test_csrf_is_required_on_every_state_change(
    client: AsyncClient, backend: FakeBackend
) -> None:
    csrf = await sign_in(client, "alice")
    for token in ("", "forged"):
        r = await client.post(
            "/console/agent/campaigns", data={"campaign": ["1"], "csrf_token": token}
        )
        assert r.status_code == 403
    assert "alice" not in backend.agents
    r = await client.post(
        "/console/agent/campaigns", data={"campaign": ["1"]}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 200
    assert "alice" in backend.agents


async def test_csrf_token_of_another_session_is_refused(
    client: AsyncClient, new_client: Callable[[], AsyncClient]
) -> None:
    async with new_client() as other:
        other_csrf = await sign_in(other, "bob")
    await sign_in(client, "alice")
    r = await client.post("/console/agent/ready", data={"csrf_token": other_csrf}, headers=JSON)
    assert r.status_code == 403


async def test_agent_cannot_touch_another_agents_call(
    client: AsyncClient, backend: FakeBackend, new_client: Callable[[], AsyncClient]
) -> None:
    async with new_client() as bob:
        await ready(bob, await sign_in(bob, "bob"))
    bobs_call = backend.connect("bob", LEAD)
    csrf = await sign_in(client, "alice")
    await ready(client, csrf)
    assert "Maria Lopez" not in (await client.get("/console/agent/panel")).text
    r = await client.post(
        "/console/agent/hangup", data={"csrf_token": csrf, "call_id": bobs_call}, headers=JSON
    )
    assert r.status_code == 403
    backend.end("bob")
    r = await client.post(
        "/console/agent/disposition",
        data={"csrf_token": csrf, "call_id": bobs_call, "disposition": "sale"},
        headers=JSON,
    )
    assert r.status_code == 403
    assert backend.hangups == []
    assert backend.dispositions == []


async def test_hang_up_then_callback_disposition_in_the_leads_time(
    client: AsyncClient, backend: FakeBackend
) -> None:
    csrf = await sign_in(client, "alice")
    await ready(client, csrf)
    call_id = backend.connect("alice", LEAD)
    r = await client.post(
        "/console/agent/hangup", data={"csrf_token": csrf, "call_id": call_id}, headers=JSON
    )
    assert r.json() == {"ok": True}
    panel = (await client.get("/console/agent/panel")).text
    assert "Allowed 08:00\N{EN DASH}21:00" in panel
    assert "America/Chicago" in panel
    form = {"csrf_token": csrf, "call_id": call_id, "disposition": "callback"}
    r = await client.post(
        "/console/agent/disposition",
        data=form | {"callback_local": "2026-05-05T22:30"},
        headers=JSON,
    )
    assert r.status_code == 400
    assert "between 08:00 and 21:00" in r.json()["error"]
    r = await client.post(
        "/console/agent/disposition",
        data=form | {"callback_local": "2026-05-03T10:00"},
        headers=JSON,
    )
    assert "in the past" in r.json()["error"]
    r = await client.post(
        "/console/agent/disposition",
        data=form | {"callback_local": "2026-05-05T10:30", "note": "after 10"},
        headers=JSON,
    )
    assert r.json() == {"ok": True}
    [(agent, recorded_call, choice)] = backend.dispositions
    assert (agent, recorded_call, choice.code) == ("alice", call_id, "callback")
    assert choice.callback_at == datetime(2026, 5, 5, 15, 30, tzinfo=UTC)  # 10:30 CDT
    assert not choice.dnc_request
    assert choice.note == "after 10"
    assert backend.agents["alice"].state is AgentState.READY


async def test_unknown_disposition_is_refused(client: AsyncClient, backend: FakeBackend) -> None:
    csrf = await sign_in(client, "alice")
    await ready(client, csrf)
    call_id = backend.connect("alice", LEAD)
    backend.end("alice")
    r = await client.post(
        "/console/agent/disposition",
        data={"csrf_token": csrf, "call_id": call_id, "disposition": "made_up"},
        headers=JSON,
    )
    assert r.status_code == 400
    assert backend.dispositions == []


async def test_pause_with_a_code(client: AsyncClient, backend: FakeBackend) -> None:
    csrf = await sign_in(client, "alice")
    await ready(client, csrf)
    r = await client.post(
        "/console/agent/pause", data={"csrf_token": csrf, "pause_code": "nap"}, headers=JSON
    )
    assert r.status_code == 400
    r = await client.post(
        "/console/agent/pause", data={"csrf_token": csrf, "pause_code": "lunch"}, headers=JSON
    )
    assert r.json() == {"ok": True}
    assert backend.agents["alice"].pause_code == "lunch"
    r = await client.post(
        "/console/agent/pause", data={"csrf_token": csrf, "pause_code": "lunch"}, headers=JSON
    )
    assert r.status_code == 409  # the backend's ConflictError: already paused


async def test_preview_dial_and_skip(client: AsyncClient, backend: FakeBackend) -> None:
    csrf = await sign_in(client, "alice")
    await ready(client, csrf)
    backend.offer("alice", LEAD, campaign_id=2)
    panel = (await client.get("/console/agent/panel")).text
    assert "Maria Lopez" in panel
    assert "Dial" in panel
    assert "Skip" in panel
    other = {"csrf_token": csrf, "lead_id": "99", "decision": "dial"}
    assert (
        await client.post("/console/agent/preview", data=other, headers=JSON)
    ).status_code == 403
    mine = other | {"lead_id": "41", "decision": "skip"}
    assert (await client.post("/console/agent/preview", data=mine, headers=JSON)).json() == {
        "ok": True
    }
    assert backend.previews == [("alice", 41, "skip")]


async def test_supervisor_sees_figures_and_controls_campaigns(
    client: AsyncClient, backend: FakeBackend
) -> None:
    csrf = await sign_in(client, "sue")
    page = (await client.get("/console/supervisor")).text
    assert "Spring renewals" in page
    assert "Start" in page
    form = {"csrf_token": csrf, "campaign_id": "1"}
    r = await client.post(
        "/console/supervisor/campaign", data=form | {"action": "start"}, headers=JSON
    )
    assert r.json() == {"ok": True}
    assert backend.campaigns[1].status == "active"
    r = await client.post(
        "/console/supervisor/campaign",
        data=form | {"action": "dial_mode", "dial_mode": "power"},
        headers=JSON,
    )
    assert r.json() == {"ok": True}
    assert backend.campaigns[1].dial_mode == "power"
    r = await client.post(
        "/console/supervisor/campaign",
        data=form | {"action": "dial_mode", "dial_mode": "turbo"},
        headers=JSON,
    )
    assert r.status_code == 400


async def test_compliance_role_reads_but_changes_nothing(
    client: AsyncClient, backend: FakeBackend
) -> None:
    csrf = await sign_in(client, "carl")
    page = (await client.get("/console/supervisor")).text
    assert "Spring renewals" in page
    assert "/supervisor/campaign" not in page  # no control forms are shown
    for action in ("start", "pause"):
        r = await client.post(
            "/console/supervisor/campaign",
            data={"csrf_token": csrf, "campaign_id": "1", "action": action},
            headers=JSON,
        )
        assert r.status_code == 403
    r = await client.post(
        "/console/agent/campaigns", data={"csrf_token": csrf, "campaign": ["1"]}, headers=JSON
    )
    assert r.status_code == 403
    assert backend.campaigns[1].status == "paused"
    assert backend.agents == {}


async def test_agents_cannot_open_the_supervisor_view(client: AsyncClient) -> None:
    csrf = await sign_in(client, "alice")
    assert (await client.get("/console/supervisor")).status_code == 403
    r = await client.post(
        "/console/supervisor/campaign",
        data={"csrf_token": csrf, "campaign_id": "1", "action": "start"},
        headers=JSON,
    )
    assert r.status_code == 403


async def test_supervisors_take_no_calls(client: AsyncClient) -> None:
    await sign_in(client, "sue")
    assert (await client.get("/console/agent")).status_code == 403


async def test_idle_session_expires(client: AsyncClient, clock: ManualClock) -> None:
    await sign_in(client, "alice")
    clock.advance(timedelta(minutes=29))
    assert (
        await client.get("/console/agent")
    ).status_code == 200  # activity slides the idle expiry
    clock.advance(timedelta(minutes=29))
    assert (await client.get("/console/agent")).status_code == 200
    clock.advance(timedelta(minutes=31))
    r = await client.get("/console/agent", follow_redirects=False)
    assert r.status_code == 303
    assert (await client.get("/console/agent/panel", headers=JSON)).status_code == 401


async def test_session_ends_at_its_absolute_lifetime(
    client: AsyncClient, clock: ManualClock
) -> None:
    await sign_in(client, "alice")
    for _ in range(24):  # 11 h 36 min of activity
        clock.advance(timedelta(minutes=29))
        assert (await client.get("/console/agent/panel")).status_code == 200
    clock.advance(timedelta(minutes=25))  # 12 h 01 min after signing in
    r = await client.get("/console/agent/panel", headers=JSON)
    assert r.status_code == 401


async def test_sign_out_ends_the_session(client: AsyncClient) -> None:
    csrf = await sign_in(client, "sue")
    cookie = client.cookies.get("dialer_session")
    r = await client.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    client.cookies.set("dialer_session", cookie or "", path="/console")
    assert (await client.get("/console/supervisor/panel", headers=JSON)).status_code == 401


async def test_agent_cannot_sign_out_during_a_call(
    client: AsyncClient, backend: FakeBackend
) -> None:
    csrf = await sign_in(client, "alice")
    await ready(client, csrf)
    backend.connect("alice", LEAD)
    assert (await client.post("/console/logout", data={"csrf_token": csrf})).status_code == 409


async def test_no_lead_data_in_urls_and_pages_are_not_cached(
    client: AsyncClient, backend: FakeBackend
) -> None:
    csrf = await sign_in(client, "alice")
    await ready(client, csrf)
    backend.connect("alice", LEAD)
    r = await client.get("/console/agent")
    assert r.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    urls = [
        *_attr(r.text, "action"),
        *_attr(r.text, "href"),
        *_attr(r.text, "src"),
        *_attr(r.text, "data-events"),
    ]
    assert urls
    for url in urls:
        assert "?" not in url
        assert "Maria" not in url
        assert "5550123" not in url


def _attr(html: str, name: str) -> list[str]:
    import re

    return re.findall(rf'{name}="([^"]*)"', html)


async def test_pages_escape_lead_data(client: AsyncClient, backend: FakeBackend) -> None:
    csrf = await sign_in(client, "alice")
    await ready(client, csrf)
    backend.connect("alice", LeadCard(7, "+13125550100", "<script>alert(1)</script>"))
    page = (await client.get("/console/agent/panel")).text
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page


async def test_static_files_are_served(client: AsyncClient) -> None:
    assert "EventSource" in (await client.get("/console/static/console.js")).text
    assert (await client.get("/console/static/console.css")).status_code == 200


async def test_root_redirects_to_the_console(client: AsyncClient) -> None:
    r = await client.get("/", follow_redirects=False)
    assert r.headers["location"] == "/console/"
    assert datetime.now(UTC)  # the suite's clock is not the wall clock


async def test_do_not_call_request_goes_with_the_disposition(
    client: AsyncClient, backend: FakeBackend
) -> None:
    csrf = await sign_in(client, "alice")
    await ready(client, csrf)
    call_id = backend.connect("alice", LEAD)
    backend.end("alice")
    form = {"csrf_token": csrf, "call_id": call_id, "dnc_request": "on"}
    r = await client.post(
        "/console/agent/disposition",
        data=form | {"disposition": "callback", "callback_local": "2026-05-05T10:30"},
        headers=JSON,
    )
    assert r.status_code == 400
    assert "no callback" in r.json()["error"]
    r = await client.post(
        "/console/agent/disposition", data=form | {"disposition": "no_interest"}, headers=JSON
    )
    assert r.json() == {"ok": True}
    [(_, _, choice)] = backend.dispositions
    assert choice.code == "no_interest"
    assert choice.dnc_request


async def test_repeated_wrong_passwords_lock_the_user(
    client: AsyncClient, clock: ManualClock
) -> None:
    async def attempt(password: str) -> int:
        page = await client.get("/console/login")
        r = await client.post(
            "/console/login",
            data={"username": "dave", "password": password, "csrf_token": csrf_of(page.text)},
        )
        return r.status_code

    for _ in range(5):
        assert await attempt("guess-again") == 401
    assert await attempt(PASSWORD) == 401  # locked, and it looks like any failure
    clock.advance(timedelta(minutes=16))
    assert await attempt(PASSWORD) == 200
