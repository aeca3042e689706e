"""End to end: `dialer leads import|list|export` on messy files, on SQLite and PostgreSQL."""

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from campaigns.enums import LeadStatus
from campaigns.models import ImportRun, Lead
from dialer.storage import make_engine, session_factory
from tests.cli_helpers import run_cli

FIXTURES = Path(__file__).with_name("fixtures")
CREATE = ["campaign", "create", "Spring", "--purpose", "telemarketing"]


@pytest.fixture
def db(db_url: str) -> str:
    assert run_cli(db_url, "init").exit_code == 0
    assert run_cli(db_url, *CREATE, "--caller-id", "+14155552671").exit_code == 0
    return db_url


def leads(db_url: str) -> dict[str, Lead]:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            return {lead.phone: lead for lead in session.scalars(select(Lead))}
    finally:
        engine.dispose()


def runs(db_url: str) -> list[ImportRun]:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            return list(session.scalars(select(ImportRun).order_by(ImportRun.id)))
    finally:
        engine.dispose()


def rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def messy(tmp_path: Path) -> Path:
    return Path(shutil.copy(FIXTURES / "messy.csv", tmp_path / "messy.csv"))


def test_messy_file(db: str, tmp_path: Path) -> None:
    result = run_cli(db, "leads", "import", "Spring", str(messy(tmp_path)))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "rows read:                  16" in out
    assert "imported:                    8  (1 not dialable: no time zone)" in out
    assert "duplicates:                  1  (1 duplicate in the file)" in out
    assert "rejected:                    6" in out
    assert "blank rows skipped:          1" in out
    reasons = ["fictional 555-01XX", "invalid exchange", "truncated by a spreadsheet"]
    reasons += ["wrong length", "not a phone number", "more fields than the header"]
    for reason in reasons:
        assert reason in out

    got = leads(db)
    assert sorted(got) == sorted(
        [
            "+14155552671",
            "+14155552672",
            "+14155552673",
            "+18005551234",
            "+19075551234",
            "+19175553344",
            "+13055557788",
            "+12082014455",
        ]
    )
    bob = got["+14155552672"]
    assert (bob.last_name, bob.state, bob.zip) == ("Smith, Jr.", "CA", "94612")
    assert bob.custom == {
        "Lead Source": "fair",
        "Notes": "likes\nmornings",
        "phone_extension": "12",
    }
    carla = got["+14155552673"]
    assert carla.timezones == ["America/Los_Angeles", "America/New_York"]
    assert carla.states == ["CA", "FL"]
    assert carla.first_name == "Carla"
    assert carla.last_name == "García"
    jose = got["+19175553344"]
    assert (jose.zip, jose.states) == ("01001", ["MA", "NY"])
    assert got["+12082014455"].timezones == ["America/Denver"]
    assert got["+13055557788"].custom["phone_extension"] == "204"
    toll_free = got["+18005551234"]
    assert toll_free.status is LeadStatus.NOT_DIALABLE
    assert toll_free.status_reason == "no time zone from ZIP, state or area code"
    assert toll_free.timezones == []
    assert {lead.status for lead in got.values()} == {LeadStatus.NEW, LeadStatus.NOT_DIALABLE}

    rows = rejects(tmp_path / "messy.rejects.csv")
    assert [(r["row"], r["reason"]) for r in rows] == [
        ("5", "fictional 555-01XX number"),
        ("6", "duplicate in the file (row 2)"),
        ("8", "invalid exchange"),
        ("10", "truncated by a spreadsheet"),
        ("12", "wrong length"),
        ("15", "not a phone number"),
        ("17", "more fields than the header"),
    ]
    assert rows[0]["First Name"] == "Dmitri"
    assert rows[0]["Phone Number"] == "'+1 212 555 0147"  # formula-safe cell
    assert rows[5]["Phone Number"] == "'=HYPERLINK(1)"
    run = runs(db)[0]
    assert (run.rows, run.imported, run.duplicates, run.rejected, run.blank) == (16, 8, 1, 6, 1)
    assert run.finished_at is not None
    assert run.reasons["wrong length"] == 1


def test_second_run_imports_nothing_new(db: str, tmp_path: Path) -> None:
    path = messy(tmp_path)
    assert run_cli(db, "leads", "import", "Spring", str(path)).exit_code == 0
    again = run_cli(db, "leads", "import", "Spring", str(path), "--list", "retry")
    assert again.exit_code == 0, again.output
    assert "imported 0 leads" in again.output
    assert "9 already in the campaign" in again.output
    assert len(leads(db)) == 8


def test_test_numbers_and_maps(db: str, tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text("Home,Cell,Postal\n,212-555-0147,10001\n,(212) 555-0148,\n")
    result = run_cli(
        db, "leads", "import", "Spring", str(path), "--map", "phone=Cell", "--map", "zip=Postal",
        "--allow-test-numbers", "--rejects", str(tmp_path / "out.csv"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    got = leads(db)
    assert sorted(got) == ["+12125550147", "+12125550148"]
    assert got["+12125550147"].zip == "10001"
    assert rejects(tmp_path / "out.csv") == []


@pytest.mark.parametrize(
    ("data", "encoding"),
    [("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"), ("utf-16", "utf-16")],
)
def test_encodings_and_delimiters(db: str, tmp_path: Path, data: str, encoding: str) -> None:
    path = tmp_path / "leads.csv"
    text = "Phone\tName\tCity\r\n(415) 555-2671\tRenée “Bee”\tSan José\r\n"
    path.write_bytes(text.encode(data))
    result = run_cli(db, "leads", "import", "Spring", str(path))
    assert result.exit_code == 0, result.output
    assert f"({encoding}, delimiter 'tab')" in result.output
    lead = leads(db)["+14155552671"]
    assert (lead.first_name, lead.city) == (None, "San José")
    assert lead.custom == {"Name": "Renée “Bee”"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"Phone,Name\n", "has a header but no rows"),
        (b"Name,Email\nAnn,a@example.com\n", "no phone column"),
        (b"\x00\x00\x00\x01", "binary"),
    ],
)
def test_unusable_files_fail_with_one_line(
    db: str, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = run_cli(db, "leads", "import", "Spring", str(path))
    assert result.exit_code == 2
    assert message in result.output
    assert result.output.count("\n") == 1
    assert result.output.startswith("error: ")
    assert leads(db) == {}
    assert runs(db) == []
    assert not (tmp_path / "bad.rejects.csv").exists()


def test_missing_file_and_unknown_campaign(db: str, tmp_path: Path) -> None:
    missing = run_cli(db, "leads", "import", "Spring", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2
    assert "cannot read" in missing.output
    unknown = run_cli(db, "leads", "import", "Autumn", str(messy(tmp_path)))
    assert unknown.exit_code == 3
    assert "no campaign named 'Autumn'" in unknown.output


def test_list_and_export(db: str, tmp_path: Path) -> None:
    assert run_cli(db, "leads", "import", "Spring", str(messy(tmp_path))).exit_code == 0
    listed = run_cli(db, "leads", "list", "Spring", "--status", "not_dialable")
    assert listed.exit_code == 0
    assert "+18005551234" in listed.output
    assert "+14155552671" not in listed.output
    out = tmp_path / "export.csv"
    exported = run_cli(db, "leads", "export", "Spring", "--out", str(out))
    assert exported.exit_code == 0
    assert "exported 8 leads" in exported.output
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 8
    assert all(r["phone"].startswith("'+1") for r in rows)
    ann = next(r for r in rows if r["phone"] == "'+14155552671")
    assert (ann["Lead Source"], ann["timezones"], ann["zip"]) == (
        "web",
        "America/Los_Angeles",
        "94105",
    )


def test_readme_quick_start_example(db: str, tmp_path: Path) -> None:
    example = Path(__file__).parents[2] / "examples" / "leads.csv"
    path = Path(shutil.copy(example, tmp_path / "leads.csv"))
    result = run_cli(db, "leads", "import", "Spring", str(path))
    assert result.exit_code == 0, result.output
    assert "imported 10 leads" in result.output
    assert "1 not dialable" in result.output
    got = leads(db)
    maria = got["+14158672291"]
    assert str(maria.consent_date) == "2026-03-14"
    assert maria.consent_type.value == "express_written"
    assert str(got["+12127364410"].consent_date) == "2026-03-02"  # from 3/2/2026
    assert got["+16174927781"].zip == "02139"
    assert got["+13129476630"].custom["phone_extension"] == "214"
    assert [r["reason"] for r in rejects(tmp_path / "leads.rejects.csv")][-1].startswith(
        "invalid consent_date"
    )


def test_unwritable_rejects_file_fails_before_importing(db: str, tmp_path: Path) -> None:
    result = run_cli(
        db, "leads", "import", "Spring", str(messy(tmp_path)), "--rejects", str(tmp_path)
    )
    assert result.exit_code == 2
    assert "cannot write the rejects file" in result.output
    assert leads(db) == {}
    assert runs(db) == []
