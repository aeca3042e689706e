"""What the Twilio carrier needs to know, validated once; built from :class:`Settings`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from dialer.errors import ConfigError
from dialer.settings import Settings

__all__ = ["MIN_RING_TIMEOUT_S", "TwilioConfig"]

#: Twilio rings at least this long; shorter timeouts hang up on people reaching for the phone.
MIN_RING_TIMEOUT_S = 15
_SID = re.compile(r"^AC[0-9a-fA-F]{32}$")
_AMD_MODES = ("Enable", "DetectMessageEnd")


@dataclass(frozen=True)
class TwilioConfig:
    """Credentials, public URL and tuning of :class:`TwilioCarrier`.

    ``public_url`` is where Twilio reaches our webhook server (``https://dialer.example.com``,
    optionally with a path prefix); every webhook URL we hand Twilio is built from it and every
    signature is checked against it. ``api_base`` replaces ``https://api.twilio.com`` (tests).
    """

    account_sid: str
    auth_token: str = field(repr=False)
    public_url: str
    api_base: str = ""
    cps: float = 1.0
    burst: float = 1.0
    agent_caller_id: str = ""
    request_timeout_s: float = 10.0
    max_attempts: int = 4
    backoff_base_s: float = 0.25
    backoff_max_s: float = 4.0
    amd_mode: str = "DetectMessageEnd"
    amd_timeout_s: int = 6
    hold_s: int = 20
    answer_deadline_s: float = 1.0
    gather_timeout_s: int = 3

    def __post_init__(self) -> None:
        if not _SID.match(self.account_sid):
            raise ConfigError("TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits")
        if not self.auth_token:
            raise ConfigError("TWILIO_AUTH_TOKEN is not set")
        parts = urlsplit(self.public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                "DIALER_PUBLIC_URL must be the http(s) URL where Twilio reaches the webhook server"
            )
        if self.cps <= 0 or self.burst < 1:
            raise ConfigError("carrier calls per second must be positive and burst at least 1")
        if self.amd_mode not in _AMD_MODES:
            raise ConfigError(f"amd_mode must be one of {', '.join(_AMD_MODES)}")

    @property
    def base_url(self) -> str:
        """The public URL without a trailing slash."""
        return self.public_url.rstrip("/")

    @classmethod
    def from_settings(cls, settings: Settings, **tuning: Any) -> TwilioConfig:
        """The carrier's configuration from the application settings (raises ConfigError);
        ``tuning`` overrides the other fields (timeouts, backoff, hold, ...)."""
        return cls(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            public_url=settings.public_url,
            api_base=settings.twilio_api_base,
            cps=settings.carrier_cps,
            agent_caller_id=settings.twilio_agent_caller_id,
            **tuning,
        )
