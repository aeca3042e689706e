"""`dialer report ...`: the campaign report (HTML with plots and a compliance summary)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from compliance.audit.query import CallFilter, resolve_campaign
from compliance.audit.recheck import find_violations
from compliance.audit.report import render_report
from compliance.audit.report_data import gather
from compliance.audit.scan import verify_log
from compliance.dnc import open_lookup
from compliance.rules import default_rules
from dialer.cli_support import engine_from, open_session, settings_from
from dialer.clock import RealClock
from dialer.errors import InputError

app = typer.Typer(help="Reports over the call log.", no_args_is_help=True)


@app.command("campaign")
def campaign(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Campaign name or id.")],
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
    verify: Annotated[
        bool, typer.Option(help="Verify the whole call log's chain for the summary.")
    ] = True,
) -> None:
    """A campaign's report: abandon rate against the cap, calls by local hour, outcomes, agent
    occupancy, and a compliance summary."""
    with open_session(ctx) as session:
        campaign_id = resolve_campaign(session, name)
        data = gather(session, campaign_id)
        lookup = open_lookup(session, settings_from(ctx).data_dir)
        _, found = find_violations(session, lookup, default_rules(), CallFilter(campaign_id))
    chain = None
    if verify:
        engine = engine_from(ctx)
        try:
            chain = verify_log(engine)
        finally:
            engine.dispose()
    html = render_report(
        data,
        generated_at=RealClock().now(),
        chain=chain,
        violations=[v.describe() for v in found],
    )
    try:
        out.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror}") from exc
    typer.echo(f"wrote {out} ({data.calls} calls)")
