"""Helpers shared by the CLI modules: error translation, settings and database access."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session
from typer.core import TyperGroup

from dialer.clock import RealClock
from dialer.errors import DialerError, InputError, StorageError
from dialer.settings import Settings
from dialer.storage import make_engine, session_factory
from dialer.storage.migrate import current_revision, head_revision

__all__ = ["DialerGroup", "engine_from", "instant", "open_session", "settings_from"]


def instant(value: str | None, option: str) -> datetime:
    """An ISO 8601 time given to ``option`` (no offset: UTC); None: now."""
    if value is None:
        return RealClock().now()
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise InputError(
            f"{option} {value!r} is not an ISO time (e.g. 2026-03-10T14:00-05:00)"
        ) from exc
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


class DialerGroup(TyperGroup):
    """Root command group: an expected failure becomes one line on stderr and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except DialerError as exc:
            typer.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            ctx.exit(130)


def settings_from(ctx: typer.Context) -> Settings:
    """The settings object built once by the root callback."""
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings.load()
    return root.obj


def engine_from(ctx: typer.Context, *, require_schema: bool = True) -> Engine:
    settings = settings_from(ctx)
    engine = make_engine(settings.database_url)
    if require_schema and current_revision(engine) != head_revision():
        raise StorageError(
            f"database {engine.url.render_as_string(hide_password=True)} is not initialised or "
            "not up to date: run `dialer init` (new) or `dialer db upgrade` (existing)"
        )
    return engine


@contextmanager
def open_session(ctx: typer.Context) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    engine = engine_from(ctx)
    factory = session_factory(engine)
    try:
        with factory.begin() as session:
            yield session
    except (OperationalError, ProgrammingError) as exc:
        raise StorageError(f"database error: {exc.orig}") from exc
    finally:
        engine.dispose()
