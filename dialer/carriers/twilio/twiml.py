"""TwiML documents the carrier answers with, and the webhook paths they point at (pure).

Built with the official ``twilio.twiml`` builder, so text is escaped correctly; the one
document built on every answer (the bridge to an agent) comes from a template the builder's
output was taken from, with the agent's part escaped as the builder escapes text (a test holds
the two identical).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape

from twilio.twiml.voice_response import VoiceResponse

__all__ = [
    "AGENT_STATUS_PATH",
    "AMD_PATH",
    "ANSWER_PATH",
    "GATHER_PATH",
    "STATUS_PATH",
    "agent_conference",
    "agent_line",
    "bridge_to_agent",
    "hangup",
    "hold",
    "message",
    "webhook_url",
]

ANSWER_PATH = "/twilio/answer"
STATUS_PATH = "/twilio/status"
AMD_PATH = "/twilio/amd"
GATHER_PATH = "/twilio/gather"
AGENT_STATUS_PATH = "/twilio/agent-status"


def webhook_url(base_url: str, path: str, **query: str) -> str:
    """The public URL of one of our webhooks (query values are URL-encoded)."""
    suffix = f"?{urlencode(query, quote_via=quote)}" if query else ""
    return f"{base_url.rstrip('/')}{path}{suffix}"


def agent_conference(agent_id: str) -> str:
    """The name of the conference an agent sits in while logged in."""
    return f"agent-{agent_id}"


def agent_line(agent_id: str) -> str:
    """TwiML for the agent's own leg: open the agent's conference; closing it ends the room."""
    response = VoiceResponse()
    dial = response.dial()
    dial.conference(
        agent_conference(agent_id),
        start_conference_on_enter=True,
        end_conference_on_exit=True,
        beep=False,
    )
    return str(response)


def _bridge_template() -> tuple[str, str]:
    """What the builder writes around the conference name of :func:`bridge_to_agent`."""
    marker = "conference-name"
    response = VoiceResponse()
    dial = response.dial()
    dial.conference(
        marker, start_conference_on_enter=True, end_conference_on_exit=False, beep=False
    )
    response.hangup()
    head, _, tail = str(response).partition(f">{marker}<")
    return head + ">", "<" + tail


_BRIDGE_HEAD, _BRIDGE_TAIL = _bridge_template()


def bridge_to_agent(agent_id: str) -> str:
    """TwiML for a callee: join the agent's conference; leaving it does not end the room.
    (From a template: it is written on the answer webhook's 2-second path.)"""
    return _BRIDGE_HEAD + escape(agent_conference(agent_id)) + _BRIDGE_TAIL


def _is_audio_url(text: str) -> bool:
    return text.startswith(("https://", "http://")) and " " not in text


@lru_cache(maxsize=256)
def message(text: str, *, gather_url: str, gather_timeout_s: int, hangup_after: bool) -> str:
    """TwiML that plays ``text`` (``<Play>`` for an audio URL, else ``<Say>``) inside a
    ``<Gather>`` so one key press posts to ``gather_url`` (opt-out); then hang up or hold."""
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, action=gather_url, method="POST", timeout=gather_timeout_s
    )
    if _is_audio_url(text):
        gather.play(text)
    else:
        gather.say(text)
    if not hangup_after:
        response.pause(length=60)
    response.hangup()
    return str(response)


@lru_cache(maxsize=16)
def hold(seconds: int) -> str:
    """TwiML that keeps an answered call in silence while the engine decides."""
    response = VoiceResponse()
    response.pause(length=seconds)
    response.hangup()
    return str(response)


@lru_cache(maxsize=1)
def hangup() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)
