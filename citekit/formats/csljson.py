"""CSL-JSON: the lingua franca of citeproc, pandoc, Zotero and citation-js.

Reading keeps every variable: the ones a :class:`Source` has a field for become typed fields,
every other one goes to ``extra`` verbatim. citekit's own data lives under ``custom``, the
schema's place for it: ``custom.key``, ``custom.group``, ``custom.transcriber`` (a role CSL
does not know) and ``custom.extra`` (fields read from other formats that CSL has no name for).

>>> parse('[{"id": "deutscher1963prophet", "type": "book", "title": "The Prophet Outcast"}]'
...       ).records[0].key
'deutscher1963prophet'
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from citekit.formats.base import Failure, Format, Notice, ParseResult
from citekit.model import (
    Creator,
    CreatorRole,
    PartialDate,
    Source,
    SourceType,
    base_key,
    unique_key,
)
from citekit.model.source import KEY_PATTERN, field_errors

# Source field → CSL variable, for the fields that hold text (or a number kept as text).
TEXT_FIELDS: dict[str, str] = {
    "title": "title",
    "title_short": "title-short",
    "container_title": "container-title",
    "collection_title": "collection-title",
    "collection_number": "collection-number",
    "publisher": "publisher",
    "publisher_place": "publisher-place",
    "edition": "edition",
    "volume": "volume",
    "issue": "issue",
    "number_of_volumes": "number-of-volumes",
    "page": "page",
    "number": "number",
    "genre": "genre",
    "medium": "medium",
    "source": "source",
    "archive": "archive",
    "archive_location": "archive_location",
    "archive_place": "archive-place",
    "event_title": "event-title",
    "url": "URL",
    "doi": "DOI",
    "isbn": "ISBN",
    "issn": "ISSN",
    "language": "language",
    "abstract": "abstract",
    "note": "note",
}
DATE_FIELDS: dict[str, str] = {
    "issued": "issued",
    "original_date": "original-date",
    "accessed": "accessed",
}
CSL_TO_FIELD: dict[str, str] = {csl: f for f, csl in (TEXT_FIELDS | DATE_FIELDS).items()}

# Every CSL 1.0.2 item variable by kind, as the CSL-JSON schema types it; an ``extra`` entry
# named after one of these is written back at the top level when its value has that shape.
TEXT_OR_NUMBER = frozenset(
    "id chapter-number citation-number collection-number edition first-reference-note-number "
    "issue locator number number-of-pages number-of-volumes page page-first part printing "
    "supplement volume".split()
)
TEXT_ONLY = frozenset(
    "citation-key language journalAbbreviation shortTitle abstract annote archive "
    "archive_collection archive_location archive-place authority call-number citation-label "
    "collection-title container-title container-title-short dimensions division DOI event "
    "event-title event-place genre ISBN ISSN jurisdiction keyword medium note original-publisher "
    "original-publisher-place original-title part-title PMCID PMID publisher publisher-place "
    "references reviewed-genre reviewed-title scale section source status title title-short URL "
    "version volume-title volume-title-short year-suffix".split()
)
NAME_VARIABLES = frozenset(
    "author chair collection-editor compiler composer container-author contributor curator "
    "director editor editorial-director executive-producer guest host interviewer illustrator "
    "narrator organizer original-author performer producer recipient reviewed-author "
    "script-writer series-creator translator".split()
)
DATE_VARIABLES = frozenset(
    "accessed available-date event-date issued original-date submitted".split()
)
NAME_PARTS = frozenset(
    "family given dropping-particle non-dropping-particle suffix comma-suffix static-ordering "
    "literal parse-names".split()
)
KNOWN_NAME_PARTS = frozenset(
    "family given dropping-particle non-dropping-particle suffix literal".split()
)
NAME_FLAGS = frozenset({"comma-suffix", "static-ordering", "parse-names"})
DATE_PARTS = frozenset("date-parts season circa literal raw".split())

# Creator roles that CSL has a name variable for; the others (transcriber) go under custom.
CSL_ROLES = frozenset(role for role in CreatorRole if role.value in NAME_VARIABLES)
CSL_ROLE_NAMES = frozenset(role.value for role in CSL_ROLES)
TYPE_NAMES = frozenset(t.value for t in SourceType)
# Keys under ``custom`` that citekit reads itself; any other key there is kept in extra["custom"].
OWN_CUSTOM = frozenset({"key", "group", "extra", *(r.value for r in CreatorRole)}) - NAME_VARIABLES

# Extra fields with these names would read back as typed fields; they stay under custom.extra.
RESERVED = frozenset(CSL_TO_FIELD) | {r.value for r in CreatorRole} | {"id", "type", "custom"}

# date-parts, spread over lines by json.dumps(indent=...); a raw newline is never inside a string.
_NUMBER_LIST = re.compile(r"\[\n\s*(-?\d+(?:,\n\s*-?\d+)*)\n\s*\]")
_LIST_OF_LISTS = re.compile(r"\[\n\s*(\[[-\d, ]*\](?:,\n\s*\[[-\d, ]*\])*)\n\s*\]")

MAX_DEPTH = 64
RAW_LIMIT = 2000


class _Constant(float):
    """NaN or Infinity as read, so the item that holds it can be rejected by name."""

    def __new__(cls, text: str) -> _Constant:
        value = super().__new__(cls, math.nan)
        value.text = text  # type: ignore[attr-defined]
        return value


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once."""

    duplicates: list[str]


# How many JSON objects with a repeated key were read so far: an item is searched for them only
# when this moved while it was read (a search of every item would double the reading time).
_DUPLICATES_READ = [0]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _Object(obj)
    seen: set[str] = set()
    repeated = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
    marked.duplicates = list(dict.fromkeys(repeated))
    _DUPLICATES_READ[0] += 1
    return marked


_DECODER = json.JSONDecoder(parse_constant=_Constant, object_pairs_hook=_object)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


class _Lines:
    """Line numbers for increasing offsets, counted once (a 10,000-item file stays linear)."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def at(self, offset: int) -> int:
        if offset < self.offset:
            return _line(self.text, offset)
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _clip(raw: str) -> str:
    return raw if len(raw) <= RAW_LIMIT else raw[:RAW_LIMIT] + f"… ({len(raw)} characters)"


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _decode_at(text: str, pos: int, result: ParseResult) -> tuple[Any, int] | None:
    try:
        return _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        _syntax_failure(text, exc, pos, result)
    except RecursionError:
        _nesting_failure(text, pos, result)
    return None


def _items(text: str, result: ParseResult) -> Iterator[tuple[int, int, int, Any]]:
    """(line, start and end offsets, value) per top-level item; syntax errors become failures.

    The array is walked item by item (not loaded whole) so each item knows its line.
    """
    lines = _Lines(text)
    pos = _skip_space(text, 0)
    if pos == len(text):
        return
    if text[pos] != "[":
        decoded = _decode_at(text, pos, result)
        if decoded is None:
            return
        yield lines.at(pos), pos, decoded[1], decoded[0]
        pos = decoded[1]
    else:
        pos = _skip_space(text, pos + 1)
        closed = text.startswith("]", pos)
        while not closed:
            start = pos
            decoded = _decode_at(text, pos, result)
            if decoded is None:
                return
            yield lines.at(start), start, decoded[1], decoded[0]
            pos = _skip_space(text, decoded[1])
            closed = text.startswith("]", pos)
            if not closed and not text.startswith(",", pos):
                result.failures.append(
                    Failure(
                        _line(text, pos),
                        _clip(text[pos : pos + 200]),
                        "JSON syntax error: expected ',' or ']' after the item that starts "
                        f"at line {_line(text, start)}",
                    )
                )
                return
            if not closed:
                pos = _skip_space(text, pos + 1)
        pos += 1
    pos = _skip_space(text, pos)
    if pos < len(text):
        result.failures.append(
            Failure(
                _line(text, pos),
                _clip(text[pos : pos + 200]),
                "JSON syntax error: unexpected text after the end of the data",
            )
        )


def _syntax_failure(text: str, exc: json.JSONDecodeError, start: int, result: ParseResult) -> None:
    rest = " (nothing after it was read)" if start else ""
    result.failures.append(
        Failure(
            exc.lineno,
            _clip(text[start : exc.pos + 80]),
            f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}{rest}",
        )
    )


def _nesting_failure(text: str, start: int, result: ParseResult) -> None:
    result.failures.append(
        Failure(
            _line(text, start),
            _clip(text[start : start + 200]),
            f"JSON nested too deeply (more than {MAX_DEPTH} levels); nothing after it was read",
        )
    )


def _suspect(text: str, start: int, end: int) -> bool:
    """Whether an item's text might hold NaN, Infinity, a surrogate escape or deep nesting."""
    return (
        any(text.find(word, start, end) >= 0 for word in ("NaN", "Infinity", "\\ud", "\\uD"))
        or text.count("[", start, end) + text.count("{", start, end) > MAX_DEPTH
    )


def _problems(value: Any, path: str, depth: int = 0) -> Iterator[str]:
    """What makes a value unusable: NaN/Infinity, lone surrogates, absurd nesting."""
    if depth > MAX_DEPTH:
        yield f"{path}: nested more than {MAX_DEPTH} levels deep"
    elif isinstance(value, _Constant):
        yield f"{path}: {value.text} is not a JSON number"  # type: ignore[attr-defined]
    elif isinstance(value, float) and not math.isfinite(value):
        yield f"{path}: number out of range"
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            yield f"{path}: lone surrogate \\u{ord(value[exc.start]):04x} (not valid Unicode)"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _problems(key, path, depth + 1)
            yield from _problems(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _problems(item, f"{path}[{index}]", depth + 1)


def _duplicates(value: Any, path: str, depth: int = 0) -> Iterator[str]:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, _Object):
        for key in value.duplicates:
            yield f"{path}.{key}" if path else key
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _duplicates(item, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _duplicates(item, f"{path}[{index}]", depth + 1)


def _plain(value: Any) -> Any:
    """Our dict subclass back to plain dicts, so ``extra`` holds ordinary JSON values."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _creators(role: str, value: Any, errors: list[str]) -> list[Creator]:
    if not isinstance(value, list):
        errors.append(f"{role}: expected a list of names, got {type(value).__name__}")
        return []
    out = []
    for index, name in enumerate(value):
        if not isinstance(name, Mapping):
            errors.append(f"{role}[{index}]: expected a name object, got {type(name).__name__}")
            continue
        try:
            out.append(Creator.model_validate({**name, "role": role}))
        except ValidationError as exc:
            for error in exc.errors():
                where = ".".join(str(p) for p in error["loc"])
                msg = error["msg"].removeprefix("Value error, ")
                errors.append(f"{role}[{index}]{'.' + where if where else ''}: {msg}")
    return out


def _ignored_name_parts(role: str, value: Any) -> Iterator[str]:
    if isinstance(value, list):
        for index, name in enumerate(value):
            if isinstance(name, Mapping):
                for part in name:
                    if part not in KNOWN_NAME_PARTS:
                        yield f"{role}[{index}].{part}"


def _type_error(value: Any) -> str | None:
    if value is None:
        return "type: missing (every CSL item needs a type)"
    if not isinstance(value, str) or value not in TYPE_NAMES:
        return f"type: {value!r} is not a CSL item type (book, article-journal, webpage, ...)"
    return None


def item_to_source(item: Mapping[str, Any]) -> tuple[Source | None, list[str], list[str]]:
    """One CSL item to a Source: (source or None, errors naming the field, notes on the way)."""
    notes: list[str] = []
    type_error = _type_error(item.get("type"))
    errors: list[str] = [type_error] if type_error else []
    data: dict[str, Any] = {"type": item.get("type")}
    extra: dict[str, Any] = {}
    creators: list[Creator] = []
    for name, value in item.items():
        if name in ("id", "type", "custom"):
            continue
        if name in CSL_TO_FIELD:
            data[CSL_TO_FIELD[name]] = value
        elif name in CSL_ROLE_NAMES:
            creators += _creators(name, value, errors)
            notes += [f"{p}: ignored (no place for it)" for p in _ignored_name_parts(name, value)]
        else:
            extra[name] = _plain(value)
    key = None
    custom = item.get("custom")
    others: dict[str, Any] = {}
    if isinstance(custom, Mapping):
        for name, value in custom.items():
            if name == "key":
                key = value
            elif name == "group":
                data["group"] = value
            elif name == "extra" and isinstance(value, Mapping):
                extra.update(_plain(value))
            elif name in OWN_CUSTOM - {"extra"}:
                creators += _creators(name, value, errors)
            else:
                others[name] = _plain(value)
    elif custom is not None:
        others = _plain(custom)
    if others:
        kept = extra.get("custom")
        if kept is not None and not (isinstance(kept, dict) and isinstance(others, dict)):
            notes.append("custom.extra.custom: replaced by the other custom fields")
            kept = None
        extra["custom"] = {**kept, **others} if kept else others
    if key is None:
        for candidate in (item.get("citation-key"), item.get("id")):
            if isinstance(candidate, str) and KEY_PATTERN.match(candidate):
                key = candidate
                break
    # The item's id is kept when it is not the key: a Zotero URI, a number, a renamed key.
    item_id = item.get("id")
    if item_id is not None and item_id != key and "id" not in extra:
        extra["id"] = _plain(item_id)
    data.update(key=key, creators=creators, extra=extra)
    try:
        source = Source.model_validate(data)
    except ValidationError as exc:
        for error in field_errors(exc):
            head, *rest = error.loc or ("(item)",)
            if head == "type" and type_error:
                continue
            csl = TEXT_FIELDS.get(str(head)) or DATE_FIELDS.get(str(head)) or str(head)
            if csl in ("key", "group"):
                csl = f"custom.{csl}"
            path = ".".join([csl, *(str(p) for p in rest)])
            errors.append(f"{path}: {error.msg}")
    return (None if errors else source), errors, notes


def _describe(item: Any) -> str:
    if isinstance(item, Mapping) and isinstance(item.get("id"), str | int):
        return f"item {item['id']!r}"
    return "item"


def parse(text: str) -> ParseResult:
    """Read a CSL-JSON array (or a single item); each bad item is a failure, the rest are kept."""
    result = ParseResult()
    duplicates_read = _DUPLICATES_READ[0]
    for index, (line, start, end, item) in enumerate(_items(text, result)):
        where = f"{_describe(item)} (number {index + 1})"
        item_key = item.get("id") if isinstance(item, Mapping) else None
        item_key = item_key if isinstance(item_key, str) else None
        repeated, duplicates_read = _DUPLICATES_READ[0] != duplicates_read, _DUPLICATES_READ[0]
        errors: list[str] = []
        if not isinstance(item, Mapping):
            kind = "null" if item is None else type(item).__name__
            errors = [f"expected an object, got {kind}"]
        elif _suspect(text, start, end):
            errors = list(_problems(item, ""))
        if not errors:
            for path in _duplicates(item, "") if repeated else ():
                result.warnings.append(
                    Notice(line, f"{where}: {path} is given more than once; the last value is kept")
                )
            source, errors, notes = item_to_source(item)
            if source is not None:
                result.warnings += [Notice(line, f"{where}: {note}") for note in notes]
                result.records.append(source)
                continue
        raw = _clip(text[start:end])
        result.failures.append(Failure(line, raw, f"{where}: {'; '.join(errors)}", item_key))
    return result


def _name(creator: Creator) -> dict[str, Any]:
    return creator.model_dump(by_alias=True, exclude_none=True, exclude={"role"})


def _scalar(value: Any, *, number: bool = True, boolean: bool = False) -> bool:
    if isinstance(value, bool):
        return boolean
    return isinstance(value, str) or (number and isinstance(value, int | float))


def _is_name(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) <= NAME_PARTS
        and all(
            _scalar(v, number=k in NAME_FLAGS, boolean=k in NAME_FLAGS) for k, v in value.items()
        )
    )


def _is_date(value: Any) -> bool:
    if not isinstance(value, dict) or not set(value) <= DATE_PARTS:
        return False
    parts = value.get("date-parts", [[0]])
    return (
        isinstance(parts, list)
        and 1 <= len(parts) <= 2
        and all(
            isinstance(p, list) and 1 <= len(p) <= 3 and all(_scalar(x) for x in p) for p in parts
        )
        and all(_scalar(value[k], number=False) for k in ("literal", "raw") if k in value)
        and _scalar(value.get("season", ""))
        and _scalar(value.get("circa", ""), boolean=True)
    )


def _fits(name: str, value: Any) -> bool:
    """Whether an extra field can go back to the top level and still meet the CSL schema."""
    if name in TEXT_ONLY:
        return isinstance(value, str)
    if name in TEXT_OR_NUMBER:
        return isinstance(value, str | int | float) and not isinstance(value, bool)
    if name in NAME_VARIABLES:
        return isinstance(value, list) and all(_is_name(n) for n in value)
    if name in DATE_VARIABLES:
        return _is_date(value)
    if name == "categories":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return False


def _finite(value: Any) -> Any:
    """JSON has no NaN or Infinity: such a number (only code can put one there) becomes text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def source_to_item(source: Source, item_id: str | int) -> dict[str, Any]:
    """One Source as a CSL-JSON item with the given ``id``; inverse of :func:`item_to_source`."""
    item: dict[str, Any] = {"id": item_id, "type": source.type.value}
    custom: dict[str, Any] = {}
    for field, csl in TEXT_FIELDS.items():
        value = getattr(source, field)
        if value is not None:
            item[csl] = value
    for creator in source.creators:
        target = item if creator.role in CSL_ROLES else custom
        target.setdefault(creator.role.value, []).append(_name(creator))
    for field, csl in DATE_FIELDS.items():
        date: PartialDate | None = getattr(source, field)
        if date is not None:
            item[csl] = date.to_csl()
    leftovers: dict[str, Any] = {}
    for name, value in _finite(source.extra).items():
        if name == "id" and value == item_id:
            continue
        if name not in item and name not in RESERVED and _fits(name, value):
            item[name] = value
        elif (
            name == "custom"
            and isinstance(value, dict)
            and value
            and not set(value) & (OWN_CUSTOM | set(custom))
        ):
            custom.update(value)
        else:
            leftovers[name] = value
    if source.key:
        custom["key"] = source.key
    if source.group:
        custom["group"] = source.group
    if leftovers:
        custom["extra"] = leftovers
    if custom:
        item["custom"] = custom
    return item


def _one_line(match: re.Match[str]) -> str:
    return "[" + ", ".join(part.strip() for part in match.group(1).split(",\n")) + "]"


def write(records: Sequence[Source], *, indent: int | None = 2) -> str:
    """CSL-JSON array for ``records``; ids are the original CSL ids or the citation keys, unique.

    A record without a key gets one made the way :mod:`citekit.model.keys` makes them, as its id.
    """
    taken: set[str] = set()
    items = []
    for source in records:
        original = source.extra.get("id")
        wanted = (
            original if isinstance(original, str | int) and not isinstance(original, bool) else None
        )
        if wanted is None or str(wanted) in taken:
            wanted = unique_key(source.key or base_key(source), taken)
        taken.add(str(wanted))
        items.append(source_to_item(source, wanted))
    text = json.dumps(items, ensure_ascii=False, indent=indent, allow_nan=False)
    if indent is not None:
        # Raw newlines only occur between tokens (a string's are escaped), so this is safe.
        text = _NUMBER_LIST.sub(_one_line, text)
        text = _LIST_OF_LISTS.sub(_one_line, text)
    return text + "\n"


FORMAT = Format(
    name="csljson",
    suffixes=(".json", ".csljson"),
    media_type="application/vnd.citationstyles.csl+json",
    parse=parse,
    write=write,
    description="CSL-JSON (citeproc, pandoc, Zotero, citation-js)",
)
