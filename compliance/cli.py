"""`dialer compliance ...`: check a number, decisions, abandonment, start-up checks, rules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from campaigns.models import Campaign, Lead
from campaigns.service import get_campaign
from compliance.abandonment import AbandonmentLedger
from compliance.api import CallHistory, Decision, LeadFacts
from compliance.caps import abandon_cap
from compliance.dnc.lookup import open_lookup
from compliance.dnc.numbers import normalize_phone
from compliance.evaluate import Lookups, evaluate
from compliance.facts import campaign_facts, campaign_setup, lead_facts
from compliance.gate import stored_decisions
from compliance.numberfacts import facts_from_number
from compliance.plan import normalize_state
from compliance.preflight import preflight, require_ready
from compliance.ruledata import PURPOSES
from compliance.rules import PurposeRules, default_rules
from dialer.cli_support import engine_from, instant, open_session, settings_from
from dialer.engine.history import SqlCallHistory
from dialer.errors import InputError, NotFoundError
from dialer.storage import session_factory

__all__ = ["app", "call_history"]

app = typer.Typer(
    help="Compliance: check a number, stored decisions, abandonment, start-up checks, rules.",
    no_args_is_help=True,
)
console = Console(width=140)

CampaignOpt = Annotated[str | None, typer.Option("--campaign", help="Campaign name or id.")]


def call_history(sessions: sessionmaker[Session]) -> CallHistory:
    """The call history the CLI evaluates with: the engine's call log."""
    return SqlCallHistory(sessions)


@app.command("check")
def check(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="Phone number, E.164 or national format.")],
    campaign: Annotated[str, typer.Option("--campaign", help="Campaign name or id.")],
    at: Annotated[
        str | None, typer.Option("--at", help="ISO time (default now; no offset = UTC).")
    ] = None,
) -> None:
    """Decide whether NUMBER may be called for a campaign, and explain why (not recorded)."""
    when = instant(at, "--at")
    engine = engine_from(ctx)
    try:
        sessions = session_factory(engine)
        with sessions() as session:
            row = get_campaign(session, campaign)
            phone = normalize_phone(number, row.country)
            lead_row = session.scalars(
                select(Lead).where(Lead.campaign_id == row.id, Lead.phone == phone)
            ).first()
            lead = lead_facts(lead_row, row.country) if lead_row else facts_from_number(phone)
            facts = campaign_facts(row)
            lookups = Lookups(
                open_lookup(engine, settings_from(ctx).data_dir), call_history(sessions)
            )
            decision = evaluate(lead, facts, when, lookups)
            _print_decision(row, lead, lead_row, decision, lookups)
    finally:
        engine.dispose()


def _print_decision(
    campaign: Campaign, lead: LeadFacts, row: Lead | None, d: Decision, lookups: Lookups
) -> None:
    verdict = "ALLOWED" if d.allowed else "DENIED"
    typer.echo(
        f"{verdict}: {lead.phone} for campaign {campaign.name} ({campaign.purpose}, "
        f"{campaign.dial_mode}) at {d.at.isoformat()}"
    )
    if not d.allowed:
        when = d.next_allowed_at.isoformat() if d.next_allowed_at else "not by waiting"
        typer.echo(f"next callable: {when}")
    source = f"lead {row.id}" if row else "not a lead of this campaign: facts from the area code"
    typer.echo(f"facts: {source}")
    ev = d.evidence
    typer.echo(f"zones: {', '.join(ev.get('zones', ())) or '-'}")  # type: ignore[arg-type]
    typer.echo(f"states: {', '.join(ev.get('states', ())) or '-'}")  # type: ignore[arg-type]
    versions = ev.get("dnc_versions") or {}
    listed = ", ".join(f"{k} {v}" for k, v in versions.items())  # type: ignore[attr-defined]
    typer.echo(f"do-not-call data: {listed or 'none loaded'}")
    typer.echo(f"rules: {ev.get('rules_version', '-')}")
    typer.echo("reasons:")
    for reason in sorted(d.reasons, key=lambda r: r.allowed):
        mark = "ok  " if reason.allowed else "DENY"
        typer.echo(f"  {mark} {reason.rule_id}: {reason.detail}")
        typer.echo(f"       source: {reason.source}")


@app.command("decisions")
def decisions(
    ctx: typer.Context,
    campaign: CampaignOpt = None,
    number: Annotated[str | None, typer.Option("--number", help="Only this number.")] = None,
    limit: Annotated[int, typer.Option(help="How many, newest first.")] = 50,
) -> None:
    """Stored decisions (newest first), with the rules that denied."""
    with open_session(ctx) as session:
        campaign_id = get_campaign(session, campaign).id if campaign else None
        phone = normalize_phone(number) if number else None
        rows = stored_decisions(session, campaign_id=campaign_id, phone=phone, limit=limit)
        table = Table(
            "id",
            "decided at (UTC)",
            "campaign",
            "lead",
            "number",
            "decision",
            "next callable",
            "denied by",
        )
        for r in rows:
            denials = [x["rule_id"] for x in r.reasons if not x["allowed"]]
            table.add_row(
                str(r.id),
                f"{r.decided_at:%Y-%m-%d %H:%M:%S}",
                str(r.campaign_id),
                str(r.lead_id or "-"),
                r.phone,
                "allowed" if r.allowed else "denied",
                f"{r.next_allowed_at:%Y-%m-%d %H:%M}" if r.next_allowed_at else "-",
                ", ".join(denials) or "-",
            )
    if not rows:
        typer.echo("no stored decisions")
        return
    console.print(table)


@app.command("abandonment")
def abandonment(
    ctx: typer.Context,
    campaign: CampaignOpt = None,
    at: Annotated[str | None, typer.Option("--at", help="ISO time (default now).")] = None,
) -> None:
    """Abandon rate over the legal period (rolling), per day, and the remaining budget."""
    when = instant(at, "--at")
    engine = engine_from(ctx)
    try:
        sessions = session_factory(engine)
        with sessions() as session:
            if campaign:
                rows = [get_campaign(session, campaign)]
            else:
                rows = list(session.scalars(select(Campaign).order_by(Campaign.id)))
        if not rows:
            typer.echo("no campaigns")
        for row in rows:
            _print_abandonment(sessions, row, when)
    finally:
        engine.dispose()


def _print_abandonment(sessions: sessionmaker[Session], row: Campaign, at: datetime) -> None:
    cap = abandon_cap(row.country)
    ledger = AbandonmentLedger(sessions, period_days=cap.period_days)
    tally = ledger.tally(row.id, at)
    target = min(row.abandon_target, cap.max_rate)
    left = ledger.remaining(row.id, at, target)
    forced = ledger.forced_progressive(row.id, at, target, row.country)
    typer.echo(
        f"{row.name}: {tally.abandoned} abandoned of {tally.live_answers} live answers "
        f"({tally.rate:.2%}) from {tally.first_day} to {tally.last_day}; target {target:.1%} "
        f"(legal cap {cap.max_rate:.1%}, {cap.source}); budget {max(left, 0.0):.1f} abandons"
        + ("; FORCED TO PROGRESSIVE" if forced else "")
    )
    days = ledger.daily(row.id, at)
    if days:
        table = Table("day (UTC)", "live answers", "abandoned", "rate")
        for day in days:
            table.add_row(
                str(day.day), str(day.live_answers), str(day.abandoned), f"{day.rate:.2%}"
            )
        console.print(table)


@app.command("preflight")
def preflight_cmd(
    ctx: typer.Context,
    campaign: Annotated[str, typer.Argument(help="Campaign name or id.")],
) -> None:
    """Start-up checks: safe-harbor message (predictive/power), caller ID, rules, abandon target."""
    with open_session(ctx) as session:
        setup = campaign_setup(get_campaign(session, campaign))
    for c in preflight(setup):
        typer.echo(
            f"{'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}"
            + (f" [{c.source}]" if c.source else "")
        )
    require_ready(setup)
    typer.echo(f"campaign {setup.name!r} may start")


@app.command("rules")
def rules_cmd(
    state: Annotated[str | None, typer.Option("--state", help="e.g. FL (or US-FL, CA-BC).")] = None,
    purpose: Annotated[str | None, typer.Option("--purpose", help=", ".join(PURPOSES))] = None,
    country: Annotated[str, typer.Option(help="US, CA or GB.")] = "US",
) -> None:
    """The rules in force, with their sources (federal layer, or one state's)."""
    book = default_rules()
    if purpose is not None and purpose not in PURPOSES:
        raise InputError(f"purpose must be one of {', '.join(PURPOSES)}, not {purpose!r}")
    code = normalize_state(country.upper(), state) if state else country.upper()
    jur = book.jurisdiction("GB" if code == "UK" else code)
    if jur is None:
        known = ", ".join(book.jurisdictions)
        raise NotFoundError(f"no rules for {code} (rules exist for {known}; others: federal only)")
    typer.echo(f"{jur.code}: {jur.name} (rules {book.version})")
    for name in [purpose] if purpose else list(PURPOSES):
        _print_purpose(jur.purposes[name])


def _print_purpose(p: PurposeRules) -> None:
    flag = "" if p.verified else " [not verified]"
    typer.echo(f"\n  {p.purpose}: {p.source}{flag}")
    if not p.applies:
        typer.echo("    no rule of this layer (the federal layer still applies)")
        return
    lines: list[tuple[str, str, str]] = []
    for w in p.windows:
        only = " (automated calls)" if w.automated_only else ""
        lines.append((w.rule_id, f"hours {w.describe()}{only}", w.source))
    for c in p.consent:
        lines.append((c.rule_id, f"automated calls need {c.level} consent ({c.lines})", c.source))
    for d in p.dnc:
        need = "required" if d.required else "if loaded"
        ex = ", ".join(sorted(d.exemptions)) or "none"
        text = f"do-not-call {d.registry} ({need}, <= {d.max_age_days} days old; exempt: {ex})"
        lines.append((d.rule_id, text, d.source))
    for cap in p.caps:
        lines.append(
            (
                cap.rule_id,
                f"at most {cap.max_calls} calls per {cap.per} in {cap.period}",
                cap.source,
            )
        )
    if p.after_conversation:
        a = p.after_conversation
        lines.append((a.rule_id, f"no call for {a.block} after a conversation", a.source))
    for rule_id, text, source in lines:
        typer.echo(f"    {rule_id}: {text}\n      source: {source}")
