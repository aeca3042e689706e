"""Retries, backoff and error translation against the fake's injected failures."""

from __future__ import annotations

import pytest

from dialer.carriers.base import OriginateRequest
from dialer.errors import CarrierAuthError, CarrierRejectedError, CarrierUnavailableError
from tests.dialer.carriers.twilio.harness import CALLER_ID, twilio_world
from tests.fakes.twilio_fake import Callee

REQUEST = OriginateRequest(to="+14155553001", caller_id=CALLER_ID, detect_machine=False)


def _creates(w: object) -> int:
    return sum(1 for r in w.fake.requests if r.method == "POST" and r.path.endswith("/Calls.json"))  # type: ignore[attr-defined]


async def test_creating_a_call_retries_429_and_503() -> None:
    async with twilio_world() as w:
        w.fake.fail_next("create_call", 429, 503)
        sid = await w.carrier.originate(REQUEST)
        assert sid in w.fake.calls
        assert _creates(w) == 3
        assert len(w.fake.calls) == 1


async def test_creating_a_call_never_retries_a_500_which_may_have_placed_it() -> None:
    async with twilio_world() as w:
        w.fake.fail_next("create_call", 500)
        with pytest.raises(CarrierUnavailableError, match="HTTP 500"):
            await w.carrier.originate(REQUEST)
        assert _creates(w) == 1


async def test_rate_limiting_that_never_ends_gives_up_after_max_attempts() -> None:
    async with twilio_world(max_attempts=3) as w:
        w.fake.fail_next("create_call", 429, 429, 429, 429)
        with pytest.raises(CarrierUnavailableError, match="HTTP 429"):
            await w.carrier.originate(REQUEST)
        assert _creates(w) == 3


async def test_updates_retry_any_5xx() -> None:
    async with twilio_world() as w:
        w.fake.callees[REQUEST.to] = Callee(outcome="no-answer")
        sid = await w.carrier.originate(REQUEST)
        await w.fake.wait(lambda: w.engine.kinds(sid) == ["CallRinging"])
        w.fake.fail_next("update_call", 500, 502)
        await w.carrier.hangup(sid)
        await w.until_ended(sid)
        assert w.fake.calls[sid].status == "canceled"


async def test_a_refused_request_is_a_rejected_error_with_twilios_code() -> None:
    async with twilio_world() as w:
        w.fake.fail_next("create_call", 400)
        with pytest.raises(CarrierRejectedError, match="20500"):
            await w.carrier.originate(REQUEST)


async def test_wrong_credentials_are_an_auth_error_without_the_token() -> None:
    async with twilio_world() as w:
        w.fake.auth_token = "another-token"
        with pytest.raises(CarrierAuthError) as info:
            await w.carrier.originate(REQUEST)
        assert w.carrier.config.auth_token not in str(info.value)
