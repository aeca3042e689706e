"""`dialer carrier ...` commands."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select

from campaigns.enums import CampaignStatus
from campaigns.models import Campaign
from dialer.carriers.twilio import TwilioConfig
from dialer.carriers.twilio.check import check_account
from dialer.cli_support import open_session, settings_from
from dialer.clock import RealClock
from dialer.errors import CarrierRejectedError

__all__ = ["app"]

app = typer.Typer(help="Telephony carrier commands.", no_args_is_help=True)


def _campaign_caller_ids(ctx: typer.Context) -> list[str]:
    with open_session(ctx) as session:
        query = select(Campaign.caller_id).where(Campaign.status != CampaignStatus.ARCHIVED)
        return sorted(set(session.scalars(query)))


@app.command("check")
def check(
    ctx: typer.Context,
    caller_id: Annotated[
        list[str] | None,
        typer.Option(
            "--caller-id",
            help="Caller ID to check, E.164 (repeatable; default: every campaign's that is "
            "not archived).",
        ),
    ] = None,
) -> None:
    """Verify the carrier credentials and that the caller IDs may be used on the account."""
    settings = settings_from(ctx)
    if settings.carrier != "twilio":
        typer.echo(f"carrier {settings.carrier}: nothing to check")
        return
    config = TwilioConfig.from_settings(settings)
    numbers = list(caller_id) if caller_id else _campaign_caller_ids(ctx)
    clock = RealClock()
    result = clock.run(check_account(config, clock, numbers))
    typer.echo(f"account {config.account_sid} ({result.friendly_name}): {result.status}")
    for number, ok in sorted(result.usable.items()):
        typer.echo(f"caller ID {number}: {'ok' if ok else 'NOT on the account'}")
    if result.missing:
        raise CarrierRejectedError(
            "caller ID(s) neither owned nor verified on the Twilio account: "
            + ", ".join(result.missing)
        )
