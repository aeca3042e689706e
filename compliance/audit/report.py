"""The campaign report: one self-contained HTML file, plots embedded as PNG data URIs."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from html import escape

from compliance.audit.plots import abandon_plot, hours_plot, occupancy_plot, outcomes_plot
from compliance.audit.report_data import BRIDGE_STATES, ReportData
from compliance.audit.scan import VerifyResult

__all__ = ["render_report"]

_STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
td, th { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
.ok { color: #1a7f37; } .bad { color: #c62828; font-weight: bold; }
figure { margin: 1em 0; } figcaption { font-size: 0.9em; color: #555; }
"""


def _img(png: bytes, alt: str, caption: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img alt="{escape(alt)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def _table(rows: Sequence[tuple[str, object]]) -> str:
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _status(ok: bool, good: str, bad: str) -> str:
    return (
        f'<span class="ok">{escape(good)}</span>'
        if ok
        else f'<span class="bad">{escape(bad)}</span>'
    )


def _compliance(data: ReportData, chain: VerifyResult | None, violations: Sequence[str]) -> str:
    parts = ["<h2>Compliance summary</h2><ul>"]
    if chain is None:
        parts.append("<li>Call log chain: not verified for this report</li>")
    else:
        parts.append(
            "<li>Call log chain: "
            + _status(
                chain.ok,
                f"intact ({chain.checked} records verified)",
                f"TAMPERED: {len(chain.findings)} finding(s)",
            )
            + "</li>"
        )
        parts.extend(f"<li>{escape(f.describe())}</li>" for f in chain.findings[:20])
    ab = data.abandonment
    if ab is not None:
        worst = ab.worst_period
        parts.append(
            "<li>Abandonment: "
            + _status(
                not ab.flagged,
                f"never over the {ab.cap:.1%} cap over any rolling {ab.period_days} days "
                f"(worst {worst.period_rate:.2%} on {worst.day})"
                if worst
                else "no live answers",
                f"{len(ab.flagged)} day(s) over the {ab.cap:.1%} cap, first {ab.flagged[0].day}"
                if ab.flagged
                else "",
            )
            + "</li>"
        )
    parts.append(
        "<li>Violations recomputed from the log: "
        + _status(not violations, "none", f"{len(violations)} finding(s)")
        + "</li>"
    )
    parts.extend(f"<li>{escape(v)}</li>" for v in violations[:50])
    parts.append("</ul>")
    return "".join(parts)


def render_report(
    data: ReportData,
    *,
    generated_at: datetime,
    chain: VerifyResult | None = None,
    violations: Sequence[str] = (),
) -> str:
    ab = data.abandonment
    summary = _table(
        [
            ("campaign", f"{data.name} (id {data.campaign_id})"),
            ("calls", data.calls),
            ("first call", data.first.isoformat(timespec="seconds") if data.first else "-"),
            ("last call", data.last.isoformat(timespec="seconds") if data.last else "-"),
            ("live answers", ab.live if ab else 0),
            ("abandoned", ab.abandoned if ab else 0),
            ("legal cap", f"{ab.cap:.1%} over {ab.period_days} days" if ab else "-"),
            ("generated", generated_at.isoformat(timespec="seconds")),
        ]
    )
    figures = []
    if ab is not None and ab.days:
        figures.append(
            _img(
                abandon_plot(ab.days, ab.cap, ab.period_days),
                "abandon rate over time",
                "Abandoned calls / calls answered by a live person, per UTC day and over the "
                "rolling legal period, against the cap.",
            )
        )
    figures.append(
        _img(
            hours_plot(data.local_hours),
            "calls by local hour",
            "Calls by the called party's local hour (the first zone the decision used).",
        )
    )
    figures.append(_img(outcomes_plot(data.outcomes or {"none": 0}), "outcomes", "Call outcomes."))
    figures.append(
        _img(
            occupancy_plot(data.occupancy),
            "agent occupancy",
            "Talk time (from the first of the states " + ", ".join(BRIDGE_STATES) + " to the "
            "end of the call) over active time (first call start to last call end, each day).",
        )
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Campaign report: {escape(data.name)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>Campaign report: {escape(data.name)}</h1>{summary}"
        f"{_compliance(data, chain, violations)}<h2>Plots</h2>{''.join(figures)}</body></html>\n"
    )
