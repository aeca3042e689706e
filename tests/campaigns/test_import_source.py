from pathlib import Path

import pytest

from campaigns.importer.columns import parse_maps, plan_columns
from campaigns.importer.source import open_source
from dialer.errors import InputError

ROWS = "Name;Phone\nJosé;4155552671\nRenée;4155552672\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (ROWS.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + ROWS.encode("utf-8"), "utf-8-sig"),
        (ROWS.encode("cp1252") + "“quoted”;4155552673\n".encode("cp1252"), "cp1252"),
        (ROWS.encode("latin-1") + b"\x81;4155552673\n", "latin-1"),
        (ROWS.encode("utf-16"), "utf-16"),
    ],
)
def test_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(data)
    source = open_source(path)
    assert source.encoding == encoding
    assert source.header == ("Name", "Phone")
    assert source.delimiter == ";"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "leads.csv"
    rows = [
        ["Phone", "Name", "Notes"],
        ["4155552671", '"Lee, Ann"', "a;b|c"],
        ["4155552672", "B", ""],
    ]
    path.write_text("\n".join(delimiter.join(r) for r in rows) + "\n")
    assert open_source(path).delimiter == delimiter


def test_single_column_file(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("phone\n4155552671\n")
    source = open_source(path)
    assert (source.delimiter, source.header) == (",", ("phone",))


def test_blank_lines_before_the_header_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("\n\nphone,name\n4155552671,A\n")
    source = open_source(path)
    assert (source.header, source.skip) == (("phone", "name"), 3)


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "is empty"), (b"\n \n", "is empty"), (b"\x00\x01\x02phone", "binary")],
)
def test_unusable_files(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        open_source(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        open_source(tmp_path / "nope.csv")


@pytest.mark.parametrize(
    "header", ["Phone", "phone_number", "Phone Number", "PHONE", "Cell Phone", "telephone", "Tel."]
)
def test_header_spellings(header: str) -> None:
    plan = plan_columns(("Name", header, "Zip Code"), {}, "f.csv")
    assert plan.fields["phone"] == 1
    assert plan.fields["zip"] == 2
    assert plan.custom == (("Name", 0),)


def test_maps_win_and_other_columns_are_custom() -> None:
    header = ("Home", "Cell", "Postal", "Favourite colour")
    plan = plan_columns(header, parse_maps(["phone=Cell", "zip=postal"]), "f.csv")
    assert plan.fields == {"phone": 1, "zip": 2}
    assert plan.custom == (("Home", 0), ("Favourite colour", 3))


@pytest.mark.parametrize(
    ("maps", "message"),
    [(["phone"], "FIELD=COLUMN"), (["colour=Cell"], "unknown field"), (["phone=Fax"], "no column")],
)
def test_bad_maps(maps: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        plan_columns(("Cell",), parse_maps(maps), "f.csv")


def test_no_phone_column() -> None:
    with pytest.raises(InputError, match="no phone column"):
        plan_columns(("Name", "Email"), {}, "f.csv")
