"""The Jinja2 environment and the filters the templates use."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.templating import Jinja2Templates

__all__ = ["duration", "elapsed", "make_templates", "percent"]


def elapsed(since: datetime | None, now: datetime) -> int:
    """Whole seconds from ``since`` to ``now`` (0 if unknown or in the future)."""
    return 0 if since is None else max(0, int((now - since).total_seconds()))


def duration(seconds: float) -> str:
    """``m:ss``, or ``h:mm:ss`` from an hour."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def make_templates(directory: Path) -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(duration=duration, percent=percent)
    env.globals.update(elapsed=elapsed)
    return Jinja2Templates(env=env)
