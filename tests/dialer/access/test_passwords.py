from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.access.passwords import hash_password, needs_rehash, verify_password


@settings(max_examples=8, deadline=None)
@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_a_hash_verifies_its_password_only(password: str, other: str) -> None:
    stored = hash_password(password)
    assert verify_password(password, stored)
    assert verify_password(other, stored) == (other == password)


def test_hashes_are_salted_and_never_contain_the_password() -> None:
    first, second = hash_password("hunter2hunter2"), hash_password("hunter2hunter2")
    assert first != second
    assert "hunter2" not in first
    assert first.startswith("scrypt$16384$8$1$")
    assert not needs_rehash(first)
    assert needs_rehash("scrypt$1024$8$1$AAAA$AAAA")


def test_malformed_hashes_never_match() -> None:
    for stored in ("", "plain", "scrypt$x$8$1$a$b", "bcrypt$1$2$3$4$5", "scrypt$16384$8$1$!!$!!"):
        assert not verify_password("anything", stored)
