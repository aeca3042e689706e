"""Compliance: rules data, calling windows, do-not-call, consent, frequency caps, abandonment.

The engine uses :class:`ComplianceGate` (evaluate, record, return) and
:class:`AbandonmentLedger`; the audit recomputes with the pure evaluators
(:func:`compliance.evaluate.decide`, :mod:`compliance.windows`, :mod:`compliance.frequency`,
:mod:`compliance.consent`, :mod:`compliance.donotcall`).
"""

from compliance.abandonment import AbandonmentLedger
from compliance.evaluate import Facts, Lookups, decide, evaluate, evaluate_many
from compliance.gate import ComplianceGate
from compliance.preflight import Setup, preflight, require_ready
from compliance.rules import RuleBook, default_rules, load_rules

__all__ = [
    "AbandonmentLedger",
    "ComplianceGate",
    "Facts",
    "Lookups",
    "RuleBook",
    "Setup",
    "decide",
    "default_rules",
    "evaluate",
    "evaluate_many",
    "load_rules",
    "preflight",
    "require_ready",
]
