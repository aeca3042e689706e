"""The simulated carrier: the embedded default telephony, callees drawn from the simulated world.

Every call follows its :class:`~.fate.Fate`, drawn per (seed, number, attempt) when it is placed,
on timers of the running asyncio loop, so the carrier runs the same in virtual time
(:class:`~dialer.clock.VirtualClock`) and in real time. Event timestamps come from the injected
clock. What a call does, from origination:

* after the post-dial delay: ``CallRinging`` (busy and unreachable numbers do not ring: they end
  ``BUSY`` or ``FAILED`` after their release time);
* a live person picks up after their ring time and ``CallAnswered(kind=HUMAN)`` arrives when the
  greeting ends (the 2-second clock starts); a machine picks up and ``CallAnswered(kind=MACHINE)``
  arrives when detection is done (``UNKNOWN`` after the greeting time if the request turns
  detection off); a pick-up that would come after the ring timeout is a ``NO_ANSWER`` at the
  timeout, like every unanswered call;
* answered and left in silence, a live callee hangs up after their patience, a machine after its
  recording limit (``COMPLETED``); bridged, the callee talks for their talk time then hangs up;
  played a message, a live callee may press the opt-out key (``KeyPressed``).
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from datetime import datetime

from dialer.carriers.base import (
    AgentLineClosed,
    AnswerKind,
    CallAnswered,
    CallEnded,
    CallRinging,
    CarrierEvent,
    EndReason,
    EventSink,
    KeyPressed,
    OriginateRequest,
)
from dialer.carriers.simulated.calls import CallState, SimCall
from dialer.carriers.simulated.delivery import EventPump
from dialer.carriers.simulated.fate import AfterCall, FateDrawer
from dialer.carriers.simulated.mix import Outcome
from dialer.carriers.simulated.world import World, load_world
from dialer.clock import Clock
from dialer.errors import AgentLineClosedError, CarrierError, CarrierRejectedError, ConfigError

__all__ = ["SimulatedCarrier"]

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_SIP_CODES = {EndReason.BUSY: 486, EndReason.FAILED: 404}


class SimulatedCarrier:
    """A :class:`~dialer.carriers.base.Carrier` whose callees live in a simulated world.

    ``world`` defaults to ``load_world()`` (high contact, no variant). ``seed`` fixes every callee's
    fate. ``shift_start`` is when the contact-rate schedule starts (default: when
    :meth:`start` is called). Originations beyond ``max_cps`` are queued, as carriers do. Call
    ids are ``<call_id_prefix><n>``; the default prefix is unique per instance.

    Refused requests raise :class:`~dialer.errors.CarrierRejectedError`: an invalid number, a
    bridge or message to a call that is not answered or has ended, a bridge to an agent who is
    not logged in or is already on a call. ``hangup`` of an ended or unknown call is a no-op.
    """

    def __init__(
        self,
        clock: Clock,
        world: World | None = None,
        *,
        seed: int = 0,
        max_cps: float = 1000.0,
        shift_start: datetime | None = None,
        call_id_prefix: str | None = None,
    ) -> None:
        if max_cps <= 0:
            raise ConfigError(f"max_cps must be positive, not {max_cps}")
        self.max_cps = max_cps
        self.world = world if world is not None else load_world()
        self._clock = clock
        self._drawer = FateDrawer(self.world, seed)
        self._shift_start = shift_start
        self._start_mono = 0.0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pump: EventPump | None = None
        self._calls: dict[str, SimCall] = {}  # calls in progress
        self._agents: dict[str, str | None] = {}  # logged-in agent -> bridged call id
        self._attempts: dict[int, int] = {}  # number -> attempts placed
        self._placed: list[tuple[int, int, Outcome]] = []  # by call index: number, attempt, truth
        self._next_slot = 0.0  # loop time the next origination may start (max_cps)
        # unique per instance, so a restarted process never reissues a crashed one's ids
        self._prefix = (
            call_id_prefix if call_id_prefix is not None else f"sim-{secrets.token_hex(4)}-"
        )

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self, sink: EventSink) -> None:
        if self._pump is not None:
            raise CarrierError("the simulated carrier is already started")
        self._loop = asyncio.get_running_loop()
        self._pump = EventPump(sink, self._loop)
        self._start_mono = self._clock.monotonic()
        if self._shift_start is not None:
            self._start_mono -= (self._clock.now() - self._shift_start).total_seconds()

    async def stop(self) -> None:
        for call in self._calls.values():
            call.cancel_timer()
            call.state = CallState.ENDED
        self._calls.clear()
        for agent_id in self._agents:
            self._agents[agent_id] = None
        pump, self._pump = self._pump, None
        if pump is not None:
            await pump.close()

    # -- calls ----------------------------------------------------------------------------------

    async def originate(self, request: OriginateRequest) -> str:
        loop = self._running()
        if _E164.fullmatch(request.to) is None:
            raise CarrierRejectedError(f"cannot call {request.to!r}: not an E.164 number")
        number = int(request.to[1:])
        attempt = self._attempts.get(number, 0) + 1
        self._attempts[number] = attempt
        elapsed = self._clock.monotonic() - self._start_mono
        fate = self._drawer.draw(number, attempt, elapsed)
        index = len(self._placed)
        self._placed.append((number, attempt, fate.outcome))
        call = SimCall(f"{self._prefix}{index}", index, fate, request)
        self._calls[call.id] = call
        now = loop.time()
        queued = max(0.0, self._next_slot - now)
        self._next_slot = now + queued + 1 / self.max_cps
        if fate.outcome is Outcome.UNREACHABLE:
            self._after(call, queued + fate.post_dial_s + fate.release_s, self._unreachable)
        else:
            self._after(call, queued + fate.post_dial_s, self._ring)
        return call.id

    async def bridge(self, call_id: str, agent_id: str) -> None:
        call = self._live_call(call_id, "bridge")
        if call.state is CallState.BRIDGED or (
            call.state is CallState.MESSAGE and call.message_final
        ):
            raise CarrierRejectedError(
                f"cannot bridge call {call_id}: it is already bridged or ending"
            )
        if not call.answered:
            raise CarrierRejectedError(f"cannot bridge call {call_id}: it has not been answered")
        if agent_id not in self._agents:
            raise AgentLineClosedError(
                f"cannot bridge call {call_id}: agent {agent_id}'s line is not open"
            )
        if self._agents[agent_id] is not None:
            busy_with = self._agents[agent_id]
            raise CarrierRejectedError(
                f"cannot bridge call {call_id}: agent {agent_id} is on {busy_with}"
            )
        call.state = CallState.BRIDGED
        call.agent_id = agent_id
        self._agents[agent_id] = call_id
        self._after(call, call.fate.talk_s, self._callee_hangs_up)

    async def play_message(self, call_id: str, message: str, *, hangup_after: bool) -> None:
        call = self._live_call(call_id, "play a message to")
        if call.state not in (CallState.ANSWERED, CallState.MESSAGE):
            raise CarrierRejectedError(
                f"cannot play a message to call {call_id} while {call.state.name}"
            )
        params = self.world.message
        duration = params.duration_s(message)
        call.state = CallState.MESSAGE
        call.message_final = hangup_after
        p = params.opt_out_probability
        if not call.opted_out and call.fate.opt_out_u < p:
            key_at = duration * call.fate.opt_out_u / p
            call.message_left_s = duration - key_at
            self._after(call, key_at, self._key_press)
        else:
            self._after(call, duration, self._message_done)

    async def hangup(self, call_id: str) -> None:
        call = self._calls.get(call_id)
        if call is None:  # ended, or not ours (e.g. a crashed process's): nothing to do
            return
        reason = EndReason.COMPLETED if call.answered else EndReason.CANCELED
        event = self._ended(call, reason, "hung up by the dialer")
        self._running().call_soon(self._emit, event)

    async def active_calls(self) -> list[str]:
        return list(self._calls)

    # -- agents ---------------------------------------------------------------------------------

    async def agent_login(self, agent_id: str, endpoint: str | None) -> None:
        self._agents.setdefault(agent_id, None)

    async def agent_logout(self, agent_id: str) -> None:
        """Close the agent's line; a call bridged to it ends (the agent leg is gone)."""
        self._close_line(agent_id, "agent logged out")

    def drop_agent_line(self, agent_id: str, detail: str = "the agent's line dropped") -> None:
        """The agent's line ends on its own (they hung up, their phone dropped): a call bridged
        to it ends, and the sink hears ``AgentLineClosed``. For tests and simulations."""
        if agent_id not in self._agents:
            return
        self._close_line(agent_id, detail)
        event = AgentLineClosed(agent_id, self._clock.now(), detail)
        self._running().call_soon(self._emit, event)

    def _close_line(self, agent_id: str, detail: str) -> None:
        call_id = self._agents.pop(agent_id, None)
        call = self._calls.get(call_id) if call_id is not None else None
        if call is not None:
            event = self._ended(call, EndReason.COMPLETED, detail)
            self._running().call_soon(self._emit, event)

    # -- ground truth for simulations (never needed by the engine) -------------------------------

    def truth(self, call_id: str) -> Outcome:
        """Who or what was really at the other end of ``call_id`` (for benchmark metrics)."""
        return self._placed[self._check_known(call_id)][2]

    def after_call(self, call_id: str) -> AfterCall:
        """Wrap-up time and disposition a simulated agent gives the callee of ``call_id``, fixed
        per (seed, number, attempt) like the callee's fate."""
        number, attempt, _ = self._placed[self._check_known(call_id)]
        return self._drawer.after_call(number, attempt)

    # -- timer callbacks ------------------------------------------------------------------------

    def _ring(self, call: SimCall) -> None:
        fate = call.fate
        answers = fate.outcome is Outcome.LIVE or fate.outcome is Outcome.MACHINE
        if answers and fate.ring_s < call.ring_timeout_s:
            self._after(call, fate.ring_s + self._answer_delay(call), self._answer)
        else:
            self._after(call, call.ring_timeout_s, self._no_answer)
        self._emit(CallRinging(call.id, self._clock.now()))

    def _answer_delay(self, call: SimCall) -> float:
        """Pick-up to the answer report; sets the kind answer detection will report."""
        fate = call.fate
        if call.detect_machine:
            call.kind = fate.amd_kind
            return fate.greeting_s if fate.amd_kind is AnswerKind.HUMAN else fate.detection_s
        return fate.greeting_s

    def _answer(self, call: SimCall) -> None:
        call.state = CallState.ANSWERED
        self._after(call, call.fate.patience_s, self._callee_hangs_up)
        self._emit(CallAnswered(call.id, self._clock.now(), call.kind))

    def _no_answer(self, call: SimCall) -> None:
        self._emit(self._ended(call, EndReason.NO_ANSWER, "no answer"))

    def _unreachable(self, call: SimCall) -> None:
        reason = call.fate.unreachable_reason
        detail = "busy" if reason is EndReason.BUSY else "SIT tone or invalid number"
        self._emit(self._ended(call, reason, detail, _SIP_CODES[reason]))

    def _callee_hangs_up(self, call: SimCall) -> None:
        detail = "callee hung up" if call.state is CallState.BRIDGED else "silence"
        self._emit(self._ended(call, EndReason.COMPLETED, detail))

    def _key_press(self, call: SimCall) -> None:
        call.opted_out = True
        self._after(call, call.message_left_s, self._message_done)
        self._emit(KeyPressed(call.id, self._clock.now(), self.world.message.opt_out_digits))

    def _message_done(self, call: SimCall) -> None:
        if call.message_final:
            self._emit(self._ended(call, EndReason.COMPLETED, "message played"))
        else:
            call.state = CallState.ANSWERED
            self._after(call, call.fate.patience_s, self._callee_hangs_up)

    # -- helpers --------------------------------------------------------------------------------

    def _after(self, call: SimCall, delay: float, action: Callable[[SimCall], None]) -> None:
        """Make ``action`` the call's one pending timer, replacing any other."""
        call.cancel_timer()
        call.timer = self._running().call_later(delay, _fire, call, action)

    def _ended(
        self, call: SimCall, reason: EndReason, detail: str, sip_code: int | None = None
    ) -> CallEnded:
        """Close ``call`` now and return its ``CallEnded`` (for the caller to emit)."""
        call.cancel_timer()
        call.state = CallState.ENDED
        del self._calls[call.id]
        if call.agent_id is not None and self._agents.get(call.agent_id) == call.id:
            self._agents[call.agent_id] = None
        extra = {"reference": call.reference} if call.reference else {}
        return CallEnded(call.id, self._clock.now(), reason, sip_code, detail, extra)

    def _emit(self, event: CarrierEvent) -> None:
        if self._pump is not None:
            self._pump.emit(event)

    def _running(self) -> asyncio.AbstractEventLoop:
        if self._loop is None or self._pump is None:
            raise CarrierError("the simulated carrier is not started")
        return self._loop

    def _live_call(self, call_id: str, action: str) -> SimCall:
        call = self._calls.get(call_id)
        if call is None:
            self._check_known(call_id)
            raise CarrierRejectedError(f"cannot {action} call {call_id}: it has ended")
        return call

    def _check_known(self, call_id: str) -> int:
        """The index of a call id this carrier issued; CarrierRejectedError for any other id."""
        digits = call_id.removeprefix(self._prefix)
        if (
            call_id.startswith(self._prefix)
            and digits.isdigit()
            and int(digits) < len(self._placed)
        ):
            return int(digits)
        raise CarrierRejectedError(f"unknown call id {call_id!r}")


def _fire(call: SimCall, action: Callable[[SimCall], None]) -> None:
    call.timer = None  # it has fired: nothing to cancel
    action(call)
