"""`dialer leads ...` commands: import a CSV, list and export a campaign's leads."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Column, Table

from campaigns.enums import LeadStatus
from campaigns.importer import ImportOptions, ImportSummary, import_leads
from campaigns.importer.columns import parse_maps
from campaigns.leads import export_leads, iter_leads
from campaigns.service import get_campaign
from dialer.cli_support import engine_from, open_session
from dialer.clock import RealClock

app = typer.Typer(help="Import, list and export a campaign's leads.", no_args_is_help=True)
console = Console()
_PROGRESS_BYTES = 8 << 20  # show a progress bar for files larger than this


@app.command("import")
def import_(
    ctx: typer.Context,
    campaign: Annotated[str, typer.Argument(help="Campaign name or id.")],
    file: Annotated[Path, typer.Argument(help="CSV file of leads.")],
    list_name: Annotated[str, typer.Option("--list", help="Lead list to add to.")] = "default",
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN, e.g. --map phone=Cell --map zip=Postal."),
    ] = None,
    allow_test_numbers: Annotated[
        bool, typer.Option(help="Accept the fictional 555-0100..555-0199 numbers.")
    ] = False,
    rejects: Annotated[
        Path | None, typer.Option(help="Rejects CSV (default: FILE.rejects.csv beside FILE).")
    ] = None,
) -> None:
    """Import leads from a CSV: normalize numbers, find time zones, skip duplicates."""
    options = ImportOptions(list_name, parse_maps(map_ or []), allow_test_numbers, rejects)
    engine = engine_from(ctx)
    try:
        with _progress(file) as bar:
            task = bar.add_task("importing", total=None)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            summary = import_leads(engine, campaign, file, options, RealClock(), advance)
    finally:
        engine.dispose()
    _print_summary(summary, campaign, list_name)


def _progress(file: Path) -> Progress:
    large = file.is_file() and file.stat().st_size > _PROGRESS_BYTES
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not (large and console.is_terminal),
    )


def _print_summary(s: ImportSummary, campaign: str, list_name: str) -> None:
    delimiter = {"\t": "tab"}.get(s.delimiter, s.delimiter)
    typer.echo(
        f"imported {s.imported:,} leads into campaign {campaign!r} (list {list_name!r}) "
        f"from {s.source} ({s.encoding}, delimiter {delimiter!r})"
    )
    lines = [
        ("rows read", s.rows, ""),
        ("imported", s.imported, f"{s.not_dialable:,} not dialable: no time zone"),
        ("duplicates", sum(s.duplicates.values()), _parts(s.duplicates)),
        ("rejected", sum(s.rejected.values()), ""),
    ]
    if s.blank:
        lines.append(("blank rows skipped", s.blank, ""))
    for label, count, note in lines:
        typer.echo(f"  {label + ':':<20}{count:>10,}" + (f"  ({note})" if note else ""))
    for reason, count in s.rejected.most_common():
        typer.echo(f"    {reason + ':':<45}{count:>9,}")
    typer.echo(f"  rejects file: {s.rejects_path}")


def _parts(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {why}" for why, n in counts.items() if n)


@app.command("list")
def list_(
    ctx: typer.Context,
    campaign: Annotated[str, typer.Argument(help="Campaign name or id.")],
    status: Annotated[LeadStatus | None, typer.Option(help="Only leads in this status.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many leads.")] = 50,
) -> None:
    """List a campaign's leads (the first --limit of them)."""
    table = Table(
        "id",
        Column("phone", no_wrap=True, min_width=12),
        "name",
        "states",
        "zip",
        "time zones",
        "status",
        "list",
    )
    with open_session(ctx) as session:
        found = get_campaign(session, campaign)
        for lead, list_name in iter_leads(session, found, status, limit):
            name = " ".join(p for p in (lead.first_name, lead.last_name) if p)
            reason = f" ({lead.status_reason})" if lead.status_reason else ""
            table.add_row(
                str(lead.id),
                lead.phone,
                name,
                ",".join(lead.states),
                lead.zip or "",
                " ".join(lead.timezones),
                f"{lead.status}{reason}",
                list_name,
            )
    console.print(table)


@app.command("export")
def export(
    ctx: typer.Context,
    campaign: Annotated[str, typer.Argument(help="Campaign name or id.")],
    out: Annotated[Path, typer.Option("--out", help="CSV file to write.")],
) -> None:
    """Export a campaign's leads to CSV (cells that look like formulas are escaped)."""
    with open_session(ctx) as session:
        count = export_leads(session, get_campaign(session, campaign), out)
    typer.echo(f"exported {count:,} leads to {out}")
