"""The live terminal dashboard of ``dialer run``: one row per campaign."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rich.table import Table

from dialer.agents.state import AgentState
from dialer.engine.campaign import CampaignRun

__all__ = ["CampaignFigures", "dashboard", "figures"]


@dataclass(frozen=True, slots=True)
class CampaignFigures:
    name: str
    dial_level: float  # calls in flight per staffed agent
    in_flight: int
    agents: dict[str, int]
    attempts: int
    abandon_rate: float
    connects_per_hour: float


def figures(run: CampaignRun, elapsed_s: float) -> CampaignFigures:
    states = Counter(str(a.state) for a in run.agents.values())
    staffed = sum(n for s, n in states.items() if s != AgentState.PAUSED)
    c = run.counters
    hours = max(elapsed_s, 1.0) / 3600
    return CampaignFigures(
        name=run.config.name,
        dial_level=len(run.in_flight) / staffed if staffed else 0.0,
        in_flight=len(run.in_flight),
        agents=dict(states),
        attempts=c.attempts,
        abandon_rate=c.abandoned / c.live_answers if c.live_answers else 0.0,
        connects_per_hour=c.bridged / hours,
    )


def dashboard(runs: list[CampaignRun], elapsed_s: float, clock_label: str) -> Table:
    table = Table(title=f"open-dialer  {clock_label}", expand=False)
    for column in (
        "campaign",
        "dial level",
        "in flight",
        "ready",
        "preview",
        "on call",
        "wrap",
        "paused",
        "attempts",
        "abandon",
        "connects/h",
    ):
        table.add_column(column, justify="left" if column == "campaign" else "right")
    for run in runs:
        f = figures(run, elapsed_s)
        a = f.agents
        table.add_row(
            f.name,
            f"{f.dial_level:.2f}",
            str(f.in_flight),
            str(a.get("ready", 0) + a.get("reserved", 0)),
            str(a.get("preview", 0)),
            str(a.get("on_call", 0)),
            str(a.get("wrap_up", 0)),
            str(a.get("paused", 0)),
            str(f.attempts),
            f"{f.abandon_rate:.2%}",
            f"{f.connects_per_hour:.0f}",
        )
    return table
