"""Serving the console beside the engine: the late-bound mount and `dialer run --console`."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from dialer.clock import RealClock
from dialer.engine.demo_data import DemoSpec, create_demo_campaign
from dialer.storage import make_engine, session_factory
from dialer.web.app import build_app
from dialer.web.console.serve import LateApp
from tests.cli_helpers import run_cli


async def test_a_late_app_answers_503_until_attached() -> None:
    slot = LateApp()
    app = build_app(None, slot)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/console/login")).status_code == 503
        assert (await client.get("/healthz")).text == "ok"
        slot.attach(build_app(None))
        assert (await client.get("/console/healthz")).text == "ok"


def test_dialer_run_serves_the_console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'dialer.db'}"
    assert run_cli(url, "init").exit_code == 0
    db = make_engine(url)
    with session_factory(db).begin() as session:
        create_demo_campaign(session, DemoSpec(name="Smoke", leads=20), RealClock().now())
    db.dispose()
    monkeypatch.setenv("DIALER_WEB_LISTEN", "127.0.0.1:0")
    result = run_cli(
        url,
        "run",
        "--campaign",
        "Smoke",
        "--simulate",
        "--speed",
        "100",
        "--duration",
        "5",
        "--console",
    )
    assert result.exit_code == 0, result.output
    assert "agent console and supervisor view: http://127.0.0.1:" in result.output
