"""Why the compliance gate did not allow a call, in one line for the lead and the agent."""

from __future__ import annotations

from compliance.api import Decision

__all__ = ["denial_reason"]

LIMIT = 200  # characters kept (the lead's reason column)


def denial_reason(decision: Decision | Exception) -> str:
    """The denying rules with their details, or the error that made the gate fail closed."""
    if isinstance(decision, Exception):
        return f"gate error: {decision}"[:LIMIT]
    return "; ".join(f"{r.rule_id}: {r.detail}" for r in decision.denials)[:LIMIT]
