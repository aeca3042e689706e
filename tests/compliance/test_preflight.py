"""Start-up checks (issue 3, section 6)."""

from __future__ import annotations

import pytest

from compliance.preflight import Setup, preflight, require_ready
from dialer.errors import ConflictError

GOOD = "This is Acme Solar. Call us at (415) 555-2671. Press 9 to be put on our do-not-call list."


def _failed(**kw: object) -> set[str]:
    setup = Setup(**{"name": "c", "purpose": "telemarketing", "dial_mode": "predictive",  # type: ignore[arg-type]
                     "caller_id": "+14155552671", "safe_harbor_message": GOOD, **kw})  # fmt: skip
    return {c.name for c in preflight(setup) if not c.ok}


@pytest.mark.parametrize(
    ("changes", "failed"),
    [
        ({}, set()),
        ({"dial_mode": "power", "safe_harbor_message": None}, {"safe_harbor"}),
        ({"dial_mode": "progressive", "safe_harbor_message": None}, set()),
        ({"dial_mode": "preview", "safe_harbor_message": None}, set()),
        ({"safe_harbor_message": "Call 415-555-2671, press 9 to opt out."}, {"safe_harbor.seller"}),
        ({"safe_harbor_message": "This is Acme. Press 9 to opt out."}, {"safe_harbor.callback"}),
        ({"safe_harbor_message": "This is Acme, call 415-555-2671."}, {"safe_harbor.opt_out"}),
        ({"caller_id": "4155552671"}, {"caller_id"}),  # not E.164
        ({"caller_id": "+1415555267"}, {"caller_id"}),  # too short
        ({"caller_id": "+10005552671"}, {"caller_id"}),  # not a valid number
        ({"country": "FR"}, {"rules", "abandon_target", "safe_harbor.callback"}),  # a US number
        ({"abandon_target": 0.05}, {"abandon_target"}),  # above the US 3% cap
        ({"country": "CA", "abandon_target": 0.05}, set()),
    ],
)  # fmt: skip
def test_preflight_checks(changes: dict[str, object], failed: set[str]) -> None:
    assert _failed(**changes) == failed


def test_require_ready_names_every_failure() -> None:
    setup = Setup("Spring", "telemarketing", "predictive", "12", safe_harbor_message=None)
    with pytest.raises(ConflictError, match=r"'Spring' cannot start: caller_id: .*safe_harbor"):
        require_ready(setup)
    require_ready(Setup("Ok", "survey", "predictive", "+14155552671", safe_harbor_message=GOOD))
