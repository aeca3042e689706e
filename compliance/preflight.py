"""Start-up checks: what a campaign needs before it may dial (issue 3, section 6).

Predictive and power campaigns abandon calls, so they need a safe-harbor message naming the
seller, giving a callback number and offering an opt-out (16 CFR 310.4(b)(4)(iii); 47 CFR
64.1200(a)(7)); every campaign needs a valid E.164 caller ID (16 CFR 310.4(a)(8); 47 CFR
64.1601(e)). The message checks are textual: the seller is the name after "this is", "calling
from", "on behalf of" or "from"; the number is any valid phone number in the text; the opt-out
is "press <digit>", "opt out", "do not call" or "unsubscribe".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from compliance.caps import abandon_cap
from compliance.rules import RuleBook, default_rules
from dialer.errors import ComplianceDataError, ConflictError

__all__ = ["ABANDONING_MODES", "Check", "Setup", "preflight", "require_ready"]

ABANDONING_MODES = frozenset({"power", "predictive"})
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_SELLER = re.compile(
    r"\b(?i:this is|calling from|on behalf of|from)\s+([A-Z0-9][\w&'.-]*(?:\s+[A-Z0-9][\w&'.-]*)*)"
)
_OPT_OUT = re.compile(
    r"\bpress\s+(?:\d|one|two|nine|star|pound)\b|\bopt[- ]?out\b|\bdo[- ]not[- ]call\b|"
    r"\bunsubscribe\b",
    re.IGNORECASE,
)
_SAFE_HARBOR_SOURCE = "16 CFR 310.4(b)(4)(iii); 47 CFR 64.1200(a)(7)"


@dataclass(frozen=True, slots=True)
class Setup:
    """What the start-up checks read from a campaign."""

    name: str
    purpose: str
    dial_mode: str
    caller_id: str
    country: str = "US"
    safe_harbor_message: str | None = None
    abandon_target: float = 0.03


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    source: str = ""


def _caller_id(setup: Setup) -> Check:
    source = "16 CFR 310.4(a)(8); 47 CFR 64.1601(e)"
    value = setup.caller_id
    ok = bool(_E164.match(value))
    if ok:
        try:
            ok = phonenumbers.is_valid_number(phonenumbers.parse(value))
        except phonenumbers.NumberParseException:
            ok = False
    detail = f"{value} is a valid E.164 number" if ok else f"{value!r} is not a valid E.164 number"
    return Check("caller_id", ok, detail, source)


def _safe_harbor(setup: Setup) -> list[Check]:
    if setup.dial_mode not in ABANDONING_MODES:
        detail = f"{setup.dial_mode} dialing does not abandon calls: no message needed"
        return [Check("safe_harbor", True, detail, _SAFE_HARBOR_SOURCE)]
    text = (setup.safe_harbor_message or "").strip()
    if not text:
        detail = (
            f"{setup.dial_mode} dialing needs a safe-harbor message (campaign option --safe-harbor)"
        )
        return [Check("safe_harbor", False, detail, _SAFE_HARBOR_SOURCE)]
    seller = _SELLER.search(text)
    numbers = [m.number for m in phonenumbers.PhoneNumberMatcher(text, setup.country)]
    opt_out = _OPT_OUT.search(text)
    return [
        Check(
            "safe_harbor.seller",
            seller is not None,
            f"names the seller: {seller.group(1)}"
            if seller
            else "does not name the seller (e.g. 'This is Acme Solar ...')",
            _SAFE_HARBOR_SOURCE,
        ),
        Check(
            "safe_harbor.callback",
            bool(numbers),
            "gives a callback number" if numbers else "gives no valid callback number",
            _SAFE_HARBOR_SOURCE,
        ),
        Check(
            "safe_harbor.opt_out",
            opt_out is not None,
            f"offers an opt-out ({opt_out.group(0)!r})"
            if opt_out
            else "offers no opt-out (e.g. 'press 9 to be placed on our do-not-call list')",
            "47 CFR 64.1200(a)(7)(i)(B)",
        ),
    ]


def _rules(setup: Setup, rules: RuleBook) -> list[Check]:
    checks = []
    country = "GB" if setup.country.upper() == "UK" else setup.country.upper()
    jur = rules.jurisdiction(country)
    ok = jur is not None and setup.purpose in jur.purposes
    detail = (
        f"rules for {setup.purpose} calls in {country} ({rules.version})"
        if ok
        else f"no rules for {setup.purpose} calls in {country}: every call would be denied"
    )
    checks.append(Check("rules", ok, detail, "compliance/data/rules.yaml"))
    try:
        cap = abandon_cap(country)
    except ComplianceDataError as exc:
        return [*checks, Check("abandon_target", False, str(exc))]
    ok = 0 <= setup.abandon_target <= cap.max_rate
    detail = f"abandon target {setup.abandon_target:.1%} (legal cap {cap.max_rate:.1%})"
    return [*checks, Check("abandon_target", ok, detail, cap.source)]


def preflight(setup: Setup, rules: RuleBook | None = None) -> list[Check]:
    """Every start-up check of ``setup``; the campaign may start only if all pass."""
    rules = rules or default_rules()
    return [_caller_id(setup), *_safe_harbor(setup), *_rules(setup, rules)]


def require_ready(setup: Setup, rules: RuleBook | None = None) -> None:
    """Raise :class:`ConflictError` naming every failed check."""
    failed = [c for c in preflight(setup, rules) if not c.ok]
    if failed:
        details = "; ".join(f"{c.name}: {c.detail}" for c in failed)
        raise ConflictError(f"campaign {setup.name!r} cannot start: {details}")
