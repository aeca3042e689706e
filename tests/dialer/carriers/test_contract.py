"""The carrier contract (dialer/carriers/base.py), run against every carrier in ``HARNESSES``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dialer.carriers import (
    AnswerKind,
    CallAnswered,
    CallEnded,
    CallRinging,
    CarrierEvent,
    EndReason,
    KeyPressed,
    OriginateRequest,
)
from dialer.errors import AgentLineClosedError, CarrierError
from tests.dialer.carriers.harness import (
    CALLER_ID,
    HARNESSES,
    Behaviour,
    CarrierHarness,
    Recorder,
)

SAFE_HARBOR = "Sorry we missed you. This is Example Co at 415 555 2671. Press 9 to opt out."


@pytest.fixture(params=sorted(HARNESSES))
def harness(request: pytest.FixtureRequest) -> Iterator[CarrierHarness]:
    with HARNESSES[request.param]() as h:
        yield h


def _request(to: str, **kwargs: object) -> OriginateRequest:
    return OriginateRequest(to=to, caller_id=CALLER_ID, **kwargs)  # type: ignore[arg-type]


def _kinds(events: list[CarrierEvent]) -> list[type]:
    return [type(e) for e in events]


def _assert_well_formed(events: list[CarrierEvent]) -> None:
    """Optional ringing, optional answer, key presses only after it, exactly one end, last."""
    kinds = _kinds(events)
    assert kinds.count(CallEnded) == 1
    assert kinds[-1] is CallEnded
    assert kinds.count(CallRinging) <= 1
    assert kinds.count(CallAnswered) <= 1
    order = [k for k in kinds if k is not KeyPressed]
    assert order in (
        [CallEnded],
        [CallRinging, CallEnded],
        [CallAnswered, CallEnded],
        [CallRinging, CallAnswered, CallEnded],
    )
    if KeyPressed in kinds:
        assert kinds.index(CallAnswered) < kinds.index(KeyPressed)
    stamps = [e.at for e in events]
    assert stamps == sorted(stamps)
    assert all(e.at.tzinfo is not None for e in events)


async def _place(h: CarrierHarness, behaviour: Behaviour, **kw: object) -> str:
    return await h.carrier.originate(_request(h.number(behaviour), **kw))


@pytest.mark.parametrize(
    ("behaviour", "kind"),
    [(Behaviour.HUMAN, AnswerKind.HUMAN), (Behaviour.MACHINE, AnswerKind.MACHINE)],
)
def test_answered_call_reports_kind_then_ends(
    harness: CarrierHarness, behaviour: Behaviour, kind: AnswerKind
) -> None:
    rec = Recorder()

    async def main() -> str:
        await harness.carrier.start(rec)
        call_id = await _place(harness, behaviour)
        await rec.settle(harness, [call_id])
        await harness.carrier.stop()
        return call_id

    call_id = harness.run(main())
    events = rec.of(call_id)
    _assert_well_formed(events)
    answers = [e for e in events if isinstance(e, CallAnswered)]
    assert [a.kind for a in answers] == [kind]
    assert rec.ended(call_id).reason is EndReason.COMPLETED


@pytest.mark.parametrize(
    ("behaviour", "reason"),
    [
        (Behaviour.NO_ANSWER, EndReason.NO_ANSWER),
        (Behaviour.BUSY, EndReason.BUSY),
        (Behaviour.FAILED, EndReason.FAILED),
    ],
)
def test_unanswered_calls_end_with_their_reason(
    harness: CarrierHarness, behaviour: Behaviour, reason: EndReason
) -> None:
    rec = Recorder()

    async def main() -> str:
        await harness.carrier.start(rec)
        call_id = await _place(harness, behaviour)
        await rec.settle(harness, [call_id])
        return call_id

    call_id = harness.run(main())
    _assert_well_formed(rec.of(call_id))
    assert CallAnswered not in _kinds(rec.of(call_id))
    assert rec.ended(call_id).reason is reason


def test_ids_are_distinct_and_active_until_the_end(harness: CarrierHarness) -> None:
    rec = Recorder()

    async def main() -> tuple[list[str], list[str], list[str]]:
        await harness.carrier.start(rec)
        ids = [await _place(harness, b) for b in Behaviour]
        active = await harness.carrier.active_calls()
        await rec.settle(harness, ids)
        await harness.wait(1)
        return ids, active, await harness.carrier.active_calls()

    ids, active_before, active_after = harness.run(main())
    assert len(set(ids)) == len(ids)
    assert all(isinstance(i, str) and i for i in ids)
    assert set(ids) <= set(active_before)
    assert not set(ids) & set(active_after)
    for call_id in ids:
        _assert_well_formed(rec.of(call_id))


def test_bridge_inside_the_answer_sink_connects_until_the_callee_hangs_up(
    harness: CarrierHarness,
) -> None:
    rec = Recorder()

    async def react(event: CarrierEvent) -> None:
        if isinstance(event, CallAnswered):
            await harness.carrier.bridge(event.call_id, "agent-1")

    rec.react = react

    async def main() -> str:
        await harness.carrier.start(rec)
        await harness.carrier.agent_login("agent-1", None)
        call_id = await _place(harness, Behaviour.HUMAN)
        await rec.settle(harness, [call_id])
        return call_id

    call_id = harness.run(main())
    _assert_well_formed(rec.of(call_id))
    assert rec.ended(call_id).reason is EndReason.COMPLETED


def test_bridge_needs_an_answered_call(harness: CarrierHarness) -> None:
    rec = Recorder()

    async def main() -> None:
        await harness.carrier.start(rec)
        await harness.carrier.agent_login("agent-1", None)
        call_id = await _place(harness, Behaviour.HUMAN)
        with pytest.raises(CarrierError):
            await harness.carrier.bridge(call_id, "agent-1")
        await harness.carrier.hangup(call_id)
        await rec.settle(harness, [call_id])

    harness.run(main())


@pytest.mark.parametrize("logs_out", [False, True])
def test_bridge_needs_a_logged_in_agent(harness: CarrierHarness, logs_out: bool) -> None:
    rec = Recorder()
    errors: list[Exception] = []

    async def react(event: CarrierEvent) -> None:
        if isinstance(event, CallAnswered):
            try:
                await harness.carrier.bridge(event.call_id, "agent-1")
            except CarrierError as exc:
                errors.append(exc)
            await harness.carrier.hangup(event.call_id)

    rec.react = react

    async def main() -> None:
        await harness.carrier.start(rec)
        if logs_out:
            await harness.carrier.agent_login("agent-1", None)
            await harness.carrier.agent_logout("agent-1")
        call_id = await _place(harness, Behaviour.HUMAN)
        await rec.settle(harness, [call_id])

    harness.run(main())
    assert len(errors) == 1
    assert isinstance(errors[0], AgentLineClosedError)  # the engine pauses such an agent


def test_bridge_or_message_after_the_end_is_refused(harness: CarrierHarness) -> None:
    rec = Recorder()

    async def main() -> None:
        await harness.carrier.start(rec)
        await harness.carrier.agent_login("agent-1", None)
        call_id = await _place(harness, Behaviour.BUSY)
        await rec.settle(harness, [call_id])
        with pytest.raises(CarrierError):
            await harness.carrier.bridge(call_id, "agent-1")
        with pytest.raises(CarrierError):
            await harness.carrier.play_message(call_id, SAFE_HARBOR, hangup_after=True)

    harness.run(main())


def test_hangup_before_answer_cancels_and_is_idempotent(harness: CarrierHarness) -> None:
    rec = Recorder()

    async def main() -> str:
        await harness.carrier.start(rec)
        call_id = await _place(harness, Behaviour.NO_ANSWER)
        await harness.carrier.hangup(call_id)
        await harness.carrier.hangup(call_id)
        await rec.settle(harness, [call_id])
        await harness.carrier.hangup(call_id)
        return call_id

    call_id = harness.run(main())
    _assert_well_formed(rec.of(call_id))
    assert rec.ended(call_id).reason is EndReason.CANCELED


def test_hangup_after_answer_completes(harness: CarrierHarness) -> None:
    rec = Recorder()

    async def react(event: CarrierEvent) -> None:
        if isinstance(event, CallAnswered):
            await harness.carrier.hangup(event.call_id)
            await harness.carrier.hangup(event.call_id)

    rec.react = react

    async def main() -> str:
        await harness.carrier.start(rec)
        call_id = await _place(harness, Behaviour.HUMAN)
        await rec.settle(harness, [call_id])
        return call_id

    call_id = harness.run(main())
    _assert_well_formed(rec.of(call_id))
    assert rec.ended(call_id).reason is EndReason.COMPLETED


@pytest.mark.parametrize("behaviour", [Behaviour.HUMAN, Behaviour.HUMAN_OPTS_OUT])
def test_message_then_hangup_and_opt_out_key(harness: CarrierHarness, behaviour: Behaviour) -> None:
    rec = Recorder()

    async def react(event: CarrierEvent) -> None:
        if isinstance(event, CallAnswered):
            await harness.carrier.play_message(event.call_id, SAFE_HARBOR, hangup_after=True)

    rec.react = react

    async def main() -> str:
        await harness.carrier.start(rec)
        call_id = await _place(harness, behaviour)
        await rec.settle(harness, [call_id])
        return call_id

    call_id = harness.run(main())
    events = rec.of(call_id)
    _assert_well_formed(events)
    keys = [e for e in events if isinstance(e, KeyPressed)]
    assert len(keys) == (1 if behaviour is Behaviour.HUMAN_OPTS_OUT else 0)
    assert all(k.digits for k in keys)
    assert rec.ended(call_id).reason is EndReason.COMPLETED


def test_message_needs_an_answered_call(harness: CarrierHarness) -> None:
    rec = Recorder()

    async def main() -> None:
        await harness.carrier.start(rec)
        call_id = await _place(harness, Behaviour.HUMAN)
        with pytest.raises(CarrierError):
            await harness.carrier.play_message(call_id, SAFE_HARBOR, hangup_after=True)
        await harness.carrier.hangup(call_id)
        await rec.settle(harness, [call_id])

    harness.run(main())


def test_invalid_number_is_refused_or_fails(harness: CarrierHarness) -> None:
    rec = Recorder()

    async def main() -> str | None:
        await harness.carrier.start(rec)
        try:
            call_id = await harness.carrier.originate(_request("not-a-number"))
        except CarrierError:
            return None
        await rec.settle(harness, [call_id])
        return call_id

    call_id = harness.run(main())
    if call_id is not None:
        assert rec.ended(call_id).reason is EndReason.FAILED


def test_stop_delivers_nothing_more(harness: CarrierHarness) -> None:
    rec = Recorder()

    async def main() -> None:
        await harness.carrier.start(rec)
        await _place(harness, Behaviour.HUMAN)
        await harness.carrier.stop()
        await harness.wait(60)

    harness.run(main())
    assert not [e for e in rec.events if isinstance(e, CallAnswered)]


def test_a_plain_function_sink_gets_every_event(harness: CarrierHarness) -> None:
    events: list[CarrierEvent] = []

    async def main() -> str:
        await harness.carrier.start(events.append)
        call_id = await _place(harness, Behaviour.MACHINE)
        for _ in range(600):
            if any(isinstance(e, CallEnded) for e in events):
                break
            await harness.wait(0.5)
        return call_id

    call_id = harness.run(main())
    _assert_well_formed([e for e in events if e.call_id == call_id])
