"""`dialer dnc ...` end to end on both back ends."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli


@pytest.fixture
def db(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DIALER_DATA_DIR", str(tmp_path / "data"))
    assert run_cli(db_url, "init").exit_code == 0
    created = run_cli(
        db_url,
        "campaign",
        "create",
        "Spring",
        "--purpose",
        "telemarketing",
        "--caller-id",
        "+14155552671",
    )
    assert created.exit_code == 0, created.output
    return db_url


def test_registry_import_check_and_status(db: str, tmp_path: Path) -> None:
    plain = tmp_path / "212_2025-02-01.txt"
    plain.write_text("2125550100\nnot a number\n212,5550101\n")
    member = tmp_path / "305_2025-02-01.txt"
    member.write_text("3055550100\r\n")
    archive = tmp_path / "dnc_2025-02-01.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(member, member.name)
    result = run_cli(db, "dnc", "import", "national", str(plain), str(archive))
    assert result.exit_code == 0, result.output
    assert "full list of 2025-02-01 (date from file names)" in result.output
    assert f"{plain}:2: no 10-digit phone number" in result.output
    assert "holds 3 numbers in 2 area code(s)" in result.output

    changes = tmp_path / "changes.txt"
    changes.write_text("2125550100,D\n2125550199,A\n")
    result = run_cli(
        db, "dnc", "import", "national", "--change-list", "--date", "2025-02-03", str(changes)
    )
    assert result.exit_code == 0, result.output
    assert "holds 3 numbers" in result.output
    result = run_cli(db, "dnc", "import", "state", "fl", "--date", "2025-01-15", str(plain))
    assert result.exit_code == 0, result.output

    status = run_cli(db, "dnc", "status").output
    assert "national: list of 2025-02-03" in status
    assert "state:FL: list of 2025-01-15" in status
    checked = run_cli(db, "dnc", "check", "212-555-0101").output
    assert "+12125550101: on national (2025-02-03): registered" in checked
    assert "+12125550101: on state:FL (2025-01-15)" in checked
    assert "on no do-not-call list" in run_cli(db, "dnc", "check", "+12125550102").output
    assert (
        "area code 718 is not in the imported registry"
        in run_cli(db, "dnc", "check", "+17185550100").output
    )


def test_company_and_campaign_lists(db: str, tmp_path: Path) -> None:
    added = run_cli(db, "dnc", "add", "(212) 555-0100", "--reason", "=asked", "--by", "agent 7")
    assert added.exit_code == 0, added.output
    assert "already on the company" in run_cli(db, "dnc", "add", "+12125550100").output
    assert run_cli(db, "dnc", "add", "+12125550101", "--campaign", "Spring").exit_code == 0
    checked = run_cli(db, "dnc", "check", "+12125550101", "--campaign", "Spring").output
    assert "on campaign:1" in checked
    assert "on no do-not-call list" in run_cli(db, "dnc", "check", "+12125550101").output
    removed = run_cli(db, "dnc", "remove", "+12125550100", "--reason", "mistake", "--by", "ops")
    assert removed.exit_code == 0, removed.output
    again = run_cli(db, "dnc", "remove", "+12125550100")
    assert again.exit_code == 3
    assert "error: +12125550100 is not on the company list" in again.output
    history = run_cli(db, "dnc", "history", "+12125550100").output
    assert "agent 7" in history
    assert "mistake" in history
    assert "+12125550100" not in run_cli(db, "dnc", "list").output
    assert "+12125550100" in run_cli(db, "dnc", "list", "--all").output

    out = tmp_path / "out.csv"
    assert run_cli(db, "dnc", "export", "--out", str(out), "--all").exit_code == 0
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["phone"], r["reason"], r["removed_by"]) for r in rows] == [
        ("'+12125550100", "'=asked", "ops")
    ]

    listfile = tmp_path / "campaign.txt"
    listfile.write_text("2125550101\n2125550102\nxx\n")
    imported = run_cli(db, "dnc", "import", "campaign", "Spring", str(listfile))
    assert "1 added, 1 already listed, 1 malformed skipped" in imported.output
    assert f"{listfile}:3" in imported.output
    company = run_cli(db, "dnc", "import", "company", str(listfile))
    assert "2 added, 0 already listed" in company.output


def test_expected_failures_are_one_line(db: str, tmp_path: Path) -> None:
    result = run_cli(db, "dnc", "import", "national", str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    assert "error:" in result.output
    assert "Traceback" not in result.output
    assert run_cli(db, "dnc", "add", "+12125550100", "--campaign", "Nope").exit_code == 3
    assert run_cli(db, "dnc", "add", "garbage").exit_code == 2
    assert run_cli(db, "dnc", "import", "state", "Florida", str(tmp_path)).exit_code == 2
    assert "no registry imported" in run_cli(db, "dnc", "status").output


@pytest.mark.parametrize(
    "command",
    [
        ["dnc"],
        ["dnc", "import"],
        ["dnc", "import", "national"],
        ["dnc", "import", "state"],
        ["dnc", "import", "company"],
        ["dnc", "import", "campaign"],
        ["dnc", "add"],
        ["dnc", "remove"],
        ["dnc", "check"],
        ["dnc", "list"],
        ["dnc", "history"],
        ["dnc", "export"],
        ["dnc", "status"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = run_cli("sqlite://", *command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_canadian_national_list(db: str, tmp_path: Path) -> None:
    dncl = tmp_path / "dncl_2025-02-10.txt"
    dncl.write_text("4165550100\n")
    result = run_cli(db, "dnc", "import", "national", "--country", "CA", str(dncl))
    assert result.exit_code == 0, result.output
    assert "national:CA registry now holds 1 numbers" in result.output
    assert "national:CA: list of 2025-02-10" in run_cli(db, "dnc", "status").output
    checked = run_cli(db, "dnc", "check", "+14165550100").output
    assert "on national:CA (2025-02-10): registered" in checked
    refused = run_cli(db, "dnc", "import", "national", "--country", "GB", str(dncl))
    assert refused.exit_code == 2
    assert "no importable national registry for 'GB'" in refused.output
