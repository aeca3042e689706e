"""`dialer serve`: the webhook server on its own."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from dialer.carriers.base import CarrierEvent
from dialer.cli_support import settings_from
from dialer.clock import RealClock
from dialer.errors import ConfigError
from dialer.web.server import twilio_runtime

__all__ = ["serve"]

log = logging.getLogger(__name__)
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _log_event(event: CarrierEvent) -> None:
    log.info("no engine attached: %s", event)


def serve(
    ctx: typer.Context,
    listen: Annotated[
        str | None,
        typer.Option(help="host:port to listen on (default: the web_listen setting)."),
    ] = None,
) -> None:
    """Serve Twilio's webhooks (signed) until interrupted.

    `dialer run` starts this server itself when the carrier is twilio; on its own it answers
    Twilio and logs what it hears (no engine attached), which is how to check the public URL,
    the proxy and the signatures before a campaign.
    """
    settings = settings_from(ctx)
    if settings.carrier != "twilio":
        raise ConfigError("dialer serve needs carrier = twilio (DIALER_CARRIER=twilio)")
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    clock = RealClock()

    async def main() -> None:
        async with twilio_runtime(settings, clock, listen=listen, own_signals=True) as (
            carrier,
            server,
        ):
            await carrier.start(_log_event)
            typer.echo(
                f"serving Twilio webhooks on port {server.port} for {carrier.config.base_url}"
            )
            try:
                await server.wait()
            finally:
                await carrier.stop()

    clock.run(main())
