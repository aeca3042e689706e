"""Chain verification, as a pure function of the stored rows (in ``seq`` order) and the head.

Each stored row gives ``(seq, prev_hash, hash, text)`` where ``text`` is its canonical text
recomputed from the stored columns. Checks, per row: the text hashes to ``hash``
(else: edited), ``prev_hash`` is the previous row's ``hash`` and ``seq`` follows on (else: a
record was inserted or deleted there); at the end, the head names the last row (else: records
deleted from, or appended behind the log's back to, the end).

Tampering that renumbers the records after an insertion or deletion shows as one run of
"renumbered" records; each finding names the record(s) by ``seq`` and call id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from compliance.audit.chain import CANON_FIELDS, FIELD_SEP, GENESIS

__all__ = [
    "ChainVerifier",
    "Finding",
    "FindingKind",
    "StoredRow",
    "head_findings",
    "merge_findings",
]

StoredRow = tuple[int, str, str, str]  # seq, prev_hash, hash, canonical text
_SEPS = len(CANON_FIELDS) - 1
_CALL_ID = CANON_FIELDS.index("call_id")


class FindingKind(StrEnum):
    EDITED = "edited"  # the record's content does not match its hash, or its hash was rewritten
    INSERTED = "inserted"  # the record was put into the chain after the fact
    DELETED = "deleted"  # records are missing
    RENUMBERED = "renumbered"  # records whose seq was changed (after an insertion or deletion)
    ANCHOR = "anchor"  # the record does not carry the hash noted at an earlier verification


@dataclass(slots=True)
class Finding:
    kind: FindingKind
    seq: int  # the first record concerned
    last_seq: int  # the last record concerned (== seq for one record)
    call_id: str | None
    detail: str

    def describe(self) -> str:
        span = (
            f"seq {self.seq}" if self.seq == self.last_seq else f"seq {self.seq}..{self.last_seq}"
        )
        call = f" (call {self.call_id})" if self.call_id else ""
        return f"{self.kind.value}: {span}{call}: {self.detail}"


def _call_id(text: str) -> str | None:
    parts = text.split(FIELD_SEP)
    return parts[_CALL_ID] if len(parts) > _CALL_ID else None


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ChainVerifier:
    """Feed the rows in ``seq`` order (in as many batches as you like), then :meth:`finish`."""

    def __init__(self, anchors: Mapping[int, str] | None = None) -> None:
        self.findings: list[Finding] = []
        self.checked = 0
        self._anchors = dict(anchors or {})
        self._prev: StoredRow | None = None
        self._prev_ok = True
        self._prev2_hash: str | None = None

    def feed(self, rows: Iterable[StoredRow]) -> None:
        sha = hashlib.sha256
        anchors = self._anchors
        prev, prev_ok, prev2_hash = self._prev, self._prev_ok, self._prev2_hash
        checked = 0
        for row in rows:
            seq, prev_hash, stored, text = row
            ok = sha(text.encode("utf-8")).hexdigest() == stored and text.count(FIELD_SEP) == _SEPS
            if not ok:
                self._content_failure(row)
            expected_seq = 1 if prev is None else prev[0] + 1
            expected_prev = GENESIS if prev is None else prev[2]
            if seq != expected_seq or prev_hash != expected_prev:
                self._link_failure(row, ok, prev, prev_ok, prev2_hash)
            if anchors and seq in anchors:
                self._anchor(row)
            prev2_hash = None if prev is None else prev[2]
            prev, prev_ok = row, ok
            checked += 1
        self._prev, self._prev_ok, self._prev2_hash = prev, prev_ok, prev2_hash
        self.checked += checked

    def resume(self, intact: Sequence[StoredRow]) -> None:
        """Continue after rows checked elsewhere and found intact (content and links): the last
        two of ``intact``, the rows just before the next one fed, stand as the previous rows."""
        if intact:
            self._prev, self._prev_ok = intact[-1], True
            self._prev2_hash = intact[-2][2] if len(intact) > 1 else None

    @property
    def last(self) -> StoredRow | None:
        """The last row fed."""
        return self._prev

    def finish(self, head: tuple[int, str] | None) -> list[Finding]:
        """Compare the last row with the head ``(seq, hash)`` (None: no head check); returns
        every finding."""
        last = self._prev
        last_seq = 0 if last is None else last[0]
        if head is not None:
            self.findings.extend(head_findings(last, head))
        for seq in sorted(self._anchors):
            if seq > last_seq:
                self._add(FindingKind.ANCHOR, seq, seq, None, "the anchored record is missing")
        self._anchors.clear()
        return self.findings

    def _content_failure(self, row: StoredRow) -> None:
        seq, _prev_hash, stored, text = row
        for shift in (1, -1):
            if seq - shift < 1:
                continue
            moved = f"{seq - shift}{text[len(str(seq)) :]}"
            if text.startswith(f"{seq}{FIELD_SEP}") and _hash(moved) == stored:
                self._renumbered(seq, shift, _call_id(text))
                return
        if text.count(FIELD_SEP) != _SEPS:
            detail = "its fields contain separator characters the log never writes"
        else:
            detail = "its content does not match its hash"
        self._add(FindingKind.EDITED, seq, seq, _call_id(text), detail)

    def _renumbered(self, seq: int, shift: int, call_id: str | None) -> None:
        detail = f"seq changed by {shift:+d} (records were inserted or deleted before it)"
        last = self.findings[-1] if self.findings else None
        if (
            last is not None
            and last.kind is FindingKind.RENUMBERED
            and last.last_seq == seq - 1
            and last.detail == detail
        ):
            last.last_seq = seq
            return
        self._add(FindingKind.RENUMBERED, seq, seq, call_id, detail)

    def _link_failure(
        self,
        row: StoredRow,
        ok: bool,
        prev: StoredRow | None,
        prev_ok: bool,
        prev2_hash: str | None,
    ) -> None:
        seq, prev_hash, _stored, text = row
        expected_seq = 1 if prev is None else prev[0] + 1
        after = "the start" if prev is None else f"seq {prev[0]} (call {_call_id(prev[3])})"
        if seq > expected_seq:
            self._add(
                FindingKind.DELETED,
                expected_seq,
                seq - 1,
                None,
                f"missing between {after} and seq {seq} (call {_call_id(text)})",
            )
            return
        last = self.findings[-1] if self.findings else None
        renumbered = not ok and last is not None and last.kind is FindingKind.RENUMBERED
        if prev is not None and prev2_hash is not None and prev_hash == prev2_hash:
            self._add(
                FindingKind.INSERTED,
                prev[0],
                prev[0],
                _call_id(prev[3]),
                f"the next record (call {_call_id(text)}) links past it",
            )
        elif renumbered:
            self._add(
                FindingKind.DELETED,
                seq,
                seq,
                None,
                f"a record between {after} and call {_call_id(text)} was deleted and the "
                "later records renumbered",
            )
        elif prev is not None and prev_ok:
            self._add(
                FindingKind.EDITED,
                prev[0],
                prev[0],
                _call_id(prev[3]),
                f"its hash was rewritten: the next record (call {_call_id(text)}) links to "
                "the original",
            )
        else:
            self._add(
                FindingKind.EDITED,
                seq,
                seq,
                _call_id(text),
                "its link to the previous record was changed",
            )

    def _anchor(self, row: StoredRow) -> None:
        seq, _prev, stored, text = row
        if self._anchors.pop(seq) != stored:
            self._add(
                FindingKind.ANCHOR,
                seq,
                seq,
                _call_id(text),
                "its hash differs from the anchor noted earlier (history was rewritten)",
            )

    def _add(
        self, kind: FindingKind, seq: int, last_seq: int, call_id: str | None, detail: str
    ) -> None:
        finding = Finding(kind, seq, last_seq, call_id, detail)
        last = self.findings[-1] if self.findings else None
        if last is not None and last.kind is FindingKind.RENUMBERED and last.seq >= seq:
            # The cause goes before the run of renumbered records it explains, which may grow.
            self.findings.insert(len(self.findings) - 1, finding)
        else:
            self.findings.append(finding)


def head_findings(last: StoredRow | None, head: tuple[int, str]) -> list[Finding]:
    """What the head ``(seq, hash)`` says about the end of the chain, whose last row is
    ``last``."""
    last_seq = 0 if last is None else last[0]
    head_seq, head_hash = head
    if last_seq < head_seq:
        detail = f"missing from the end of the log (the head names seq {head_seq})"
        return [Finding(FindingKind.DELETED, last_seq + 1, head_seq, None, detail)]
    if last is not None and last_seq > head_seq:
        detail = f"appended behind the log's back (the head names seq {head_seq})"
        return [Finding(FindingKind.INSERTED, head_seq + 1, last_seq, _call_id(last[3]), detail)]
    if last is not None and last[2] != head_hash:
        detail = "its hash differs from the one the head recorded (rewritten)"
        return [Finding(FindingKind.EDITED, last_seq, last_seq, _call_id(last[3]), detail)]
    return []


def merge_findings(parts: Iterable[list[Finding]]) -> list[Finding]:
    """Findings of consecutive ranges, with runs of renumbered records joined across them."""
    out: list[Finding] = []
    for part in parts:
        for f in part:
            last = out[-1] if out else None
            if (
                last is not None
                and f.kind is FindingKind.RENUMBERED
                and last.kind is FindingKind.RENUMBERED
                and last.last_seq == f.seq - 1
                and last.detail == f.detail
            ):
                last.last_seq = f.last_seq
            else:
                out.append(f)
    return out
