import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from dialer.csv_safe import safe_cell, write_safe_rows


@given(st.text())
def test_no_cell_starts_like_a_formula(text: str) -> None:
    cell = safe_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell.endswith(text)


def test_phone_numbers_and_formulas_are_quoted() -> None:
    buf = io.StringIO()
    rows = [["+14155550100", "=HYPERLINK(1)", "plain", None, 3]]
    assert write_safe_rows(csv.writer(buf), rows) == 1
    assert buf.getvalue().strip() == "'+14155550100,'=HYPERLINK(1),plain,,3"
