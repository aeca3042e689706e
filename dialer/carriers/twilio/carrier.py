"""``TwilioCarrier``: the :class:`~dialer.carriers.base.Carrier` contract over Twilio.

Calls are placed with ``calls.create_async``; Twilio then drives them through our webhooks
(:class:`TwilioWebhooks`, served by ``dialer.web``). An action the engine takes while a TwiML
webhook waits on it (``bridge`` or ``play_message`` during ``CallAnswered``) becomes that
webhook's reply; any later action redirects the live call with ``calls(sid).update_async``.
Agents sit in their own conference (``agent-<id>``) while logged in, so a bridge is one join.
"""

from __future__ import annotations

import logging

from dialer.carriers.base import EventSink, OriginateRequest
from dialer.carriers.twilio import twiml
from dialer.carriers.twilio._bucket import TokenBucket
from dialer.carriers.twilio._config import MIN_RING_TIMEOUT_S, TwilioConfig
from dialer.carriers.twilio._delivery import EventDelivery
from dialer.carriers.twilio._ledger import CallLedger, Phase
from dialer.carriers.twilio._rest import TwilioRest
from dialer.carriers.twilio._webhooks import AgentLines, TwilioWebhooks
from dialer.clock import Clock
from dialer.errors import AgentLineClosedError, CarrierRejectedError, ConfigError

__all__ = ["STATUS_EVENTS", "TwilioCarrier"]

log = logging.getLogger(__name__)

#: Call progress events Twilio posts to our status callback.
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]


class TwilioCarrier:
    """Places and controls calls through Twilio; see the module docstring."""

    def __init__(self, config: TwilioConfig, clock: Clock) -> None:
        self.config = config
        self.max_cps = config.cps
        self._clock = clock
        self._rest = TwilioRest(config, clock)
        self._bucket = TokenBucket(clock, config.cps, config.burst)
        self._ledger = CallLedger()
        self._delivery = EventDelivery()
        self._agents = AgentLines()
        self.webhooks = TwilioWebhooks(config, clock, self._ledger, self._delivery, self._agents)

    @property
    def rest(self) -> TwilioRest:
        return self._rest

    def _url(self, path: str, **query: str) -> str:
        return twiml.webhook_url(self.config.base_url, path, **query)

    async def start(self, sink: EventSink) -> None:
        await self._rest.open()
        self._delivery.sink = sink

    async def stop(self) -> None:
        self._delivery.sink = None
        await self._rest.close()

    async def originate(self, request: OriginateRequest) -> str:
        await self._bucket.take()
        amd: dict[str, object] = {}
        if request.detect_machine:
            amd = {
                "machine_detection": self.config.amd_mode,
                "machine_detection_timeout": self.config.amd_timeout_s,
                "async_amd": "true",
                "async_amd_status_callback": self._url(twiml.AMD_PATH),
                "async_amd_status_callback_method": "POST",
            }
        sid = await self._rest.create_call(
            f"calling {request.to}",
            to=request.to,
            from_=request.caller_id,
            url=self._url(twiml.ANSWER_PATH, amd="1" if request.detect_machine else "0"),
            method="POST",
            status_callback=self._url(twiml.STATUS_PATH),
            status_callback_event=STATUS_EVENTS,
            status_callback_method="POST",
            timeout=max(MIN_RING_TIMEOUT_S, request.ring_timeout_s),
            **amd,
        )
        record = self._ledger.get(sid)
        if record.amd is None:
            record.amd = request.detect_machine
        return sid

    async def bridge(self, call_id: str, agent_id: str) -> None:
        """Join the call to the agent's conference. Refused if the agent's line is not open
        (never logged in, logged out, or the agent hung up): the callee would sit alone."""
        if agent_id not in self._agents.legs:
            raise AgentLineClosedError(
                f"bridging {call_id}: agent {agent_id}'s line is not open (not logged in, or it"
                " dropped)"
            )
        await self._redirect(call_id, twiml.bridge_to_agent(agent_id), f"bridging {call_id}")

    async def play_message(self, call_id: str, message: str, *, hangup_after: bool) -> None:
        doc = twiml.message(
            message,
            gather_url=self.webhooks.gather_url(),
            gather_timeout_s=self.config.gather_timeout_s,
            hangup_after=hangup_after,
        )
        await self._redirect(call_id, doc, f"playing a message to {call_id}")

    async def _redirect(self, call_id: str, doc: str, what: str) -> None:
        """Give the call new TwiML: as the pending webhook's reply, or by updating the call."""
        record = self._ledger.get(call_id)
        if record.ended:
            raise CarrierRejectedError(f"{what}: the call has ended")
        if record.replying:
            record.reply = doc
            return
        await self._rest.update_call(call_id, what, twiml=doc)
        record.served = doc  # only now: an answer webhook replying meanwhile must not repeat it

    async def hangup(self, call_id: str) -> None:
        record = self._ledger.known(call_id)
        if record is not None and record.ended:
            return
        if record is not None and record.replying:
            record.reply = twiml.hangup()
            return
        unanswered = record is not None and record.phase in (Phase.NEW, Phase.RINGING)
        try:
            status = await self._rest.update_call(
                call_id, f"hanging up {call_id}", status="canceled" if unanswered else "completed"
            )
            if status == "in-progress":  # it was answered meanwhile: canceling does not end it
                await self._rest.update_call(call_id, f"hanging up {call_id}", status="completed")
        except CarrierRejectedError as exc:  # ended already at Twilio: a no-op by contract
            log.info("%s", exc)

    async def agent_login(self, agent_id: str, endpoint: str | None) -> None:
        if agent_id in self._agents.legs:
            return
        if not self.config.agent_caller_id:
            raise ConfigError("set DIALER_TWILIO_AGENT_CALLER_ID to dial agents' lines")
        sid = await self._rest.create_call(
            f"opening agent {agent_id}'s line",
            to=endpoint or f"client:{agent_id}",
            from_=self.config.agent_caller_id,
            twiml=twiml.agent_line(agent_id),
            status_callback=self._url(twiml.AGENT_STATUS_PATH, agent=agent_id),
            status_callback_event=STATUS_EVENTS,
            status_callback_method="POST",
            timeout=30,
        )
        self._agents.legs[agent_id] = sid

    async def agent_logout(self, agent_id: str) -> None:
        sid = self._agents.legs.pop(agent_id, None)
        if sid is None:
            return
        try:
            await self._rest.update_call(
                sid, f"closing agent {agent_id}'s line", status="completed"
            )
        except CarrierRejectedError as exc:
            log.info("%s", exc)

    async def active_calls(self) -> list[str]:
        """Calls Twilio still has up for this account, less our agents' own legs."""
        legs = set(self._agents.legs.values())
        return [sid for sid in await self._rest.live_calls() if sid not in legs]
