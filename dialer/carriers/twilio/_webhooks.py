"""What each Twilio webhook means for a call: events for the engine, TwiML for Twilio.

Signatures are checked before these handlers run (``dialer.web``). Every handler is idempotent:
retried, duplicated and out-of-order webhooks change nothing twice (see ``_ledger.advance``), and
a retried TwiML webhook (same ``I-Twilio-Idempotency-Token``) gets the same answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Coroutine, Mapping
from typing import Any

from dialer.carriers.base import (
    AgentLineClosed,
    AnswerKind,
    CallAnswered,
    CallEnded,
    CallRinging,
    KeyPressed,
)
from dialer.carriers.twilio import twiml
from dialer.carriers.twilio._config import TwilioConfig
from dialer.carriers.twilio._delivery import EventDelivery, start_eagerly, wait_briefly
from dialer.carriers.twilio._ledger import (
    CallLedger,
    CallRecord,
    Signal,
    end_reason,
    signal_for_status,
)
from dialer.clock import Clock

__all__ = ["AgentLines", "TwilioWebhooks", "answer_kind"]

log = logging.getLogger(__name__)
Params = Mapping[str, str]

_MACHINE = ("machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax")


def answer_kind(answered_by: str) -> AnswerKind:
    """Our answer kind for Twilio's ``AnsweredBy``."""
    if answered_by == "human":
        return AnswerKind.HUMAN
    if answered_by in _MACHINE:
        return AnswerKind.MACHINE
    return AnswerKind.UNKNOWN


class AgentLines:
    """The call SID of each logged-in agent's own leg."""

    def __init__(self) -> None:
        self.legs: dict[str, str] = {}

    def closed(self, agent_id: str, sid: str) -> bool:
        """Forget the agent's leg if it is ``sid``; True if it was."""
        if self.legs.get(agent_id) != sid:
            return False
        del self.legs[agent_id]
        return True


class TwilioWebhooks:
    """Handlers of the answer, status, AMD, gather and agent-status webhooks."""

    def __init__(
        self,
        config: TwilioConfig,
        clock: Clock,
        ledger: CallLedger,
        delivery: EventDelivery,
        agents: AgentLines,
    ) -> None:
        self._config = config
        self._clock = clock
        self._ledger = ledger
        self._delivery = delivery
        self._agents = agents
        self._replies: OrderedDict[str, str] = OrderedDict()
        self._background: set[asyncio.Future[bool]] = set()

    @property
    def auth_token(self) -> str:
        """The secret webhook signatures are computed with."""
        return self._config.auth_token

    @property
    def public_url(self) -> str:
        """Where Twilio reaches us (the base of every webhook URL and signature)."""
        return self._config.base_url

    def gather_url(self) -> str:
        return twiml.webhook_url(self._config.base_url, twiml.GATHER_PATH)

    async def answer(self, params: Params, query: Params, token: str = "") -> str:
        """The call was answered: TwiML at once (bridge, message, or hold while deciding)."""
        if cached := self._cached(token):
            return cached
        record = self._ledger.get(params.get("CallSid", ""))
        if record.amd is None:
            record.amd = query.get("amd") == "1"
        if record.ended:
            reply = twiml.hangup()
        elif record.served is not None or record.replying:
            reply = record.served or twiml.hold(self._config.hold_s)
        elif record.amd:  # wait for the machine-detection result before telling the engine
            await self._delivery.signal(record, Signal.LIVE, _never)
            reply = record.served or twiml.hold(self._config.hold_s)
        else:
            reply = await self._decide(record, self._answered(record, AnswerKind.UNKNOWN))
        record.served = reply
        return self._remember(token, reply)

    async def amd(self, params: Params) -> None:
        """Machine detection finished: now the engine hears that the call was answered."""
        record = self._ledger.get(params.get("CallSid", ""))
        kind = answer_kind(params.get("AnsweredBy", "unknown"))
        await self._delivery.signal(
            record, Signal.ANSWER, lambda: self._answered_event(record, kind)
        )

    async def status(self, params: Params) -> None:
        """A call progress event: ringing, in-progress, or a final status."""
        record = self._ledger.get(params.get("CallSid", ""))
        status = params.get("CallStatus", "")
        signal = signal_for_status(status)
        if signal is None:
            return
        was_ended = record.ended
        await self._delivery.signal(record, signal, lambda: self._status_event(record, params))
        if record.ended and not was_ended:
            self._ledger.mark_ended(record)

    async def gather(self, params: Params, token: str = "") -> str:
        """A key was pressed during a message (opt-out): tell the engine, then hang up."""
        if cached := self._cached(token):
            return cached
        record = self._ledger.get(params.get("CallSid", ""))
        digits = params.get("Digits", "")
        if not digits or record.ended:
            return self._remember(token, twiml.hangup())
        event = KeyPressed(call_id=record.sid, at=self._clock.now(), digits=digits)
        delivery = self._delivery.key_pressed(record, lambda: event)
        reply = await self._decide(record, delivery, default=twiml.hangup())
        return self._remember(token, reply)

    async def agent_status(self, params: Params, query: Params) -> None:
        """Progress of an agent's own leg. A leg that ends while it is the agent's line (not
        closed by ``agent_logout``, which forgets it first) is forgotten, logged, and the engine
        hears ``AgentLineClosed``."""
        agent_id, sid = query.get("agent", ""), params.get("CallSid", "")
        status = params.get("CallStatus", "")
        if signal_for_status(status) is Signal.END and self._agents.closed(agent_id, sid):
            log.warning("agent %s's line closed (%s)", agent_id, status)
            detail = f"the agent's line ended: {status}"
            await self._delivery.send(AgentLineClosed(agent_id, self._clock.now(), detail))

    def _answered_event(self, record: CallRecord, kind: AnswerKind) -> CallAnswered:
        return CallAnswered(call_id=record.sid, at=self._clock.now(), kind=kind)

    def _answered(self, record: CallRecord, kind: AnswerKind) -> Coroutine[Any, Any, bool]:
        return self._delivery.signal(
            record, Signal.ANSWER, lambda: self._answered_event(record, kind)
        )

    async def _decide(
        self, record: CallRecord, delivery: Coroutine[Any, Any, bool], default: str | None = None
    ) -> str:
        """Let the engine act on ``delivery``'s event; what it chose becomes this webhook's
        reply. The delivery starts at once (see ``start_eagerly``): an engine that decides
        without waiting is done before this returns, with no task and no extra loop turn."""
        record.replying, record.reply = True, None
        try:
            task = start_eagerly(delivery)
            if not task.done():
                self._background.add(task)
                task.add_done_callback(self._background.discard)
                await wait_briefly(task, self._config.answer_deadline_s)
        finally:
            record.replying = False
        return record.reply or default or twiml.hold(self._config.hold_s)

    def _status_event(self, record: CallRecord, params: Params) -> CallRinging | CallEnded:
        now = self._clock.now()
        status = params.get("CallStatus", "")
        if status == "ringing":
            return CallRinging(call_id=record.sid, at=now)
        sip = params.get("SipResponseCode", "")
        extra = {k: params[k] for k in ("CallDuration", "AnsweredBy", "Timestamp") if k in params}
        return CallEnded(
            call_id=record.sid,
            at=now,
            reason=end_reason(status),
            sip_code=int(sip) if sip.isdigit() else None,
            detail=params.get("ErrorMessage", ""),
            extra=extra,
        )

    def _cached(self, token: str) -> str | None:
        return self._replies.get(token) if token else None

    def _remember(self, token: str, reply: str) -> str:
        if token:
            self._replies[token] = reply
            if len(self._replies) > 10_000:
                self._replies.popitem(last=False)
        return reply


def _never() -> CallAnswered:
    raise AssertionError("Signal.LIVE never emits an event")
