"""`dialer campaign ...` commands."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from campaigns.enums import DialMode, Purpose
from campaigns.models import Campaign
from campaigns.service import (
    CampaignSpec,
    archive_campaign,
    create_campaign,
    get_campaign,
    lead_counts,
    list_campaigns,
    update_campaign,
)
from dialer.cli_support import open_session
from dialer.clock import RealClock

app = typer.Typer(help="Create, inspect, change and archive campaigns.", no_args_is_help=True)
console = Console()

PurposeOpt = Annotated[Purpose | None, typer.Option(help="What the calls are for.")]
CallerIdOpt = Annotated[str | None, typer.Option(help="Caller ID shown to callees, E.164.")]
ModeOpt = Annotated[DialMode | None, typer.Option(help="How calls are paced.")]
TargetOpt = Annotated[
    float | None, typer.Option(help="Maximum abandon rate (default: the legal cap, 0.03 in US).")
]
CountryOpt = Annotated[str | None, typer.Option(help="Country of the leads (ISO code).")]
StartOpt = Annotated[str | None, typer.Option(help="Campaign's earliest local call time, HH:MM.")]
EndOpt = Annotated[str | None, typer.Option(help="Campaign's latest local call time, HH:MM.")]
AttemptsOpt = Annotated[int | None, typer.Option(help="Maximum attempts per lead.")]
SafeHarborOpt = Annotated[
    str | None,
    typer.Option(help="Safe-harbor message for abandoned calls (name, number, opt-out)."),
]
ScriptOpt = Annotated[str | None, typer.Option(help="Script text shown to agents.")]


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Unique campaign name.")],
    purpose: Annotated[Purpose, typer.Option(help="What the calls are for.")],
    caller_id: Annotated[str, typer.Option(help="Caller ID shown to callees, E.164.")],
    dial_mode: Annotated[
        DialMode, typer.Option(help="How calls are paced.")
    ] = DialMode.PROGRESSIVE,
    abandon_target: TargetOpt = None,
    country: Annotated[str, typer.Option(help="Country of the leads (ISO code).")] = "US",
    local_start: StartOpt = None,
    local_end: EndOpt = None,
    max_attempts: AttemptsOpt = None,
    safe_harbor: SafeHarborOpt = None,
    script: ScriptOpt = None,
) -> None:
    """Create a campaign."""
    spec = CampaignSpec(
        purpose=purpose,
        caller_id=caller_id,
        dial_mode=dial_mode,
        abandon_target=abandon_target,
        country=country,
        local_start=local_start,
        local_end=local_end,
        max_attempts=max_attempts,
        safe_harbor_message=safe_harbor,
        script=script,
    )
    with open_session(ctx) as session:
        campaign = create_campaign(session, name, spec, RealClock().now())
        typer.echo(f"created campaign {campaign.name!r} (id {campaign.id})")


@app.command("list")
def list_(
    ctx: typer.Context,
    archived: Annotated[bool, typer.Option("--archived", help="Include archived ones.")] = False,
) -> None:
    """List campaigns."""
    table = Table("id", "name", "purpose", "mode", "status", "caller ID", "abandon target")
    with open_session(ctx) as session:
        for c in list_campaigns(session, include_archived=archived):
            table.add_row(
                str(c.id),
                c.name,
                c.purpose,
                c.dial_mode,
                c.status,
                c.caller_id,
                f"{c.abandon_target:.1%}",
            )
    console.print(table)


@app.command("show")
def show(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Name or id.")]) -> None:
    """Show one campaign with its lead counts."""
    with open_session(ctx) as session:
        campaign = get_campaign(session, name)
        for key, value in _describe(campaign).items():
            typer.echo(f"{key:>20}: {value}")
        for status, count in sorted(lead_counts(session, campaign).items()):
            typer.echo(f"{'leads ' + status:>20}: {count}")


@app.command("update")
def update(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Name or id.")],
    purpose: PurposeOpt = None,
    caller_id: CallerIdOpt = None,
    dial_mode: ModeOpt = None,
    abandon_target: TargetOpt = None,
    country: CountryOpt = None,
    local_start: StartOpt = None,
    local_end: EndOpt = None,
    max_attempts: AttemptsOpt = None,
    safe_harbor: SafeHarborOpt = None,
    script: ScriptOpt = None,
) -> None:
    """Change a campaign's settings."""
    spec = CampaignSpec(
        purpose=purpose,
        caller_id=caller_id,
        dial_mode=dial_mode,
        abandon_target=abandon_target,
        country=country,
        local_start=local_start,
        local_end=local_end,
        max_attempts=max_attempts,
        safe_harbor_message=safe_harbor,
        script=script,
    )
    with open_session(ctx) as session:
        campaign = update_campaign(session, get_campaign(session, name), spec, RealClock().now())
        typer.echo(f"updated campaign {campaign.name!r}")


@app.command("archive")
def archive(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Name or id.")]) -> None:
    """Archive a campaign: it stops dialing and leaves the default list."""
    with open_session(ctx) as session:
        campaign = archive_campaign(get_campaign(session, name), RealClock().now())
        typer.echo(f"archived campaign {campaign.name!r}")


def _describe(c: Campaign) -> dict[str, object]:
    return {
        "id": c.id,
        "name": c.name,
        "purpose": c.purpose,
        "status": c.status,
        "dial mode": c.dial_mode,
        "caller ID": c.caller_id,
        "country": c.country,
        "abandon target": f"{c.abandon_target:.1%}",
        "local hours": f"{c.local_start or 'law'} - {c.local_end or 'law'}",
        "max attempts": c.max_attempts,
        "ring timeout (s)": c.ring_timeout_s,
        "safe-harbor message": c.safe_harbor_message or "(none)",
    }
