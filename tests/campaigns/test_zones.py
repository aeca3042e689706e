import numpy as np

from campaigns.regions import state_code, state_codes
from campaigns.zones import zone_of_state, zone_tables


def resolve(npa_nxx: int, zip5: int = -1, state: str | None = None) -> tuple[tuple, tuple]:
    tables = zone_tables()
    zones, states = tables.resolve(
        np.array([npa_nxx], dtype=np.int64), np.array([zip5], dtype=np.int64), [state]
    )
    return tables.zones.items[zones[0]], tables.states.items[states[0]]


def test_area_code_and_exchange() -> None:
    assert resolve(415_555) == (("America/Los_Angeles",), ("CA",))
    assert resolve(208_201) == (("America/Denver",), ("ID",))  # Idaho's split area code
    assert resolve(907_555)[0] == ("America/Adak", "America/Anchorage")


def test_address_and_number_zones_are_all_kept() -> None:
    zones, states = resolve(415_555, zip5=33101)  # a Miami ZIP on a San Francisco number
    assert zones == ("America/Los_Angeles", "America/New_York")
    assert states == ("CA", "FL")


def test_state_when_there_is_no_zip() -> None:
    zones, states = resolve(-1, state="FL")
    assert zones == ("America/Chicago", "America/New_York")
    assert states == ("FL",)
    assert "America/Indiana/Indianapolis" in zone_of_state("Indiana")


def test_non_geographic_numbers_have_no_zone() -> None:
    assert resolve(800_555) == ((), ())


def test_state_names_and_codes() -> None:
    assert state_code(" florida ") == "FL"
    assert state_code("ON") == "ON"
    assert state_code("Atlantis") is None
    assert state_codes("Nova Scotia/Prince Edward Island") == ("NS", "PE")
    assert state_codes("Jersey City, NJ") == ("NJ",)
