"""`dialer audit ...` commands: verify the log, list calls, abandonment, violations, explain,
export for archiving."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Annotated

import typer

from compliance.audit.abandonment import (
    DAY_COLUMNS,
    SUMMARY_COLUMNS,
    day_row,
    summary_row,
)
from compliance.audit.abandonment import (
    abandonment as abandonment_of,
)
from compliance.audit.auditdata import retention
from compliance.audit.explain import explain_call
from compliance.audit.export import export_calls, verify_export
from compliance.audit.output import Format, json_default, write_rows
from compliance.audit.query import CALL_COLUMNS, CallFilter, iter_calls, resolve_campaign
from compliance.audit.recheck import find_violations
from compliance.audit.scan import verify_log
from compliance.audit.verify import Finding
from compliance.audit.violations import Violation
from compliance.dnc import open_lookup
from compliance.rules import default_rules
from dialer.cli_support import engine_from, open_session, settings_from
from dialer.clock import RealClock
from dialer.errors import InputError

app = typer.Typer(
    help="Audit the call log: verify, query, abandonment, violations, explain, export.",
    no_args_is_help=True,
)

TABLE_COLUMNS = (
    "seq",
    "call_id",
    "campaign_id",
    "started_at",
    "phone",
    "outcome",
    "answered_by",
    "agent_id",
    "disposition",
    "abandoned",
    "decision_id",
)
FromOpt = Annotated[
    str | None,
    typer.Option("--from", help="First day (YYYY-MM-DD, UTC) or instant (ISO 8601 with zone)."),
]
ToOpt = Annotated[
    str | None,
    typer.Option("--to", help="Last day, inclusive (YYYY-MM-DD, UTC), or end instant, exclusive."),
]
CampaignOpt = Annotated[str | None, typer.Option(help="Campaign name or id.")]
FormatOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write to this file (default stdout).")]


def parse_instant(text: str, *, end: bool = False) -> datetime:
    """``YYYY-MM-DD`` is a UTC day (its start, or with ``end`` the next day's start); otherwise
    an ISO 8601 instant with its zone."""
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).replace(tzinfo=UTC)
            return day + timedelta(days=1) if end else day
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"invalid date {text!r}: use YYYY-MM-DD or an ISO 8601 instant") from exc
    if at.tzinfo is None:
        raise InputError(f"instant {text!r} has no zone: add Z or an offset like +00:00")
    return at.astimezone(UTC)


def _range(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    lo = None if since is None else parse_instant(since)
    hi = None if until is None else parse_instant(until, end=True)
    if lo is not None and hi is not None and hi <= lo:
        raise InputError("--to must be after --from")
    return lo, hi


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            yield handle
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror}") from exc


def _anchor(text: str) -> tuple[int, str]:
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise InputError(f"invalid anchor {text!r}: use SEQ:HASH as printed by verify")
    return int(seq), digest.lower()


def _report_findings(findings: list[Finding]) -> None:
    for finding in findings[:200]:
        typer.echo(finding.describe())
    if len(findings) > 200:
        typer.echo(f"... and {len(findings) - 200} more findings")


@app.command("verify")
def verify(
    ctx: typer.Context,
    anchor: Annotated[
        list[str] | None,
        typer.Option(help="SEQ:HASH noted from an earlier verify; checks history since then."),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Check an export file instead of the database.")
    ] = None,
) -> None:
    """Check the hash chain: names every edited, inserted or deleted record (exit 1 if any)."""
    if file is not None:
        try:
            findings = verify_export(file)
        except (OSError, ValueError) as exc:
            raise InputError(f"cannot verify {file}: {exc}") from exc
        _report_findings(findings)
        if findings:
            raise typer.Exit(1)
        typer.echo(f"{file}: every record matches its hash")
        return
    anchors = dict(_anchor(a) for a in anchor or [])
    engine = engine_from(ctx)
    try:
        result = verify_log(engine, anchors)
    finally:
        engine.dispose()
    _report_findings(result.findings)
    if not result.ok:
        typer.echo(f"TAMPERED: {len(result.findings)} finding(s) over {result.checked} records")
        raise typer.Exit(1)
    head = (
        "empty"
        if result.head is None or result.head[0] == 0
        else (f"head {result.head[0]}:{result.head[1]}")
    )
    typer.echo(f"verified {result.checked} records: chain intact; {head}")


@app.command("calls")
def calls(
    ctx: typer.Context,
    campaign: CampaignOpt = None,
    since: FromOpt = None,
    until: ToOpt = None,
    number: Annotated[str | None, typer.Option(help="Called number, E.164.")] = None,
    agent: Annotated[str | None, typer.Option(help="Agent id.")] = None,
    outcome: Annotated[str | None, typer.Option(help="completed, busy, no_answer, ...")] = None,
    fmt: FormatOpt = Format.TABLE,
    limit: Annotated[
        int | None, typer.Option(min=1, help="At most this many (table default: 100).")
    ] = None,
    out: OutOpt = None,
) -> None:
    """List call records, oldest first, filtered; as a table, CSV (formula-safe) or JSON Lines."""
    lo, hi = _range(since, until)
    if limit is None and fmt is Format.TABLE:
        limit = 100
    with open_session(ctx) as session:
        campaign_id = None if campaign is None else resolve_campaign(session, campaign)
        where = CallFilter(campaign_id, lo, hi, number, agent, outcome)
        rows = iter_calls(session, where, limit=limit, decode_json=fmt is Format.JSON)
        with _output(out) as handle:
            columns = TABLE_COLUMNS if fmt is Format.TABLE else CALL_COLUMNS
            count = write_rows(handle, fmt, columns, rows, title="Call log")
    if out is not None:
        typer.echo(f"wrote {count} records to {out}")


@app.command("abandonment")
def abandonment(
    ctx: typer.Context,
    campaign: CampaignOpt = None,
    since: FromOpt = None,
    until: ToOpt = None,
    days: Annotated[bool, typer.Option("--days", help="Also list every day.")] = False,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Per campaign: rolling 30-day abandon rate, per day, worst 30-minute window; flags any
    day over the legal cap (exit 1 if one is)."""
    lo, hi = _range(since, until)
    with open_session(ctx) as session:
        campaign_id = None if campaign is None else resolve_campaign(session, campaign)
        summaries = abandonment_of(session, campaign_id, lo, hi)
    rows = [summary_row(s) for s in summaries]
    write_rows(sys.stdout, fmt, SUMMARY_COLUMNS, rows, title="Abandonment (live answers, UTC)")
    if days:
        day_rows = [day_row(s, d) for s in summaries for d in s.days]
        write_rows(sys.stdout, fmt, DAY_COLUMNS, day_rows, title="Per day")
    flagged = [s for s in summaries if s.flagged]
    for s in flagged:
        first = s.flagged[0]
        typer.echo(
            f"OVER CAP: {s.name}: {len(s.flagged)} day(s) with the rolling {s.period_days}-day "
            f"rate above {s.cap:.1%}, first {first.day} ({first.period_rate:.2%})"
        )
    if flagged:
        raise typer.Exit(1)


VIOLATION_COLUMNS = ("kind", "call_id", "seq", "phone", "dialed_at", "rule_id", "detail")


def _violation_row(v: Violation) -> dict[str, object]:
    return {
        "kind": v.kind.value,
        "call_id": v.call.call_id,
        "seq": v.call.seq,
        "campaign_id": v.call.campaign_id,
        "phone": v.call.phone,
        "dialed_at": v.call.dialed_at,
        "rule_id": v.rule_id,
        "source": v.source,
        "detail": v.detail,
        "evidence": dict(v.evidence),
    }


@app.command("violations")
def violations(
    ctx: typer.Context,
    campaign: CampaignOpt = None,
    since: FromOpt = None,
    until: ToOpt = None,
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """Recompute, from the log and the rules (not from the pre-dial decisions), every call placed
    outside a calling window, to a number on a do-not-call list at the time, over a frequency
    cap, without required consent, or abandoned without the message (exit 1 if any)."""
    lo, hi = _range(since, until)
    with open_session(ctx) as session:
        campaign_id = None if campaign is None else resolve_campaign(session, campaign)
        lookup = open_lookup(session, settings_from(ctx).data_dir)
        where = CallFilter(campaign_id, lo, hi)
        checked, found = find_violations(session, lookup, default_rules(), where)
    if found or fmt is not Format.TABLE:
        rows = (_violation_row(v) for v in found)
        write_rows(sys.stdout, fmt, VIOLATION_COLUMNS, rows, title="Violations")
    if fmt is Format.TABLE:
        typer.echo(f"{len(found)} violation(s) in {checked} calls checked")
    if found:
        raise typer.Exit(1)


@app.command("explain")
def explain(
    ctx: typer.Context,
    call_id: Annotated[str, typer.Argument(help="The engine's call id.")],
    fmt: FormatOpt = Format.TABLE,
) -> None:
    """The decision behind a call: rules evaluated and their sources, data versions, zones (as
    the compliance gate stored it), and the call recomputed from the log."""
    with open_session(ctx) as session:
        lookup = open_lookup(session, settings_from(ctx).data_dir)
        found = explain_call(session, call_id, lookup, default_rules())
    if fmt is Format.JSON:
        typer.echo(json.dumps(found.as_json(), default=json_default, indent=2))
    else:
        typer.echo("\n".join(found.lines()))


@app.command("export")
def export(
    ctx: typer.Context,
    since: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD, UTC).")],
    until: Annotated[str, typer.Option("--to", help="Last day, inclusive (YYYY-MM-DD, UTC).")],
    out: Annotated[Path, typer.Option("--out", help="The archive file (JSON Lines).")],
) -> None:
    """Export the records of a period for archiving, with the chain's hashes and the retention
    rule (5 years: 16 CFR 310.5 as amended in 2024)."""
    lo, hi = parse_instant(since), parse_instant(until, end=True)
    if hi <= lo:
        raise InputError("--to must not be before --from")
    rule = retention("US")
    with open_session(ctx) as session, _output(out) as handle:
        count = export_calls(
            session, handle, since=lo, until=hi, rule=rule, exported_at=RealClock().now()
        )
    keep = rule.keep_until((hi - timedelta(microseconds=1)).date())
    typer.echo(f"exported {count} records to {out}; keep until {keep} ({rule.rule})")
