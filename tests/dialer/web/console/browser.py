"""The system's Chromium for Playwright (never a downloaded browser), and signing in with it.

Browser tests skip, with the reason, only when Chromium or Playwright is missing and
``DIALER_REQUIRE_BROWSER`` is not set (``.ci/run`` sets it, so there they fail instead).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from typing import TYPE_CHECKING

import pytest

from tests.dialer.web.console.conftest import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def chromium_path() -> str:
    """The system Chromium's path, or skip/fail the test with the reason."""
    path = next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)
    problem = None
    if path is None:
        problem = "Chromium is not installed (apt-get install chromium)"
    elif importlib.util.find_spec("playwright") is None:
        problem = "Playwright is not installed (pip install playwright)"
    if problem is not None:
        if os.environ.get("DIALER_REQUIRE_BROWSER"):
            pytest.fail(f"{problem}, and DIALER_REQUIRE_BROWSER is set")
        pytest.skip(problem)
    assert path is not None
    return path


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
