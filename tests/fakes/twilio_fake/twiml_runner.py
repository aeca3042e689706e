"""Executing the TwiML our webhook server returns, the way Twilio would (the verbs we use)."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from tests.fakes.twilio_fake.calls import FakeCall

if TYPE_CHECKING:
    from tests.fakes.twilio_fake.server import FakeTwilio

__all__ = ["run_twiml"]


async def run_twiml(fake: FakeTwilio, call: FakeCall, document: str) -> None:
    """Play ``document`` to ``call`` verb by verb; the call ends when it runs out."""
    try:
        root = ET.fromstring(document)
    except ET.ParseError:
        fake.violations.append(f"{call.sid}: our server answered with invalid TwiML {document!r}")
        await fake.end_call(call, "failed")
        return
    if root.tag != "Response":
        fake.violations.append(f"{call.sid}: TwiML root is {root.tag}, not Response")
    try:
        for verb in root:
            if call.ended or not await _verb(fake, call, verb):
                return
        await fake.end_call(call, "completed")
    finally:
        fake.leave_conference(call)


async def _verb(fake: FakeTwilio, call: FakeCall, verb: ET.Element) -> bool:
    """Run one verb; False when the document must stop (hung up, or replaced)."""
    if verb.tag in ("Say", "Play"):
        call.heard.append(verb.text or "")
        await asyncio.sleep(fake.say_s)
        return True
    if verb.tag == "Pause":
        await asyncio.sleep(int(verb.get("length", "1")) * fake.pause_scale)
        return True
    if verb.tag == "Hangup":
        await fake.end_call(call, "completed")
        return False
    if verb.tag == "Gather":
        return await _gather(fake, call, verb)
    if verb.tag == "Dial":
        await _dial(fake, call, verb)
        return True
    fake.violations.append(f"{call.sid}: the fake does not know TwiML verb {verb.tag}")
    return True


async def _gather(fake: FakeTwilio, call: FakeCall, verb: ET.Element) -> bool:
    digit = fake.callee_for(call.to).press
    for child in verb:
        call.heard.append(child.text or "")
        if digit:
            break  # the callee presses during the message
        await asyncio.sleep(fake.say_s)
    if not digit:
        await asyncio.sleep(int(verb.get("timeout", "5")) * fake.pause_scale)
        return True
    call.pressed.append(digit)
    action = verb.get("action", "")
    response = await fake.post_webhook(action, {**fake.call_params(call), "Digits": digit})
    await run_twiml(fake, call, response.text)
    return False


async def _dial(fake: FakeTwilio, call: FakeCall, verb: ET.Element) -> None:
    for noun in verb:
        if noun.tag != "Conference":
            fake.violations.append(f"{call.sid}: the fake only dials conferences, not {noun.tag}")
            continue
        ends = noun.get("endConferenceOnExit", "false") == "true"
        kicked = fake.join_conference(call, (noun.text or "").strip(), ends)
        await kicked.wait()
