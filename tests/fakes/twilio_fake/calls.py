"""State of the fake: calls, what each callee does, and conferences."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

__all__ = ["Callee", "Conference", "FakeCall", "new_sid"]


def new_sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


@dataclass(frozen=True)
class Callee:
    """How the called party behaves. Times are real seconds (kept short in tests)."""

    outcome: str = "human"  # human | machine | busy | no-answer | failed
    ring_s: float = 0.02  # queued -> ringing
    answer_s: float = 0.03  # ringing -> answered (or busy / failed)
    amd_s: float = 0.03  # answered -> machine-detection result
    talk_s: float | None = 0.4  # answered -> the callee hangs up (None: never)
    press: str = ""  # digit pressed when a <Gather> plays
    answered_by: str = ""  # overrides the AMD result ("unknown", "fax", ...)


@dataclass
class FakeCall:
    sid: str
    to: str
    from_: str
    params: dict[str, list[str]]
    status: str = "queued"
    callbacks: list[str] = field(default_factory=list)  # statuses posted to StatusCallback
    heard: list[str] = field(default_factory=list)  # <Say>/<Play> texts played to the callee
    conference: str | None = None  # the conference the call sits in now
    joined: list[str] = field(default_factory=list)  # every conference it joined
    pressed: list[str] = field(default_factory=list)
    answered_at: float | None = None
    ended_at: float | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    script: asyncio.Task[None] | None = None  # the TwiML being executed
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def param(self, name: str, default: str = "") -> str:
        values = self.params.get(name)
        return values[0] if values else default

    @property
    def ended(self) -> bool:
        return self.status in ("completed", "busy", "no-answer", "failed", "canceled")

    def resource(self, account_sid: str) -> dict[str, object]:
        """The call as the REST API returns it."""
        return {
            "sid": self.sid,
            "account_sid": account_sid,
            "to": self.to,
            "from": self.from_,
            "status": self.status,
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{account_sid}/Calls/{self.sid}.json",
        }


@dataclass
class Conference:
    """Participants of a conference; the one whose leaving ends it, if any."""

    name: str
    members: dict[str, bool] = field(default_factory=dict)  # sid -> endConferenceOnExit
    left: asyncio.Event = field(default_factory=asyncio.Event)
