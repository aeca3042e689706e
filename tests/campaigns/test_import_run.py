"""The import as a library call: interruption and re-run, concurrent duplicates, schema."""

import shutil
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, func, inspect, select
from sqlalchemy.orm import Session

from campaigns.enums import Purpose
from campaigns.importer import ImportOptions, import_leads
from campaigns.models import ImportRun, Lead
from campaigns.service import CampaignSpec, create_campaign
from dialer.clock import RealClock
from dialer.storage import load_models

FIXTURES = Path(__file__).with_name("fixtures")


@pytest.fixture
def campaign(engine: Engine) -> str:
    with Session(engine) as session, session.begin():
        spec = CampaignSpec(purpose=Purpose.SURVEY, caller_id="+14155552671")
        create_campaign(session, "Poll", spec, RealClock().now())
    return "Poll"


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Lead)) or 0)


class Stop(KeyboardInterrupt):
    pass


def test_interrupted_import_is_consistent_and_can_be_run_again(
    engine: Engine, campaign: str, tmp_path: Path
) -> None:
    path = Path(shutil.copy(FIXTURES / "messy.csv", tmp_path / "messy.csv"))
    options = ImportOptions(chunk_rows=4)
    calls = []

    def interrupt(done: int, total: int) -> None:
        calls.append(done)
        raise Stop

    with pytest.raises(Stop):
        import_leads(engine, campaign, path, options, RealClock(), interrupt)
    assert count(engine) == 3  # the first chunk (rows 2-5: Ann, Bob, Carla; Dmitri rejected)
    with Session(engine) as session:
        run = session.scalars(select(ImportRun)).one()
        assert (run.imported, run.rejected, run.finished_at) == (3, 1, None)

    summary = import_leads(engine, campaign, path, options, RealClock())
    assert count(engine) == 8
    assert summary.imported == 5
    assert summary.duplicates["already in the campaign"] == 4  # Eve repeats Ann's number


def test_leads_inserted_meanwhile_count_as_duplicates(
    engine: Engine, campaign: str, tmp_path: Path
) -> None:
    path = tmp_path / "a.csv"
    path.write_text("phone\n(415) 555-2671\n(415) 555-2672\n")
    first = import_leads(engine, campaign, path, ImportOptions(), RealClock())
    assert first.imported == 2
    with Session(engine) as session, session.begin():
        session.execute(Lead.__table__.delete().where(Lead.phone == "+14155552672"))
    second = import_leads(engine, campaign, path, ImportOptions(), RealClock())
    assert (second.imported, second.duplicates["already in the campaign"]) == (1, 1)


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), load_models())
    ours = [d for d in diff if "leads" in str(d) or "import_runs" in str(d)]
    assert ours == []
    indexes = {ix["name"]: ix for ix in inspect(engine).get_indexes("leads")}
    assert "ix_leads_lease" in indexes


def test_writer_skips_numbers_inserted_by_another_import(engine: Engine, campaign: str) -> None:
    import numpy as np

    from campaigns.importer.store import LEAD_COLUMNS, LeadWriter
    from campaigns.service import get_campaign, get_or_create_list

    clock = RealClock()
    with Session(engine, expire_on_commit=False) as session, session.begin():
        found = get_campaign(session, campaign)
        lead_list = get_or_create_list(session, found, "default", clock.now())
        run = ImportRun(
            campaign_id=found.id, list_id=lead_list.id, source="x", started_at=clock.now()
        )
        session.add(run)
    values = {name: np.full(2, None, dtype=object) for name in LEAD_COLUMNS}
    values.update(
        phone=np.array(["+14155552671", "+14155552672"], dtype=object),
        timezones=np.full(2, "[]", dtype=object),
        states=np.full(2, "[]", dtype=object),
        custom=np.full(2, "{}", dtype=object),
        line_type=np.full(2, "unknown", dtype=object),
        consent_type=np.full(2, "none", dtype=object),
        written_permission=np.full(2, False, dtype=object),
        status=np.full(2, "new", dtype=object),
    )
    with engine.connect() as conn:
        writer = LeadWriter(conn, run, clock.now())
        with conn.begin():
            assert writer.insert(values, 2) == 2
        with conn.begin():
            assert writer.insert(values, 2) == 0
    assert count(engine) == 2
