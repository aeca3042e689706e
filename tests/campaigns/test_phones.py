import numpy as np
import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.nanp import Reason, validate_nanp
from campaigns.phones import normalize_phone, normalize_phones, parse_nanp_text

US_REGIONS = {"US", "PR", "VI", "GU", "AS", "MP"}


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("(415) 555-2671", "+14155552671"),
        ("415.555.2671", "+14155552671"),
        ("415-555-2671", "+14155552671"),
        ("415 555 2671", "+14155552671"),
        ("4155552671", "+14155552671"),
        ("14155552671", "+14155552671"),
        ("1-415-555-2671", "+14155552671"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("  +14155552671 ", "+14155552671"),
        ("'+14155552671", "+14155552671"),
        ("4.155552671E9", "+14155552671"),
        ("4.155552671e+09", "+14155552671"),
        ("1.4155552671E10", "+14155552671"),
        ("4155552671.0", "+14155552671"),
        ("415-555-2671 x123", "+14155552671"),
        ("(415) 555-2671 ext. 9", "+14155552671"),
        ("415.555.2671#77", "+14155552671"),
        ("(787) 555-2671", "+17875552671"),  # Puerto Rico: US law applies
    ],
)
def test_common_spellings_become_e164(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == (e164, None)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", Reason.MISSING),
        ("   ", Reason.MISSING),
        ("n/a", Reason.NOT_A_NUMBER),
        ("555-1234", Reason.WRONG_LENGTH),
        ("415555267", Reason.WRONG_LENGTH),
        ("141555526712", Reason.WRONG_LENGTH),
        ("+1 415 555 267", Reason.WRONG_LENGTH),
        ("(123) 456-7890", Reason.AREA_CODE),
        ("(911) 555-2671", Reason.AREA_CODE),
        ("(415) 055-2671", Reason.EXCHANGE),
        ("(212) 911-1234", Reason.EXCHANGE),
        ("(999) 555-2671", Reason.NOT_IN_SERVICE),
        ("(212) 555-0147", Reason.FICTIONAL),
        ("(416) 555-2671", Reason.OTHER_COUNTRY),  # Toronto, for a US campaign
        ("(876) 555-2671", Reason.OTHER_COUNTRY),  # Jamaica
        ("+44 20 7946 0958", Reason.OTHER_COUNTRY),
        ("4.15555E+09", Reason.TRUNCATED),
    ],
)
def test_invalid_numbers_get_their_reason(raw: str, reason: str) -> None:
    assert normalize_phone(raw) == (None, reason)


def test_test_numbers_only_when_allowed() -> None:
    assert normalize_phone("212-555-0147", allow_test_numbers=True) == ("+12125550147", None)
    assert normalize_phone("212-555-0200") == ("+12125550200", None)


def test_canadian_campaign_takes_canadian_numbers() -> None:
    assert normalize_phone("(416) 555-2671", "CA") == ("+14165552671", None)
    assert normalize_phone("(415) 555-2671", "CA") == (None, Reason.OTHER_COUNTRY)


def test_other_countries_use_phonenumbers() -> None:
    assert normalize_phone("020 7946 0958", "GB") == ("+442079460958", None)
    assert normalize_phone("(415) 555-2671", "GB")[1] is not None


def test_extensions_are_kept() -> None:
    batch = normalize_phones(["415-555-2671 x123", "(415) 555-2672"])
    assert list(batch.e164) == ["+14155552671", "+14155552672"]
    assert list(batch.extension) == ["123", None]


valid_npa = st.sampled_from([201, 212, 305, 415, 503, 617, 702, 808, 907, 919, 787])
exchange = st.integers(200, 999).filter(lambda n: n % 100 != 11 and n != 555)
line = st.integers(0, 9999)
spelling = st.sampled_from(
    [
        "({a}) {b}-{c}",
        "{a}-{b}-{c}",
        "{a}.{b}.{c}",
        "{a}{b}{c}",
        "1{a}{b}{c}",
        "+1 {a} {b} {c}",
        "1-{a}-{b}-{c}",
        " {a} {b} {c} ",
        "{a}-{b}-{c} x42",
        "'{a}{b}{c}",
    ]
)


@given(valid_npa, exchange, line, spelling)
def test_every_spelling_of_a_valid_number_gives_the_same_e164(
    a: int, b: int, c: int, form: str
) -> None:
    raw = form.format(a=a, b=b, c=f"{c:04d}")
    assert normalize_phone(raw) == (f"+1{a}{b}{c:04d}", None)


@given(st.text(alphabet="0123456789 ()-.+1x", max_size=24))
def test_fast_path_agrees_with_the_slow_path(text: str) -> None:
    """The vectorized parse of a column equals the one-value parse of each cell."""
    fast = normalize_phones([text])
    number, reason, _ = parse_nanp_text(text)
    if reason is None:
        assert number is not None
        reason = validate_nanp(np.array([number], dtype=np.int64))[0]
        assert fast.reason[0] == reason
        assert fast.e164[0] == (f"+1{number}" if reason is None else None)
    else:
        assert fast.reason[0] == reason


@settings(max_examples=300)
@given(st.integers(2_000_000_000, 9_999_999_999))
def test_validity_agrees_with_phonenumbers(number: int) -> None:
    npa, nxx = number // 10**7, number // 10**4 % 1000
    reason = validate_nanp(np.array([number], dtype=np.int64), allow_test_numbers=True)[0]
    if nxx < 200 or nxx % 100 == 11 or npa % 100 == 11:
        assert reason is not None
        return
    parsed = phonenumbers.PhoneNumber(country_code=1, national_number=number)
    valid = phonenumbers.is_valid_number(parsed)
    assert (reason is None) == (valid and phonenumbers.region_code_for_number(parsed) in US_REGIONS)


@given(st.lists(st.text(max_size=30), max_size=20))
def test_every_cell_gets_a_number_or_a_reason(cells: list[str]) -> None:
    batch = normalize_phones(cells)
    for e164, reason in zip(batch.e164, batch.reason, strict=True):
        assert (e164 is None) != (reason is None)
        if e164 is not None:
            assert phonenumbers.is_valid_number(phonenumbers.parse(e164))
