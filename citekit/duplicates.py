"""Duplicate records: detection and merge planning (pure; services apply the plan).

Two records are duplicates when they share a DOI or an ISBN, or when their normalised titles are
equal, their years are at most one apart and they share a creator's family name. A merge keeps
every field of both: empty fields are filled from the other record, creators and identifiers are
united, and each conflicting value of the record that goes is kept in ``extra`` (as
``<field>-merged``) and reported.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from anyascii import anyascii
from pydantic import JsonValue
from stdnum import isbn as stdnum_isbn

from citekit.model import PartialDate, Source, validate_source
from citekit.model.names import Creator

_ARTICLES = re.compile(r"^(?:the|a|an|der|die|das|le|la|les|el)\s+")


def ascii_fold(text: str) -> str:
    """Lower-case ASCII for matching: ``Émigrés`` → ``emigres`` (ASCII text skips anyascii)."""
    return (text if text.isascii() else anyascii(text)).lower()


def normalise_title(title: str | None) -> str:
    """``‘The Prophet Outcast- Trotsky 1929–1940’`` → ``prophet outcast trotsky 1929 1940``."""
    words = " ".join(re.findall(r"[a-z0-9]+", ascii_fold(title or "")))
    return _ARTICLES.sub("", words)


def family_names(source: Source) -> set[str]:
    """Creators' family names (or literals), case- and accent-folded."""
    return {
        " ".join(re.findall(r"[a-z0-9]+", ascii_fold(c.family or c.literal or "")))
        for c in source.creators
        if c.family or c.literal
    }


def isbn13s(source: Source) -> set[str]:
    """Every ISBN of the record in its 13-digit form, so 10- and 13-digit forms match."""
    out = set()
    for number in (source.isbn or "").split():
        compact = stdnum_isbn.compact(number)
        out.add(stdnum_isbn.to_isbn13(compact) if len(compact) == 10 else compact)
    return out


@dataclass(frozen=True)
class DuplicatePair:
    """Two records (positions in the input) that look like one source, and why."""

    first: int
    second: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class _Keys:
    """What a record is matched on, computed once per record."""

    doi: str | None
    isbns: frozenset[str]
    title: str
    families: frozenset[str]
    year: int | None

    @classmethod
    def of(cls, source: Source) -> _Keys:
        return cls(
            source.doi.lower() if source.doi else None,
            frozenset(isbn13s(source)),
            normalise_title(source.title),
            frozenset(family_names(source)),
            source.year,
        )


def _years_close(a: int | None, b: int | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1


class DuplicateIndex:
    """Records bucketed by DOI, ISBN and normalised title, to find a record's likely twins fast.

    An import asks ``index.matches(new)`` for each incoming record before adding it, so that
    re-importing a file finds the stored records instead of creating duplicates.
    """

    def __init__(self, sources: Iterable[Source] = ()) -> None:
        self.sources: list[Source] = []
        self._keys: list[_Keys] = []
        self._by_doi: dict[str, list[int]] = defaultdict(list)
        self._by_isbn: dict[str, list[int]] = defaultdict(list)
        self._by_title: dict[str, list[int]] = defaultdict(list)
        for source in sources:
            self.add(source)

    def add(self, source: Source, keys: _Keys | None = None) -> int:
        """Index a record; returns its position."""
        keys = keys or _Keys.of(source)
        position = len(self.sources)
        self.sources.append(source)
        self._keys.append(keys)
        if keys.doi:
            self._by_doi[keys.doi].append(position)
        for number in keys.isbns:
            self._by_isbn[number].append(position)
        if keys.title:
            self._by_title[keys.title].append(position)
        return position

    def matches(
        self, source: Source, keys: _Keys | None = None
    ) -> list[tuple[int, tuple[str, ...]]]:
        """Positions of indexed records that look like ``source``, with the reasons, in order."""
        keys = keys or _Keys.of(source)
        reasons: dict[int, list[str]] = defaultdict(list)
        for i in self._by_doi.get(keys.doi, ()) if keys.doi else ():
            reasons[i].append("same DOI")
        for number in keys.isbns:
            for i in self._by_isbn.get(number, ()):
                if "same ISBN" not in reasons[i]:
                    reasons[i].append("same ISBN")
        for i in self._by_title.get(keys.title, ()) if keys.title else ():
            other = self._keys[i]
            shared = bool(keys.families & other.families) or not (keys.families or other.families)
            if shared and _years_close(keys.year, other.year):
                reasons[i].append("same title, year and creator")
        return [(i, tuple(r)) for i, r in sorted(reasons.items()) if r]


def find_duplicates(sources: Sequence[Source]) -> list[DuplicatePair]:
    """Pairs of likely duplicates, each pair once, ordered by position.

    Each record is looked up in an index of the ones before it, so the work grows with the number
    of records, not its square.
    """
    index = DuplicateIndex()
    pairs = []
    for source in sources:
        keys = _Keys.of(source)
        pairs += [DuplicatePair(i, len(index.sources), r) for i, r in index.matches(source, keys)]
        index.add(source, keys)
    return sorted(pairs, key=lambda p: (p.first, p.second))


def clusters(pairs: Iterable[DuplicatePair]) -> list[list[int]]:
    """Group pairs into sets of records that are all one source (union-find), sorted."""
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        parent[root(p.second)] = root(p.first)
    groups: dict[int, list[int]] = defaultdict(list)
    for x in list(parent):
        groups[root(x)].append(x)
    return sorted(sorted(g) for g in groups.values())


# -- merging ------------------------------------------------------------------------------------

# Fields that identify the stored object, not the source: the survivor keeps its own.
IDENTITY_FIELDS = frozenset({"id", "key", "version", "created", "modified"})
MULTI_VALUE_FIELDS = frozenset({"isbn", "issn"})  # several values share the field, space-separated


@dataclass(frozen=True)
class FieldConflict:
    """A field both records fill differently: the kept value stays, the other goes to extra."""

    field: str
    kept: JsonValue
    other: JsonValue
    extra_key: str

    def __str__(self) -> str:
        return f"{self.field}: kept {self.kept!r}, other {self.other!r} saved as {self.extra_key}"


@dataclass
class MergePlan:
    """The merged record and what happened to each field of the record that goes."""

    merged: Source
    filled: list[str] = field(default_factory=list)
    conflicts: list[FieldConflict] = field(default_factory=list)
    added_creators: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the merged record itself is returned separately)."""
        return {
            "filled": self.filled,
            "added_creators": self.added_creators,
            "conflicts": [
                {"field": c.field, "kept": c.kept, "other": c.other, "saved_as": c.extra_key}
                for c in self.conflicts
            ],
        }


def _csl_name(name: str) -> str:
    return Source.model_fields[name].alias or name


def _text(value: Any) -> str:
    """A field value as the text it would have in a file: dates as EDTF, types by name."""
    if isinstance(value, PartialDate):
        return value.edtf()
    return str(value.value if isinstance(value, Enum) else value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
    return bool(a == b)


def _creator_id(c: Creator) -> tuple[str, str]:
    return (c.role.value, ascii_fold(c.family or c.literal or c.given or ""))


def _same_number(name: str, value: str) -> str:
    if name == "isbn":
        compact = stdnum_isbn.compact(value)
        return stdnum_isbn.to_isbn13(compact) if len(compact) == 10 else compact
    return value


def _free_extra_key(extra: dict[str, JsonValue], base: str) -> str:
    key, n = base, 2
    while key in extra:
        key, n = f"{base}-{n}", n + 1
    return key


def plan_merge(keep: Source, other: Source) -> MergePlan:
    """Merge ``other`` into ``keep`` without losing a value: ``keep``'s values win conflicts.

    The plan's ``merged`` record keeps ``keep``'s id, key and version; ``extra["merged-from"]``
    lists the keys of the records merged into it.
    """
    data = keep.model_dump(mode="python")
    extra: dict[str, JsonValue] = dict(keep.extra)
    plan_filled: list[str] = []
    conflicts: list[FieldConflict] = []
    added: list[str] = []

    def conflict(name: str, kept: Any, lost: Any) -> None:
        key = _free_extra_key(extra, f"{_csl_name(name)}-merged")
        extra[key] = _text(lost)
        conflicts.append(FieldConflict(_csl_name(name), _text(kept), _text(lost), key))

    for name in Source.model_fields:
        if name in IDENTITY_FIELDS or name == "extra":
            continue
        mine, theirs = getattr(keep, name), getattr(other, name)
        if theirs in (None, "", []):
            continue
        if name == "creators":
            seen = {_creator_id(c) for c in keep.creators}
            extra_creators = [c for c in other.creators if _creator_id(c) not in seen]
            if extra_creators:
                data["creators"] = [*keep.creators, *extra_creators]
                added += [c.display() for c in extra_creators]
            continue
        if mine in (None, "", []):
            data[name] = theirs
            plan_filled.append(_csl_name(name))
        elif name in MULTI_VALUE_FIELDS:
            # An ISBN already there in its other form (10 vs 13 digits) is not added again.
            values: dict[str, str] = {}
            for number in [*mine.split(), *theirs.split()]:
                values.setdefault(_same_number(name, number), number)
            data[name] = " ".join(values.values())
        elif not _same(mine, theirs):
            conflict(name, mine, theirs)
    for name, value in other.extra.items():
        if name not in extra:
            extra[name] = value
        elif extra[name] != value:
            key = _free_extra_key(extra, f"{name}-merged")
            extra[key] = value
            conflicts.append(FieldConflict(f"extra.{name}", extra[name], value, key))
    merged_from = extra.get("merged-from")
    sources_merged = list(merged_from) if isinstance(merged_from, list) else []
    sources_merged.append(other.key or other.id or "")
    extra["merged-from"] = sources_merged
    data["extra"] = extra
    merged = validate_source(data)
    return MergePlan(merged, plan_filled, conflicts, added)
