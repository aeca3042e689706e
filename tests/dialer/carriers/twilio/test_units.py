"""Pure parts of the Twilio carrier: event order, token bucket, backoff, TwiML, config."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from dialer.carriers.base import AnswerKind
from dialer.carriers.twilio import TwilioConfig, twiml
from dialer.carriers.twilio._bucket import TokenBucket, refill, wait_for_token
from dialer.carriers.twilio._delivery import start_eagerly
from dialer.carriers.twilio._ledger import (
    CallLedger,
    Phase,
    Signal,
    advance,
    signal_for_status,
)
from dialer.carriers.twilio._retry import SAFE_POLICY, Edge, backoff_delay, call_twilio, translate
from dialer.carriers.twilio._webhooks import answer_kind
from dialer.clock import RealClock, VirtualClock
from dialer.errors import (
    CarrierAuthError,
    CarrierRejectedError,
    CarrierUnavailableError,
    ConfigError,
)
from dialer.settings import Settings
from dialer.web.signature import FormFields, is_signed

_ORDER = [Signal.RINGING, Signal.ANSWER, Signal.END]


@given(st.lists(st.sampled_from(list(Signal)), max_size=12))
def test_any_callback_stream_emits_events_in_contract_order(signals: list[Signal]) -> None:
    phase, emitted = Phase.NEW, []
    for signal in signals:
        phase, emit = advance(phase, signal)
        if emit:
            emitted.append(signal)
    assert emitted == [s for s in _ORDER if s in emitted]  # in order, each at most once
    assert (Signal.END in emitted) == (Signal.END in signals)  # an end always gets through
    assert Signal.LIVE not in emitted


@given(st.lists(st.sampled_from(list(Signal)), max_size=8), st.sampled_from(list(Signal)))
def test_repeating_the_last_signal_changes_nothing(signals: list[Signal], last: Signal) -> None:
    phase = Phase.NEW
    for signal in [*signals, last]:
        phase, _ = advance(phase, signal)
    assert advance(phase, last) == (phase, False)


@given(st.lists(st.sampled_from(["start", "end"]), max_size=60), st.integers(0, 5))
def test_the_ledger_keeps_live_calls_and_only_the_latest_ended_ones(
    steps: list[str], keep: int
) -> None:
    ledger = CallLedger(keep_ended=keep)
    live: list[str] = []
    ended: list[str] = []
    for n, step in enumerate(steps):
        if step == "start" or not live:
            live.append(f"CA{n}")
            ledger.get(live[-1])
            continue
        record = ledger.get(live.pop())  # the newest live call ends: not in creation order
        record.phase = Phase.ENDED
        ledger.mark_ended(record)
        ended.append(record.sid)
    assert sorted(ledger.active()) == sorted(live)
    kept = [sid for sid in ended if ledger.known(sid) is not None]
    assert kept == ended[len(ended) - min(keep, len(ended)) :]


def test_a_call_seen_again_after_it_was_forgotten_is_a_new_record() -> None:
    ledger = CallLedger(keep_ended=1)
    first = ledger.get("CA1")
    first.phase = Phase.ENDED
    ledger.mark_ended(first)
    second = ledger.get("CA2")
    second.phase = Phase.ENDED
    ledger.mark_ended(second)  # CA1 forgotten
    again = ledger.get("CA1")  # a very late callback
    assert again is not first
    assert again.phase is Phase.NEW
    again.phase = Phase.ENDED
    ledger.mark_ended(again)  # CA2 forgotten; the new CA1 kept
    assert ledger.known("CA1") is again
    assert ledger.known("CA2") is None


def test_statuses_map_to_signals() -> None:
    assert signal_for_status("queued") is None
    assert signal_for_status("initiated") is None
    assert signal_for_status("ringing") is Signal.RINGING
    assert signal_for_status("in-progress") is Signal.LIVE
    for status in ("completed", "busy", "no-answer", "failed", "canceled"):
        assert signal_for_status(status) is Signal.END


def test_answered_by_values_map_to_answer_kinds() -> None:
    assert answer_kind("human") is AnswerKind.HUMAN
    for value in ("machine_start", "machine_end_beep", "machine_end_silence", "fax"):
        assert answer_kind(value) is AnswerKind.MACHINE
    assert answer_kind("unknown") is AnswerKind.UNKNOWN


@given(
    st.floats(0, 5),
    st.floats(0, 100),
    st.floats(0.1, 50),
    st.floats(1, 10),
)
def test_refill_never_exceeds_capacity_and_never_loses_tokens(
    tokens: float, elapsed: float, rate: float, capacity: float
) -> None:
    tokens = min(tokens, capacity)
    after = refill(tokens, elapsed, rate, capacity)
    assert tokens <= after <= capacity
    assert wait_for_token(after, rate) == 0 or after < 1


@pytest.mark.parametrize(("rate", "takes", "seconds"), [(1.0, 5, 4.0), (4.0, 9, 2.0)])
def test_the_bucket_paces_takes_on_the_injected_clock(
    rate: float, takes: int, seconds: float
) -> None:
    with VirtualClock(datetime(2025, 1, 6, 15, tzinfo=UTC)) as clock:

        async def main() -> float:
            bucket = TokenBucket(clock, rate)
            start = clock.monotonic()
            for _ in range(takes):
                await bucket.take()
            return clock.monotonic() - start

        assert clock.run(main()) == pytest.approx(seconds)


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_delay(n, 0.25, 1.5) for n in range(1, 6)] == [0.25, 0.5, 1.0, 1.5, 1.5]


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, CarrierAuthError),
        (403, CarrierAuthError),
        (400, CarrierRejectedError),
        (404, CarrierRejectedError),
        (429, CarrierUnavailableError),
        (503, CarrierUnavailableError),
    ],
)
def test_twilio_errors_translate_into_ours(status: int, error: type[Exception]) -> None:
    exc = TwilioRestException(status, "https://api/x", "boom", code=21211, method="POST")
    assert type(translate(exc, "calling +1")) is error


def test_bridge_twiml_joins_the_agents_conference_without_ending_it() -> None:
    root = ET.fromstring(twiml.bridge_to_agent("7"))
    conference = root.find("Dial/Conference")
    assert conference is not None
    assert conference.text == "agent-7"
    assert conference.get("endConferenceOnExit") == "false"


@pytest.mark.parametrize(
    ("text", "tag"), [("Hi <there> & bye", "Say"), ("https://x/a.mp3", "Play")]
)
def test_message_twiml_gathers_one_key_then_hangs_up(text: str, tag: str) -> None:
    document = twiml.message(
        text, gather_url="https://d/twilio/gather", gather_timeout_s=3, hangup_after=True
    )
    root = ET.fromstring(document)
    gather = root.find("Gather")
    assert gather is not None
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == "https://d/twilio/gather"
    played = gather.find(tag)
    assert played is not None
    assert played.text == text
    assert [child.tag for child in root] == ["Gather", "Hangup"]


def test_webhook_urls_encode_their_query() -> None:
    url = twiml.webhook_url("https://d.example/x/", twiml.AGENT_STATUS_PATH, agent="a b&c")
    assert url == "https://d.example/x/twilio/agent-status?agent=a%20b%26c"


def _settings(**values: object) -> Settings:
    base: dict[str, object] = {
        "twilio_account_sid": "AC" + "0" * 32,
        "twilio_auth_token": "t",
        "public_url": "https://d.example",
    }
    return Settings(**{**base, **values})  # type: ignore[arg-type]


def test_config_is_built_from_settings_and_hides_the_token() -> None:
    config = TwilioConfig.from_settings(_settings(carrier_cps=3.0))
    assert config.cps == 3.0
    assert "auth_token" not in repr(config)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"twilio_account_sid": "ACnope"}, "TWILIO_ACCOUNT_SID"),
        ({"twilio_auth_token": ""}, "TWILIO_AUTH_TOKEN"),
        ({"public_url": ""}, "DIALER_PUBLIC_URL"),
        ({"public_url": "dialer.example.com"}, "DIALER_PUBLIC_URL"),
    ],
)
def test_bad_config_is_a_config_error(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TwilioConfig.from_settings(_settings(**values))


def _signed(url: str, body: str) -> tuple[RequestValidator, FormFields, str]:
    validator = RequestValidator("secret-token")
    form = FormFields(body)
    return validator, form, validator.compute_signature(url, form)


def test_a_signature_for_the_public_url_or_its_port_variant_is_accepted() -> None:
    body = "CallSid=CA1&Digits=9&Digits=1&Empty="
    validator, form, signature = _signed("https://d.example:443/twilio/gather", body)
    assert is_signed(validator, ["https://d.example/twilio/gather"], form, signature)
    assert is_signed(validator, ["https://d.example:443/twilio/gather"], form, signature)
    assert not is_signed(validator, ["https://d.example/twilio/status"], form, signature)


@pytest.mark.parametrize("signature", ["", "x", "é" * 28, "AAAA" * 7])
def test_a_wrong_or_odd_signature_is_refused_without_error(signature: str) -> None:
    validator, form, _ = _signed("https://d.example/twilio/answer", "CallSid=CA1")
    assert not is_signed(validator, ["https://d.example/twilio/answer"], form, signature)


def test_form_fields_keep_repeated_keys_in_order() -> None:
    form = FormFields("a=1&b=2&a=3&c=")
    assert list(form) == ["a", "b", "c"]
    assert form.getall("a") == ["1", "3"]
    assert form.getall("zz") == []
    assert form.first() == {"a": "1", "b": "2", "c": ""}


def _built_bridge(agent_id: str) -> str:
    response = VoiceResponse()
    dial = response.dial()
    dial.conference(
        f"agent-{agent_id}",
        start_conference_on_enter=True,
        end_conference_on_exit=False,
        beep=False,
    )
    response.hangup()
    return str(response)


@given(st.text(st.characters(blacklist_categories=["Cs", "Cc", "Cn", "Co"]), max_size=12))
def test_the_bridge_template_writes_what_twilio_s_builder_writes(agent_id: str) -> None:
    document = twiml.bridge_to_agent(agent_id)
    assert document == _built_bridge(agent_id)
    assert ET.fromstring(document).findtext("Dial/Conference") == f"agent-{agent_id}"


def test_bridges_to_different_agents_differ() -> None:
    assert "agent-a9<" in twiml.bridge_to_agent("a9")
    assert twiml.bridge_to_agent("a8") != twiml.bridge_to_agent("a9")


def test_a_rest_call_reached_eagerly_times_out_in_its_own_task() -> None:
    """The engine's handling of an answer starts eagerly inside the webhook's task and goes on
    in another one once it waits. A REST call made in that eager part must time out by itself,
    not by cancelling the webhook's task, which has moved on."""
    edge = Edge(RealClock(), timeout_s=0.05, max_attempts=1, backoff_base_s=0, backoff_max_s=0)

    async def slow() -> str:
        await asyncio.sleep(1.0)
        return "late"

    async def handling() -> str:
        return await call_twilio(slow, what="updating a call", edge=edge, policy=SAFE_POLICY)

    async def webhook() -> asyncio.Future[str]:
        started = start_eagerly(handling())
        await asyncio.sleep(0.2)  # the webhook goes on meanwhile (it must not be cancelled)
        return started

    async def main() -> None:
        started = await asyncio.create_task(webhook())
        with pytest.raises(CarrierUnavailableError, match="too slow"):
            await started

    asyncio.run(main())
