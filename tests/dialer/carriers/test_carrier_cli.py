"""`dialer carrier check` and `dialer serve`, run as the user runs them, against the fake."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx

from dialer.carriers.twilio import twiml
from tests.cli_helpers import run_cli
from tests.dialer.carriers.twilio.harness import ACCOUNT_SID, AUTH_TOKEN, CALLER_ID, free_port
from tests.fakes.twilio_fake import running_fake

ROOT = Path(__file__).resolve().parents[3]


def _env(api_base: str, db_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DIALER_", "TWILIO_"))}
    return {
        **env,
        "PYTHONPATH": str(ROOT),
        "DIALER_CONFIG": "/nonexistent/dialer.toml",
        "DIALER_DATABASE_URL": db_url,
        "DIALER_CARRIER": "twilio",
        "DIALER_PUBLIC_URL": "https://dialer.example.com",
        "DIALER_TWILIO_API_BASE": api_base,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        **extra,
    }


async def _dialer(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_check_passes_for_owned_and_verified_caller_ids(tmp_path: Path) -> None:
    async with running_fake(ACCOUNT_SID, AUTH_TOKEN) as (fake, api_base):
        fake.numbers.add(CALLER_ID)
        fake.verified.add("+14155550111")
        env = _env(api_base, f"sqlite:///{tmp_path / 'd.db'}")
        code, out, err = await _dialer(
            env, "carrier", "check", "--caller-id", CALLER_ID, "--caller-id", "+14155550111"
        )
        assert (code, err) == (0, "")
        assert f"caller ID {CALLER_ID}: ok" in out
        assert "caller ID +14155550111: ok" in out
        assert fake.violations == []


async def test_check_fails_for_campaign_caller_ids_not_on_the_account(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'd.db'}"
    assert run_cli(db_url, "init").exit_code == 0
    created = run_cli(
        db_url, "campaign", "create", "Demo", "--purpose", "survey", "--caller-id", "+14155550177"
    )
    assert created.exit_code == 0
    async with running_fake(ACCOUNT_SID, AUTH_TOKEN) as (fake, api_base):
        fake.numbers.add(CALLER_ID)
        code, out, err = await _dialer(_env(api_base, db_url), "carrier", "check")
        assert code != 0
        assert "caller ID +14155550177: NOT on the account" in out
        assert err.startswith("error: caller ID(s) neither owned nor verified")
        assert "Traceback" not in err


async def test_check_with_wrong_credentials_is_one_error_line(tmp_path: Path) -> None:
    async with running_fake(ACCOUNT_SID, "the-real-token") as (_, api_base):
        env = _env(api_base, f"sqlite:///{tmp_path / 'd.db'}")
        code, out, err = await _dialer(env, "carrier", "check", "--caller-id", CALLER_ID)
        assert code != 0
        assert err.strip().splitlines() == [
            "error: fetching the Twilio account: Twilio refused the account SID / auth token"
        ]
        assert AUTH_TOKEN not in out + err


async def test_serve_answers_signed_webhooks_and_refuses_forged_ones(tmp_path: Path) -> None:
    port = free_port()
    async with running_fake(ACCOUNT_SID, AUTH_TOKEN) as (fake, api_base):
        env = _env(api_base, f"sqlite:///{tmp_path / 'd.db'}")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cli", "serve", "--listen", f"127.0.0.1:{port}",
            cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            local = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient() as client:
                await _until_up(client, local)
                public = "https://dialer.example.com" + twiml.STATUS_PATH
                params = {"CallSid": "CA" + "2" * 32, "CallStatus": "ringing"}
                headers = {"X-Twilio-Signature": fake.sign(public, params)}
                url = local + twiml.STATUS_PATH
                good = await client.post(url, data=params, headers=headers)
                bad = await client.post(url, data=params, headers={"X-Twilio-Signature": "x"})
            assert (good.status_code, bad.status_code) == (204, 403)
        finally:
            proc.send_signal(signal.SIGINT)
            out, err = await asyncio.wait_for(proc.communicate(), 30)
        assert "serving Twilio webhooks" in out.decode()
        assert "refused /twilio/status" in err.decode()
        assert AUTH_TOKEN not in out.decode() + err.decode()


async def _until_up(client: httpx.AsyncClient, base: str) -> None:
    async with asyncio.timeout(30):
        while True:
            try:
                if (await client.get(base + "/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
