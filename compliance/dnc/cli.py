"""`dialer dnc ...` commands: registry imports, the company list and campaign lists."""

from __future__ import annotations

import getpass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaigns.models import Campaign
from campaigns.service import get_campaign
from compliance.dnc.build import ImportReport, import_registry
from compliance.dnc.entries import add_dnc, add_dnc_many, dnc_history, list_dnc, remove_dnc
from compliance.dnc.listfile import read_phone_file, write_entries_csv
from compliance.dnc.lookup import open_lookup
from compliance.dnc.models import DncEntry
from compliance.dnc.numbers import normalize_phone
from compliance.dnc.parse import BadLine
from compliance.dnc.registry import Registry, list_name_for, national_list_name, registry_paths
from dialer.cli_support import engine_from, open_session, settings_from
from dialer.clock import RealClock

app = typer.Typer(
    help="Do-not-call lists: national and state registries, company list, campaign lists.",
    no_args_is_help=True,
)
import_app = typer.Typer(
    help="Import registry files (FTC format) or lists of numbers.", no_args_is_help=True
)
app.add_typer(import_app, name="import")
console = Console(width=120)

PathsArg = Annotated[
    list[Path], typer.Argument(help="Area-code files (.txt, or .zip archives of them).")
]
DateOpt = Annotated[
    datetime | None,
    typer.Option(
        "--date",
        formats=["%Y-%m-%d"],
        help="The list's date (default: a date in the file names, else the oldest file's date).",
    ),
]
ChangeOpt = Annotated[
    bool,
    typer.Option(
        "--change-list", help="The files are change lists (additions and deletions) to apply."
    ),
]
ShowBadOpt = Annotated[int, typer.Option(help="How many malformed lines to print.")]
CampaignOpt = Annotated[
    str | None, typer.Option(help="A campaign's list (name or id) instead of the company list.")
]
ReasonOpt = Annotated[str | None, typer.Option(help="Why (kept in the history).")]
ByOpt = Annotated[str | None, typer.Option(help="Who (default: the operating-system user).")]
NumberArg = Annotated[str, typer.Argument(help="Phone number, E.164 or US national format.")]


@import_app.command("national")
def import_national(
    ctx: typer.Context,
    paths: PathsArg,
    date_: DateOpt = None,
    change_list: ChangeOpt = False,
    show_bad: ShowBadOpt = 20,
    country: Annotated[
        str, typer.Option(help="US: the FTC registry; CA: Canada's National DNCL.")
    ] = "US",
) -> None:
    """Import a national registry (full list: replaces it; --change-list: updates it).

    --date is the list's date (YYYY-MM-DD); by default a date in the file names
    (2025-01-31, 2025_01_31 or 20250131), else the oldest file's modification date.
    Both the FTC and the Canadian DNCL deliver ten-digit numbers by area code.
    """
    _import(ctx, national_list_name(country), paths, date_, change_list, show_bad)


@import_app.command("state")
def import_state(
    ctx: typer.Context,
    state: Annotated[str, typer.Argument(help="Two-letter state code, e.g. FL.")],
    paths: PathsArg,
    date_: DateOpt = None,
    change_list: ChangeOpt = False,
    show_bad: ShowBadOpt = 20,
) -> None:
    """Import a state's do-not-call list (same formats and options as `national`)."""
    _import(ctx, list_name_for(state), paths, date_, change_list, show_bad)


def _import(
    ctx: typer.Context,
    list_name: str,
    paths: list[Path],
    when: datetime | None,
    change_list: bool,
    show_bad: int,
) -> None:
    data_dir = settings_from(ctx).data_dir
    report = import_registry(
        data_dir,
        list_name,
        paths,
        now=RealClock().now(),
        data_date=when.date() if when else None,
        change_list=change_list,
    )
    _print_report(report, show_bad)


def _print_report(report: ImportReport, show_bad: int) -> None:
    kind = "change list" if report.change_list else "full list"
    typer.echo(
        f"{report.list_name}: {kind} of {report.data_date} (date from {report.date_source}); "
        f"{report.files} file(s), {report.lines:,} lines, {report.additions:,} additions, "
        f"{report.deletions:,} deletions, {report.malformed:,} malformed lines skipped"
    )
    if report.unflagged:
        typer.echo(f"{report.unflagged:,} change-list lines had no add/delete flag: read per file")
    _print_bad(report.bad_lines, report.malformed, show_bad)
    typer.echo(
        f"{report.list_name} registry now holds {report.numbers:,} numbers in "
        f"{report.area_codes} area code(s): {report.path}"
    )


def _print_bad(bad: list[BadLine], total: int, show: int) -> None:
    for line in bad[:show]:
        typer.echo(f"  malformed {line}", err=True)
    if total > min(show, len(bad)):
        typer.echo(f"  ... {total - min(show, len(bad)):,} more malformed line(s)", err=True)


@import_app.command("company")
def import_company(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="One number per line, or a CSV (first column).")],
    reason: ReasonOpt = None,
    by: ByOpt = None,
    show_bad: ShowBadOpt = 20,
) -> None:
    """Add every number of a file to the company do-not-call list."""
    _import_list(ctx, None, path, reason, by, show_bad)


@import_app.command("campaign")
def import_campaign(
    ctx: typer.Context,
    campaign: Annotated[str, typer.Argument(help="Campaign name or id.")],
    path: Annotated[Path, typer.Argument(help="One number per line, or a CSV (first column).")],
    reason: ReasonOpt = None,
    by: ByOpt = None,
    show_bad: ShowBadOpt = 20,
) -> None:
    """Add every number of a file to a campaign's do-not-call list."""
    _import_list(ctx, campaign, path, reason, by, show_bad)


def _import_list(
    ctx: typer.Context,
    campaign: str | None,
    path: Path,
    reason: str | None,
    by: str | None,
    show_bad: int,
) -> None:
    phones, bad = read_phone_file(path)
    with open_session(ctx) as session:
        campaign_id = get_campaign(session, campaign).id if campaign else None
        added, already = add_dnc_many(
            session,
            phones,
            campaign_id=campaign_id,
            at=RealClock().now(),
            by=by or _user(),
            reason=reason,
            source=f"import:{path.name}"[:40],
        )
    scope = "company list" if campaign is None else f"campaign {campaign!r} list"
    typer.echo(
        f"{scope}: {added:,} added, {already:,} already listed, {len(bad):,} malformed skipped"
    )
    _print_bad(bad, len(bad), show_bad)


@app.command("add")
def add(
    ctx: typer.Context,
    number: NumberArg,
    campaign: CampaignOpt = None,
    reason: ReasonOpt = None,
    by: ByOpt = None,
) -> None:
    """Add a number to the company do-not-call list (or to one campaign's list)."""
    with open_session(ctx) as session:
        campaign_id = get_campaign(session, campaign).id if campaign else None
        entry, new = add_dnc(
            session,
            number,
            campaign_id=campaign_id,
            at=RealClock().now(),
            by=by or _user(),
            reason=reason,
            source="cli",
        )
        if new:
            typer.echo(f"added {entry.phone} to the {_scope(entry, campaign)}")
        else:
            typer.echo(
                f"{entry.phone} is already on the {_scope(entry, campaign)} "
                f"(since {entry.added_at:%Y-%m-%d %H:%M} UTC, by {entry.added_by})"
            )


@app.command("remove")
def remove(
    ctx: typer.Context,
    number: NumberArg,
    campaign: CampaignOpt = None,
    reason: ReasonOpt = None,
    by: ByOpt = None,
) -> None:
    """End a number's listing; the history keeps who added and removed it, when and why."""
    with open_session(ctx) as session:
        campaign_id = get_campaign(session, campaign).id if campaign else None
        entry = remove_dnc(
            session,
            number,
            campaign_id=campaign_id,
            at=RealClock().now(),
            by=by or _user(),
            reason=reason,
        )
        typer.echo(f"removed {entry.phone} from the {_scope(entry, campaign)}")


@app.command("check")
def check(ctx: typer.Context, number: NumberArg, campaign: CampaignOpt = None) -> None:
    """Show every do-not-call list that holds a number, and the registries' dates."""
    phone = normalize_phone(number)
    engine = engine_from(ctx)
    try:
        with Session(engine) as session:
            campaign_id = get_campaign(session, campaign).id if campaign else None
            lookup = open_lookup(session, settings_from(ctx).data_dir)
            hits = lookup.lookup_many([phone], campaign_id)[0]
            versions = lookup.versions()
    finally:
        engine.dispose()
    for hit in hits:
        typer.echo(f"{phone}: on {hit.list_name} ({hit.version}): {hit.detail}")
    if not hits:
        typer.echo(f"{phone}: on no do-not-call list")
    loaded = ", ".join(f"{k} {v}" for k, v in versions.items()) or "none"
    typer.echo(f"registries loaded: {loaded}")


@app.command("list")
def list_(
    ctx: typer.Context,
    campaign: CampaignOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="Include removed entries.")] = False,
) -> None:
    """List the company do-not-call list (or one campaign's)."""
    table = Table("phone", "added", "by", "source", "reason", "removed", "removed by")
    with open_session(ctx) as session:
        campaign_id = get_campaign(session, campaign).id if campaign else None
        for e in list_dnc(session, campaign_id=campaign_id, include_removed=all_):
            table.add_row(*_row(e))
    console.print(table)


@app.command("history")
def history(ctx: typer.Context, number: NumberArg) -> None:
    """Every listing of a number, on any list, active or removed."""
    table = Table("list", "added", "by", "source", "reason", "removed", "removed by", "why")
    with open_session(ctx) as session:
        for e in dnc_history(session, number):
            table.add_row(e.list_name, *_row(e)[1:], e.removal_reason or "")
    console.print(table)


@app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
    campaign: CampaignOpt = None,
    all_: Annotated[bool, typer.Option("--all", help="Include removed entries.")] = False,
) -> None:
    """Export the company list (or a campaign's) as CSV, safe to open in a spreadsheet."""
    with open_session(ctx) as session:
        campaign_id = get_campaign(session, campaign).id if campaign else None
        entries = list_dnc(session, campaign_id=campaign_id, include_removed=all_)
        names = {cid: name for cid, name in session.execute(select(Campaign.id, Campaign.name))}
        count = write_entries_csv(entries, out, names)
    typer.echo(f"wrote {count:,} entries to {out}")


@app.command("status")
def status(ctx: typer.Context) -> None:
    """Show the imported registries: date, age, size, area codes."""
    today = RealClock().now().date()
    paths = registry_paths(settings_from(ctx).data_dir)
    if not paths:
        typer.echo("no registry imported (dialer dnc import national PATH...)")
    for path in paths.values():
        reg = Registry.open(path)
        typer.echo(_describe(reg, today))


def _describe(reg: Registry, today: date) -> str:
    age = (today - reg.data_date).days
    return (
        f"{reg.name}: list of {reg.data_date} ({age} days old), {len(reg):,} numbers in "
        f"{len(reg.meta.area_codes)} area code(s), {len(reg.meta.covered_area_codes)} covered; "
        f"imported {reg.meta.imported_at[:19]}"
    )


def _row(e: DncEntry) -> tuple[str, ...]:
    removed = f"{e.removed_at:%Y-%m-%d %H:%M}" if e.removed_at else ""
    return (
        e.phone,
        f"{e.added_at:%Y-%m-%d %H:%M}",
        e.added_by,
        e.source,
        e.reason or "",
        removed,
        e.removed_by or "",
    )


def _scope(entry: DncEntry, campaign: str | None) -> str:
    return "company do-not-call list" if entry.campaign_id is None else f"{campaign!r} list"


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
