"""Input files of a registry import: plain text files and zip archives, many per import.

Also what a file name tells: the list's date (``2025-01-31``, ``2025_01_31`` or ``20250131``
anywhere in the name), the area code (a name that is a lone 3-digit group such as ``212.txt`` or
``dnc_212_full.txt``) and, for change lists, whether the file holds deletions (a word such as
``del``, ``delete``, ``deletions`` or ``removed`` in the name) or additions.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

from compliance.dnc.parse import Action
from dialer.errors import InputError

__all__ = ["Source", "date_from_names", "iter_sources"]

_DATE = re.compile(r"(?<!\d)(20\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")
_NPA = re.compile(r"(?<![\d])([2-9]\d\d)(?![\d])")
_DELETIONS = re.compile(r"(?<![a-z])(del|dels|delete[sd]?|deletions?|remov[a-z]*)(?![a-z])")


@dataclass(frozen=True)
class Source:
    """One text stream to parse: a plain file or a member of a zip archive."""

    label: str  # for messages: "file.txt" or "archive.zip:member.txt"
    name: str  # the file or member name, without folders
    modified: date  # file modification date (UTC) or the zip member's date
    open: Callable[[], AbstractContextManager[BinaryIO]]

    @property
    def area_code(self) -> int | None:
        stem = _DATE.sub("", self.name.rsplit(".", 1)[0])
        found = _NPA.findall(stem)
        return int(found[0]) if len(found) == 1 else None

    @property
    def named_date(self) -> date | None:
        match = _DATE.search(self.name)
        return date(*map(int, match.groups())) if match else None

    def default_action(self) -> Action:
        return Action.DELETE if _DELETIONS.search(self.name.lower()) else Action.ADD


def iter_sources(paths: Sequence[Path]) -> Iterator[Source]:
    """Every text stream in ``paths`` (zip archives are opened; folders are not walked)."""
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        if zipfile.is_zipfile(path):
            yield from _zip_members(path)
        else:
            modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).date()
            yield Source(str(path), path.name, modified, _file_opener(path))


def _file_opener(path: Path) -> Callable[[], AbstractContextManager[BinaryIO]]:
    def opener() -> AbstractContextManager[BinaryIO]:
        return path.open("rb")

    return opener


def _zip_members(path: Path) -> Iterator[Source]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [
                i
                for i in archive.infolist()
                if not i.is_dir() and not i.filename.startswith("__MACOSX/")
            ]
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path}: unreadable zip archive: {exc}") from exc
    for info in infos:
        name = info.filename.rsplit("/", 1)[-1]
        modified = date(*info.date_time[:3])
        yield Source(f"{path}:{info.filename}", name, modified, _member_opener(path, info.filename))


def _member_opener(path: Path, member: str) -> Callable[[], AbstractContextManager[BinaryIO]]:
    def opener() -> AbstractContextManager[BinaryIO]:
        return _ZipMember(path, member)

    return opener


class _ZipMember(AbstractContextManager[BinaryIO]):
    def __init__(self, path: Path, member: str) -> None:
        self._archive = zipfile.ZipFile(path)
        self._stream: BinaryIO = self._archive.open(member)  # type: ignore[assignment]

    def __enter__(self) -> BinaryIO:
        return self._stream

    def __exit__(self, *exc: object) -> None:
        self._stream.close()
        self._archive.close()


def date_from_names(sources: Sequence[Source]) -> tuple[date, str]:
    """The list's date and how it was found: from the file names, else the oldest file date."""
    named = {s.named_date for s in sources} - {None}
    if len(named) > 1:
        listed = ", ".join(sorted(d.isoformat() for d in named if d))
        raise InputError(f"the file names carry different dates ({listed}); pass --date")
    if named:
        return named.pop() or date.min, "file names"
    if not sources:
        raise InputError("no input files")
    return min(s.modified for s in sources), "oldest file modification date"
