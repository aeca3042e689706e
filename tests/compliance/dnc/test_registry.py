"""Registry imports (full lists, change lists, zips, states) and memory-mapped lookups."""

from __future__ import annotations

import os
import tempfile
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.dnc import bitfile
from compliance.dnc.build import import_registry
from compliance.dnc.registry import Registry, list_name_for, registry_path, registry_paths
from dialer.errors import ComplianceDataError, InputError

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
DAY = date(2025, 2, 27)


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def _open(data: Path, name: str = "national") -> Registry:
    return Registry.open(registry_path(data, name))


def test_full_import_keeps_good_lines_and_reports_bad_ones(tmp_path: Path) -> None:
    src = _write(tmp_path, "212.txt", "2125550100\nbad line\n212,5550101\n2120550100\n")
    report = import_registry(tmp_path / "d", "national", [src], now=NOW, data_date=DAY)
    assert report.numbers == 2
    assert report.lines == 4
    assert [(b.source, b.line) for b in report.bad_lines] == [(str(src), 2), (str(src), 4)]
    reg = _open(tmp_path / "d")
    assert reg.contains_many([2125550100, 2125550101, 2125550102, 0, -5]).tolist() == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert reg.data_date == DAY
    assert len(reg) == 2


def test_zipped_and_plain_files_in_one_import(tmp_path: Path) -> None:
    plain = _write(tmp_path, "212.txt", "2125550100\n")
    member = _write(tmp_path, "305.txt", "3055550100\n3055550101\n")
    archive = tmp_path / "dnc.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(member, "lists/305.txt")
        zf.writestr("lists/", "")
    report = import_registry(tmp_path / "d", "national", [plain, archive], now=NOW, data_date=DAY)
    assert report.files == 2
    reg = _open(tmp_path / "d")
    assert reg.contains_many([2125550100, 3055550101, 3055550102]).tolist() == [True, True, False]
    assert reg.meta.area_codes == (212, 305)


def test_coverage_includes_area_codes_named_by_empty_files(tmp_path: Path) -> None:
    files = [_write(tmp_path, "212.txt", "2125550100\n"), _write(tmp_path, "dnc_917.txt", "")]
    import_registry(tmp_path / "d", "national", files, now=NOW, data_date=DAY)
    reg = _open(tmp_path / "d")
    assert reg.covers_many([2125559999, 9175550100, 3055550100]).tolist() == [True, True, False]


def test_change_lists_add_and_delete(tmp_path: Path) -> None:
    data = tmp_path / "d"
    full = _write(tmp_path, "212.txt", "2125550100\n2125550101\n")
    import_registry(data, "national", [full], now=NOW, data_date=date(2025, 2, 1))
    flagged = _write(tmp_path, "changes.txt", "2125550100,D\n2125550199,A\n3055550100\n")
    deletions = _write(tmp_path, "212_deletions.txt", "2125550101\n")
    report = import_registry(
        data, "national", [flagged, deletions], now=NOW, data_date=DAY, change_list=True
    )
    assert (report.additions, report.deletions, report.unflagged) == (2, 2, 2)
    reg = _open(data)
    listed = reg.contains_many([2125550100, 2125550101, 2125550199, 3055550100])
    assert listed.tolist() == [False, False, True, True]
    assert reg.data_date == DAY
    assert reg.meta.covered_area_codes == (212,)  # change lists do not widen coverage
    assert [h["change_list"] for h in reg.meta.history] == [False, True]


def test_change_list_needs_a_registry_and_a_date_not_older(tmp_path: Path) -> None:
    data = tmp_path / "d"
    changes = _write(tmp_path, "c.txt", "2125550100,A\n")
    with pytest.raises(ComplianceDataError, match="import a full list first"):
        import_registry(data, "national", [changes], now=NOW, data_date=DAY, change_list=True)
    import_registry(data, "national", [changes], now=NOW, data_date=DAY)
    with pytest.raises(InputError, match="older"):
        import_registry(
            data, "national", [changes], now=NOW, data_date=date(2025, 1, 1), change_list=True
        )


def test_a_full_import_replaces_the_registry(tmp_path: Path) -> None:
    data = tmp_path / "d"
    import_registry(
        data, "national", [_write(tmp_path, "a.txt", "2125550100\n")], now=NOW, data_date=DAY
    )
    import_registry(
        data, "national", [_write(tmp_path, "b.txt", "3055550100\n")], now=NOW, data_date=DAY
    )
    assert _open(data).contains_many([2125550100, 3055550100]).tolist() == [False, True]


def test_nothing_valid_leaves_the_registry_unchanged(tmp_path: Path) -> None:
    data = tmp_path / "d"
    import_registry(
        data, "national", [_write(tmp_path, "a.txt", "2125550100\n")], now=NOW, data_date=DAY
    )
    with pytest.raises(InputError, match="unchanged"):
        import_registry(
            data, "national", [_write(tmp_path, "b.txt", "junk\n")], now=NOW, data_date=DAY
        )
    assert _open(data).contains(2125550100)


def test_a_crashed_write_leaves_the_old_registry_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "d"
    import_registry(
        data, "national", [_write(tmp_path, "a.txt", "2125550100\n")], now=NOW, data_date=DAY
    )

    def crash(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        import_registry(
            data, "national", [_write(tmp_path, "b.txt", "3055550100\n")], now=NOW, data_date=DAY
        )
    assert _open(data).contains(2125550100)
    assert [p.name for p in (data / "dnc").iterdir()] == ["national.dncbits"]


def test_truncated_file_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "d"
    import_registry(
        data, "national", [_write(tmp_path, "a.txt", "2125550100\n")], now=NOW, data_date=DAY
    )
    path = registry_path(data, "national")
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size - 1)
    with pytest.raises(ComplianceDataError, match="truncated"):
        Registry.open(path)
    path.write_bytes(b"not a registry at all")
    with pytest.raises(ComplianceDataError, match="not a DNC registry"):
        Registry.open(path)


def test_state_lists_are_tagged(tmp_path: Path) -> None:
    data = tmp_path / "d"
    src = _write(tmp_path, "fl.txt", "3055550100\n")
    import_registry(data, list_name_for("fl"), [src], now=NOW, data_date=DAY)
    import_registry(data, list_name_for("US-TX"), [src], now=NOW, data_date=date(2025, 1, 2))
    found = registry_paths(data)
    assert sorted(found) == ["state:FL", "state:TX"]
    assert Registry.open(found["state:TX"]).data_date == date(2025, 1, 2)
    with pytest.raises(InputError):
        list_name_for("Florida")


def test_date_from_file_names_or_file_dates(tmp_path: Path) -> None:
    data = tmp_path / "d"
    named = _write(tmp_path, "dnc_2025_02_14_212.txt", "2125550100\n")
    assert import_registry(data, "national", [named], now=NOW).data_date == date(2025, 2, 14)
    assert _open(data).meta.covered_area_codes == (212,)
    plain = _write(tmp_path, "list.txt", "2125550100\n")
    stamp = datetime(2025, 2, 10, 8, tzinfo=UTC).timestamp()
    os.utime(plain, (stamp, stamp))
    report = import_registry(data, "national", [plain], now=NOW)
    assert (report.data_date, report.date_source) == (
        date(2025, 2, 10),
        "oldest file modification date",
    )
    other = _write(tmp_path, "dnc_20250215.txt", "2125550100\n")
    with pytest.raises(InputError, match="different dates"):
        import_registry(data, "national", [named, other], now=NOW)
    with pytest.raises(InputError, match="future"):
        import_registry(data, "national", [plain], now=NOW, data_date=date(2025, 3, 5))
    with pytest.raises(InputError, match="no such file"):
        import_registry(data, "national", [tmp_path / "missing.txt"], now=NOW)


@settings(max_examples=25, deadline=None)
@given(
    listed=st.sets(st.integers(0, 3 * 8_000_000 - 1), max_size=300),
    probes=st.lists(st.integers(-10, 10_000_000_000), max_size=200),
)
def test_contains_many_agrees_with_a_set(listed: set[int], probes: list[int]) -> None:
    npas = (212, 213, 999)
    numbers = {npas[i // 8_000_000] * 10**7 + 2_000_000 + i % 8_000_000 for i in listed}
    probes += list(numbers)[:50] + [n + 1 for n in list(numbers)[:50]]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "all.txt"
        src.write_text("".join(f"{n}\n" for n in sorted(numbers)) or "2125550100\n")
        expected = numbers or {2125550100}
        import_registry(Path(tmp) / "d", "national", [src], now=NOW, data_date=DAY)
        reg = _open(Path(tmp) / "d")
        got = reg.contains_many(np.array(probes, dtype=np.int64))
        assert got.tolist() == [p in expected for p in probes]
        assert len(reg) == len(expected)


def test_header_layout_is_page_aligned(tmp_path: Path) -> None:
    import_registry(
        tmp_path / "d",
        "national",
        [_write(tmp_path, "a.txt", "2125550100\n")],
        now=NOW,
        data_date=DAY,
    )
    meta, offset = bitfile.read_meta(registry_path(tmp_path / "d", "national"))
    assert offset % 4096 == 0
    assert meta.numbers == 1
