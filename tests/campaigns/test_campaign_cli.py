import pytest

from tests.cli_helpers import run_cli

CREATE = ["campaign", "create", "Spring", "--purpose", "telemarketing", "--caller-id"]


@pytest.fixture
def db(db_url: str) -> str:
    assert run_cli(db_url, "init").exit_code == 0
    return db_url


def test_create_list_show_update_archive(db: str) -> None:
    result = run_cli(db, *CREATE, "(415) 555-2671", "--dial-mode", "predictive")
    assert result.exit_code == 0, result.output
    listed = run_cli(db, "campaign", "list")
    assert "Spring" in listed.output
    assert "+14155552671" in listed.output
    shown = run_cli(db, "campaign", "show", "Spring")
    assert "predictive" in shown.output
    assert "3.0%" in shown.output
    assert run_cli(db, "campaign", "update", "Spring", "--abandon-target", "0.02").exit_code == 0
    assert "2.0%" in run_cli(db, "campaign", "show", "Spring").output
    assert run_cli(db, "campaign", "archive", "Spring").exit_code == 0
    assert "Spring" not in run_cli(db, "campaign", "list").output
    assert "Spring" in run_cli(db, "campaign", "list", "--archived").output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["+1415"], "caller ID"),
        (["+14155552671", "--abandon-target", "0.05"], "legal cap 0.03"),
        (["+14155552671", "--local-start", "25:00"], "HH:MM"),
        (["+14155552671", "--country", "ZZ"], "no abandonment rules"),
    ],
)
def test_bad_values_get_one_clear_line(db: str, extra: list[str], message: str) -> None:
    result = run_cli(db, *CREATE, *extra)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1


def test_bad_purpose_is_refused_by_the_parser(db: str) -> None:
    result = run_cli(
        db, "campaign", "create", "X", "--purpose", "spam", "--caller-id", "+14155552671"
    )
    assert result.exit_code == 2
    assert "spam" in result.output


def test_duplicate_name_and_unknown_campaign(db: str) -> None:
    assert run_cli(db, *CREATE, "+14155552671").exit_code == 0
    dup = run_cli(db, *CREATE, "+14155552671")
    assert dup.exit_code == 4
    assert "exists already" in dup.output
    missing = run_cli(db, "campaign", "show", "Nope")
    assert missing.exit_code == 3
    assert "no campaign named 'Nope'" in missing.output


def test_uninitialised_database_is_explained(tmp_path: object) -> None:
    result = run_cli(f"sqlite:///{tmp_path}/empty.db", "campaign", "list")
    assert result.exit_code == 5
    assert "dialer init" in result.output


def test_init_twice_and_db_status(db: str) -> None:
    again = run_cli(db, "init")
    assert again.exit_code == 0
    assert "exists already" in again.output
    assert "up to date" in run_cli(db, "db", "status").output
