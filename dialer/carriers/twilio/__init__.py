"""The Twilio carrier: calls through Twilio's REST API, driven back by its webhooks."""

from __future__ import annotations

from dialer.carriers.twilio._config import MIN_RING_TIMEOUT_S, TwilioConfig
from dialer.carriers.twilio._webhooks import TwilioWebhooks
from dialer.carriers.twilio.carrier import STATUS_EVENTS, TwilioCarrier

__all__ = ["MIN_RING_TIMEOUT_S", "STATUS_EVENTS", "TwilioCarrier", "TwilioConfig", "TwilioWebhooks"]
