"""The chain verifier, pure: every kind of tampering is found and named (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.audit.chain import (
    FIELD_SEP,
    GENESIS,
    canonical,
    canonical_cells,
    chain_hash,
    record_columns,
)
from compliance.audit.verify import ChainVerifier, Finding, FindingKind, StoredRow
from tests.compliance.audit.factory import record


def build(n: int) -> list[StoredRow]:
    rows: list[StoredRow] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        text = canonical(canonical_cells(seq, prev, record_columns(record(seq))))
        digest = chain_hash(text)
        rows.append((seq, prev, digest, text))
        prev = digest
    return rows


def check(rows: list[StoredRow], head: tuple[int, str] | None) -> list[Finding]:
    verifier = ChainVerifier()
    verifier.feed(rows[: len(rows) // 2])
    verifier.feed(rows[len(rows) // 2 :])
    return verifier.finish(head)


def head_of(rows: list[StoredRow]) -> tuple[int, str]:
    return rows[-1][0], rows[-1][2]


def renumber(rows: list[StoredRow], shift: int) -> list[StoredRow]:
    """Change the seq of ``rows`` (the text is rebuilt from the stored columns, so it changes)."""
    out = []
    for seq, prev, digest, text in rows:
        new = seq + shift
        out.append((new, prev, digest, f"{new}{text[len(str(seq)) :]}"))
    return out


def forged(seq: int, prev: str, call: int) -> StoredRow:
    text = canonical(canonical_cells(seq, prev, record_columns(record(call))))
    return seq, prev, chain_hash(text), text


def kinds_at(findings: list[Finding], kind: FindingKind) -> set[int]:
    return {s for f in findings if f.kind is kind for s in range(f.seq, f.last_seq + 1)}


def edit_text(text: str, old: str, new: str) -> str:
    return text.replace(old, new, 1)


SIZES = st.integers(min_value=2, max_value=30)


@given(SIZES)
def test_an_untouched_chain_has_no_findings(n: int) -> None:
    rows = build(n)
    assert check(rows, head_of(rows)) == []


@given(SIZES, st.data())
def test_an_edit_is_named(n: int, data: st.DataObject) -> None:
    rows = build(n)
    k = data.draw(st.integers(0, n - 1))
    seq, prev, digest, text = rows[k]
    rows[k] = (seq, prev, digest, edit_text(text, "completed", "busy"))
    findings = check(rows, head_of(rows))
    assert kinds_at(findings, FindingKind.EDITED) == {seq}
    assert f"call-{seq}" in findings[0].describe()


@given(SIZES, st.data())
def test_an_edit_with_a_rewritten_hash_is_named(n: int, data: st.DataObject) -> None:
    rows = build(n)
    k = data.draw(st.integers(0, n - 1))
    seq, prev, _digest, text = rows[k]
    text = edit_text(text, "completed", "busy")
    rows[k] = (seq, prev, chain_hash(text), text)
    findings = check(rows, (n, build(n)[-1][2]))
    assert kinds_at(findings, FindingKind.EDITED) == {seq}


@given(SIZES, st.data(), st.booleans())
def test_a_deletion_is_named(n: int, data: st.DataObject, renumbered: bool) -> None:
    rows = build(n)
    head = head_of(rows)
    k = data.draw(st.integers(0, n - 1))
    later = renumber(rows[k + 1 :], -1) if renumbered else rows[k + 1 :]
    tampered = rows[:k] + later
    findings = check(tampered, (head[0] - 1, tampered[-1][2]) if renumbered and k < n - 1 else head)
    assert findings
    deleted = kinds_at(findings, FindingKind.DELETED)
    if renumbered and k < n - 1:
        assert k + 1 in deleted  # where the record was
        assert kinds_at(findings, FindingKind.RENUMBERED) == set(range(k + 1, n))
    else:
        assert deleted == {k + 1}


@given(SIZES, st.data(), st.booleans())
def test_an_insertion_is_named(n: int, data: st.DataObject, with_valid_hash: bool) -> None:
    rows = build(n)
    k = data.draw(st.integers(1, n - 1))  # a new record takes seq k + 1
    new = forged(k + 1, rows[k - 1][2], 999)
    if not with_valid_hash:
        new = (new[0], new[1], "f" * 64, new[3])
    tampered = [*rows[:k], new, *renumber(rows[k:], +1)]
    findings = check(tampered, (n + 1, tampered[-1][2]))
    inserted = [f for f in findings if f.kind is FindingKind.INSERTED]
    assert [(f.seq, f.call_id) for f in inserted] == [(k + 1, "call-999")]
    assert kinds_at(findings, FindingKind.RENUMBERED) == set(range(k + 2, n + 2))


@given(SIZES)
def test_records_appended_behind_the_heads_back_are_named(n: int) -> None:
    rows = build(n)
    head = head_of(rows)
    rows.append(forged(n + 1, rows[-1][2], 777))
    findings = check(rows, head)
    assert [(f.kind, f.seq, f.call_id) for f in findings] == [
        (FindingKind.INSERTED, n + 1, "call-777")
    ]


@settings(max_examples=30)
@given(SIZES, st.data())
def test_separator_smuggling_is_an_edit(n: int, data: st.DataObject) -> None:
    """Moving a field boundary keeps the text but adds a separator inside a field."""
    rows = build(n)
    k = data.draw(st.integers(0, n - 1))
    seq, prev, digest, text = rows[k]
    rows[k] = (seq, prev, digest, text + FIELD_SEP)
    assert kinds_at(check(rows, head_of(rows)), FindingKind.EDITED) == {seq}


def test_an_anchor_reveals_a_rewritten_history() -> None:
    rows = build(5)
    anchor = {3: rows[2][2]}
    rewritten = build(2)
    prev = rewritten[-1][2]
    for seq in range(3, 6):
        row = forged(seq, prev, 100 + seq)
        rewritten.append(row)
        prev = row[2]
    assert check(rewritten, head_of(rewritten)) == []  # consistent on its own
    verifier = ChainVerifier(anchor)
    verifier.feed(rewritten)
    findings = verifier.finish(head_of(rewritten))
    assert [(f.kind, f.seq) for f in findings] == [(FindingKind.ANCHOR, 3)]
