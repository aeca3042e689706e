"""The `dialer` command: one Typer app; each package contributes its own sub-commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from campaigns.cli import app as campaign_app
from campaigns.leads_cli import app as leads_app
from compliance.audit.cli import app as audit_app
from compliance.audit.report_cli import app as report_app
from compliance.cli import app as compliance_app
from compliance.dnc.cli import app as dnc_app
from dialer.access.cli import app as user_app
from dialer.carriers.cli import app as carrier_app
from dialer.cli_support import DialerGroup, engine_from, settings_from
from dialer.engine.cli import demo, run
from dialer.settings import Settings
from dialer.storage import upgrade
from dialer.storage.migrate import current_revision, head_revision
from dialer.web.cli import serve

app = typer.Typer(
    cls=DialerGroup,
    help="An outbound predictive dialer: campaigns, compliance, pacing and carriers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")
app.add_typer(leads_app, name="leads")
app.add_typer(db_app, name="db")
app.add_typer(dnc_app, name="dnc")
app.add_typer(compliance_app, name="compliance")
app.add_typer(carrier_app, name="carrier")
app.add_typer(audit_app, name="audit")
app.add_typer(report_app, name="report")
app.add_typer(user_app, name="user")
app.command("serve")(serve)
app.command("run")(run)
app.command("demo")(demo)


@app.callback()
def root(
    ctx: typer.Context,
    config: Annotated[
        Path | None, typer.Option(help="Settings file (default: ./dialer.toml if present).")
    ] = None,
) -> None:
    """Settings come from DIALER_* environment variables and an optional dialer.toml."""
    ctx.obj = Settings.load(config_file=config)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create a fresh database (the SQLite file by default) with the current schema."""
    engine = engine_from(ctx, require_schema=False)
    try:
        if current_revision(engine) is not None:
            typer.echo(f"database {engine.url.render_as_string(hide_password=True)} exists already")
            raise typer.Exit(0)
        upgrade(engine)
        typer.echo(f"initialised {engine.url.render_as_string(hide_password=True)}")
    finally:
        engine.dispose()


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context, revision: Annotated[str, typer.Argument(help="Target.")] = "head"
) -> None:
    """Apply pending migrations."""
    engine = engine_from(ctx, require_schema=False)
    try:
        upgrade(engine, revision)
        typer.echo(f"database at revision {current_revision(engine)}")
    finally:
        engine.dispose()


@db_app.command("status")
def db_status(ctx: typer.Context) -> None:
    """Show the schema revision and whether migrations are pending."""
    engine = engine_from(ctx, require_schema=False)
    try:
        current, head = current_revision(engine), head_revision()
        state = "up to date" if current == head else "migrations pending"
        typer.echo(f"{settings_from(ctx).database_url}: revision {current} (head {head}, {state})")
    finally:
        engine.dispose()


if __name__ == "__main__":
    app()
