"""The web server: Twilio's webhooks (and later the agent console), one ASGI app on uvicorn."""

from __future__ import annotations

from dialer.web.app import build_app
from dialer.web.server import Serving, parse_listen, serving, twilio_runtime

__all__ = ["Serving", "build_app", "parse_listen", "serving", "twilio_runtime"]
