"""RIS (Research Information Systems) tagged format: ``TY  - JOUR`` ... ``ER  - ``.

Tags map to CSL through the tables below. A tag with no home in :class:`~citekit.model.Source`
is kept in ``extra`` under ``"ris:<TAG>"`` and written back as it came. Record fields with no RIS
tag (the group, a transcriber, an original date, ...) travel as ``N1`` lines of the form
``name: value``, the convention Zotero uses in its Extra field, so a RIS round trip keeps them.

>>> text = "TY  - BOOK\\nTI  - My Life\\nAU  - Trotsky, Leon\\nPY  - 1960\\nER  - \\n"
>>> record = parse(text).records[0]
>>> record.title, record.creators[0].family, record.year
('My Life', 'Trotsky', 1960)
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn

from citekit.errors import InvalidRecord
from citekit.formats.base import Failure, Format, Notice, ParseResult
from citekit.model import Creator, CreatorRole, PartialDate, Source, SourceType, validate_source
from citekit.model.dates import SEASON_NAMES, SEASONS
from citekit.model.source import IMAGE_TYPES, KEY_PATTERN

# -- tables ------------------------------------------------------------------------------------

# RIS reference type → CSL item type (every type of the RIS specification, plus WEB and INPR,
# which exporters write although the specification does not list them).
TYPE_TO_CSL: dict[str, SourceType] = {
    "ABST": SourceType.ARTICLE,
    "ADVS": SourceType.MOTION_PICTURE,
    "AGGR": SourceType.DATASET,
    "ANCIENT": SourceType.CLASSIC,
    "ART": SourceType.GRAPHIC,
    "BILL": SourceType.BILL,
    "BLOG": SourceType.POST_WEBLOG,
    "BOOK": SourceType.BOOK,
    "CASE": SourceType.LEGAL_CASE,
    "CHAP": SourceType.CHAPTER,
    "CHART": SourceType.GRAPHIC,
    "CLSWK": SourceType.CLASSIC,
    "COMP": SourceType.SOFTWARE,
    "CONF": SourceType.PAPER_CONFERENCE,
    "CPAPER": SourceType.PAPER_CONFERENCE,
    "CTLG": SourceType.DOCUMENT,
    "DATA": SourceType.DATASET,
    "DBASE": SourceType.DATASET,
    "DICT": SourceType.ENTRY_DICTIONARY,
    "EBOOK": SourceType.BOOK,
    "ECHAP": SourceType.CHAPTER,
    "EDBOOK": SourceType.BOOK,
    "EJOUR": SourceType.ARTICLE_JOURNAL,
    "ELEC": SourceType.WEBPAGE,
    "ENCYC": SourceType.ENTRY_ENCYCLOPEDIA,
    "EQUA": SourceType.DOCUMENT,
    "FIGURE": SourceType.FIGURE,
    "GEN": SourceType.DOCUMENT,
    "GOVDOC": SourceType.REPORT,
    "GRANT": SourceType.DOCUMENT,
    "HEAR": SourceType.HEARING,
    "ICOMM": SourceType.PERSONAL_COMMUNICATION,
    "INPR": SourceType.ARTICLE,
    "JFULL": SourceType.PERIODICAL,
    "JOUR": SourceType.ARTICLE_JOURNAL,
    "LEGAL": SourceType.REGULATION,
    "MANSCPT": SourceType.MANUSCRIPT,
    "MAP": SourceType.MAP,
    "MGZN": SourceType.ARTICLE_MAGAZINE,
    "MPCT": SourceType.MOTION_PICTURE,
    "MULTI": SourceType.DOCUMENT,
    "MUSIC": SourceType.MUSICAL_SCORE,
    "NEWS": SourceType.ARTICLE_NEWSPAPER,
    "PAMP": SourceType.PAMPHLET,
    "PAT": SourceType.PATENT,
    "PCOMM": SourceType.PERSONAL_COMMUNICATION,
    "RPRT": SourceType.REPORT,
    "SER": SourceType.BOOK,
    "SLIDE": SourceType.GRAPHIC,
    "SOUND": SourceType.SONG,
    "STAND": SourceType.STANDARD,
    "STAT": SourceType.LEGISLATION,
    "THES": SourceType.THESIS,
    "UNPB": SourceType.MANUSCRIPT,
    "VIDEO": SourceType.MOTION_PICTURE,
    "WEB": SourceType.WEBPAGE,
}

# CSL item type → the RIS type written for it. Types RIS lacks are written as GEN plus a
# ``type:`` note line, so that citekit reads the exact type back.
CSL_TO_TYPE: dict[SourceType, str] = {
    SourceType.ARTICLE: "INPR",
    SourceType.ARTICLE_JOURNAL: "JOUR",
    SourceType.ARTICLE_MAGAZINE: "MGZN",
    SourceType.ARTICLE_NEWSPAPER: "NEWS",
    SourceType.BILL: "BILL",
    SourceType.BOOK: "BOOK",
    SourceType.CHAPTER: "CHAP",
    SourceType.CLASSIC: "CLSWK",
    SourceType.DATASET: "DATA",
    SourceType.DOCUMENT: "GEN",
    SourceType.ENTRY_DICTIONARY: "DICT",
    SourceType.ENTRY_ENCYCLOPEDIA: "ENCYC",
    SourceType.FIGURE: "FIGURE",
    SourceType.GRAPHIC: "ART",
    SourceType.HEARING: "HEAR",
    SourceType.LEGAL_CASE: "CASE",
    SourceType.LEGISLATION: "STAT",
    SourceType.MANUSCRIPT: "MANSCPT",
    SourceType.MAP: "MAP",
    SourceType.MOTION_PICTURE: "MPCT",
    SourceType.MUSICAL_SCORE: "MUSIC",
    SourceType.PAMPHLET: "PAMP",
    SourceType.PAPER_CONFERENCE: "CPAPER",
    SourceType.PATENT: "PAT",
    SourceType.PERIODICAL: "JFULL",
    SourceType.PERSONAL_COMMUNICATION: "PCOMM",
    SourceType.POST_WEBLOG: "BLOG",
    SourceType.REGULATION: "LEGAL",
    SourceType.REPORT: "RPRT",
    SourceType.SOFTWARE: "COMP",
    SourceType.SONG: "SOUND",
    SourceType.STANDARD: "STAND",
    SourceType.THESIS: "THES",
    SourceType.WEBPAGE: "ELEC",
}
FALLBACK_TYPE = "GEN"

# Creator tags → roles. A2 is the "secondary author": the editor of a book for a chapter, the
# editor of a series or volume otherwise; A4 (subsidiary author) is where Zotero puts translators.
CREATOR_TAGS: dict[str, CreatorRole] = {
    "AU": CreatorRole.AUTHOR,
    "A1": CreatorRole.AUTHOR,
    "A2": CreatorRole.EDITOR,
    "ED": CreatorRole.EDITOR,
    "A3": CreatorRole.COLLECTION_EDITOR,
    "A4": CreatorRole.TRANSLATOR,
    "TA": CreatorRole.TRANSLATOR,
}
ROLE_TAGS: dict[CreatorRole, str] = {
    CreatorRole.AUTHOR: "AU",
    CreatorRole.EDITOR: "A2",
    CreatorRole.COLLECTION_EDITOR: "A3",
    CreatorRole.TRANSLATOR: "A4",
}
# Roles RIS has no tag for travel as ``N1  - transcriber: Walters, David``.
NOTE_ROLES: frozenset[str] = frozenset(r.value for r in CreatorRole if r not in ROLE_TAGS)

# Tags holding one text field of the record; the first tag listed for a field is the one written.
TEXT_TAGS: dict[str, str] = {
    "TI": "title",
    "T1": "title",
    "T2": "container_title",
    "JO": "container_title",
    "JF": "container_title",
    "T3": "collection_title",
    "ST": "title_short",
    "VL": "volume",
    "IS": "issue",
    "M1": "number",
    "CY": "publisher_place",
    "PB": "publisher",
    "ET": "edition",
    "NV": "number_of_volumes",
    "AB": "abstract",
    "N2": "abstract",
    "LA": "language",
    "M3": "genre",
    "DP": "source",
    "UR": "url",
    "DO": "doi",
}
FIELD_TAGS: dict[str, str] = {}
for _tag, _field in TEXT_TAGS.items():
    FIELD_TAGS.setdefault(_field, _tag)

DATE_TAGS: dict[str, str] = {"PY": "issued", "Y1": "issued", "DA": "issued", "Y2": "accessed"}
# Record fields with no RIS tag; they are written as ``N1`` lines ``name: value``.
NOTE_FIELDS: tuple[str, ...] = (
    "original_date",
    "collection_number",
    "medium",
    "archive",
    "archive_location",
    "archive_place",
    "event_title",
)
NOTE_NAMES: dict[str, str] = {name.replace("_", "-"): name for name in NOTE_FIELDS}
# Types whose SN is an ISBN when the checksum cannot tell.
BOOK_TYPES = {SourceType.BOOK, SourceType.CHAPTER, SourceType.CLASSIC, SourceType.REPORT}

EXTRA_PREFIX = "ris:"
KEYWORDS = "keywords"

_TAG_LINE = re.compile(r"^(?P<tag>[A-Z][A-Z0-9])[ \t]{0,3}-(?:[ \t]?(?P<value>.*))?$")
_NOTE_LINE = re.compile(r"^(?P<name>[a-z][a-z-]*):[ ](?P<value>\S.*)$")
_PAGES = re.compile(r"^(?P<first>[^\s,;–—-]+)-(?P<last>[^\s,;–—-]+)$")


# -- reading ---------------------------------------------------------------------------------


@dataclass
class _Record:
    """The tagged lines of one record, as read."""

    line: int
    lines: list[str] = field(default_factory=list)
    tags: list[tuple[str, str, int]] = field(default_factory=list)


def _records(text: str, result: ParseResult) -> list[_Record]:
    """Split the text into records; unclosed records and stray tagged lines become failures."""
    records: list[_Record] = []
    current: _Record | None = None
    stray: _Record | None = None

    def flush_stray() -> None:
        nonlocal stray
        if stray is not None:
            result.failures.append(
                Failure(
                    stray.line,
                    "\n".join(stray.lines),
                    "tagged lines outside a record (missing 'TY  - ' before them?)",
                )
            )
            stray = None

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip():
            continue
        m = _TAG_LINE.match(line.lstrip())  # some exporters indent every line
        if m is None:
            if current is not None and current.tags:
                # A continuation line: old exporters wrap long values.
                tag, value, at = current.tags[-1]
                current.tags[-1] = (tag, f"{value} {line.strip()}".strip(), at)
                current.lines.append(line)
            elif stray is not None:
                stray.lines.append(line)
            else:
                result.warnings.append(Notice(number, f"text outside a record ignored: {line!r}"))
            continue
        tag, value = m["tag"], (m["value"] or "").strip()
        if tag == "TY":
            flush_stray()
            if current is not None:
                result.failures.append(
                    Failure(
                        current.line,
                        "\n".join(current.lines),
                        f"record is not closed by 'ER  - ' before the next record at line {number}",
                    )
                )
            current = _Record(number, [line], [(tag, value, number)])
        elif tag == "ER":
            if current is None:
                flush_stray()
                result.warnings.append(Notice(number, "'ER' without a record before it ignored"))
            else:
                current.lines.append(line)
                records.append(current)
                current = None
        elif current is not None:
            current.tags.append((tag, value, number))
            current.lines.append(line)
        else:
            if stray is None:
                stray = _Record(number)
            stray.lines.append(line)
    flush_stray()
    if current is not None:
        result.failures.append(
            Failure(
                current.line,
                "\n".join(current.lines),
                "record is not closed by 'ER  - ' (end of input)",
            )
        )
    return records


def _split_particle(words: list[str], *, leading: bool) -> tuple[str, str]:
    """Lower-case words at the start of a family name ("de Gaulle") or the end of given names
    ("Ludwig van") are particles, as citeproc-js reads them."""
    count = 0
    seq = words if leading else words[::-1]
    for word in seq[:-1]:
        if not word[:1].islower():
            break
        count += 1
    if leading:
        return " ".join(words[:count]), " ".join(words[count:])
    return " ".join(words[len(words) - count :]), " ".join(words[: len(words) - count])


def parse_name(text: str) -> dict[str, str]:
    """``"Trotsky, Leon"`` → family, given; ``"King, Martin Luther, Jr."``; no comma → literal."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 1 or not parts[0]:
        return {"literal": text.strip()}
    particle, family = _split_particle(parts[0].split(), leading=True)
    name = {"family": family}
    if particle:
        name["non_dropping_particle"] = particle
    if parts[1]:
        dropping, given = _split_particle(parts[1].split(), leading=False)
        if given:
            name["given"] = given
        if dropping:
            name["dropping_particle"] = dropping
    if len(parts) > 2 and any(parts[2:]):
        name["suffix"] = ", ".join(p for p in parts[2:] if p)
    return name


def format_name(creator: Creator) -> str:
    """``Family, Given, Suffix`` as RIS wants (``Gaulle``: ``de Gaulle, Charles``); institutions
    as they are."""
    if creator.literal:
        return creator.literal
    family = " ".join(p for p in (creator.non_dropping_particle, creator.family) if p)
    given = " ".join(p for p in (creator.given, creator.dropping_particle) if p)
    if not given and not creator.suffix:
        return f"{family},"
    return ", ".join((family, given, creator.suffix) if creator.suffix else (family, given))


@lru_cache(maxsize=4096)  # a library repeats its dates (access dates, years); dates are frozen
def parse_date(text: str) -> PartialDate:
    """RIS dates ``YYYY/MM/DD/other`` (any part may be empty), or any date citekit can read."""
    value = text.strip()
    if "/" in value and re.match(r"^\d{0,4}/", value):
        year, month, day, other = [*value.split("/", 3), "", "", ""][:4]
        other = other.strip()
        if other:
            if other.lower() in SEASONS and year and not month:
                return PartialDate.parse(f"{other} {year}")
            return PartialDate.parse(other)
        if year:
            return PartialDate.of(
                int(year), int(month) if month.strip() else None, int(day) if day.strip() else None
            )
    return PartialDate.parse(value)


def _simple(date: PartialDate) -> bool:
    return (
        date.literal is None
        and (date.year or 0) >= 0
        and not date.is_range
        and not date.circa
        and not date.uncertain
        and date.start is not None
    )


def format_date(date: PartialDate) -> str:
    """``2010/04/21``, ``1941/08``, ``1935///Spring``; anything else as ``YYYY///<EDTF>``."""
    if date.start is not None and date.start.season and _simple(date):
        return f"{date.start.year:04d}///{SEASON_NAMES[date.start.season]}"
    if _simple(date):
        assert date.start is not None
        return "/".join(
            f"{p:04d}" if i == 0 else f"{p:02d}" for i, p in enumerate(date.start.parts())
        )
    year = f"{date.year:04d}" if date.year is not None and date.year >= 0 else ""
    return f"{year}///{date.edtf()}"


def _sn_field(value: str, kind: SourceType) -> str:
    """ISBN or ISSN? The checksum decides; if neither validates, the type does."""
    items = [i for i in re.split(r"[\s,;]+(?=[0-9])", value.strip()) if i]
    if items and all(stdnum_isbn.is_valid(i) for i in items):
        return "isbn"
    if items and all(stdnum_issn.is_valid(i) for i in items):
        return "issn"
    return "isbn" if kind in BOOK_TYPES else "issn"


def _add_extra(extra: dict[str, Any], key: str, value: str) -> None:
    if key not in extra:
        extra[key] = value
    elif isinstance(extra[key], list):
        extra[key].append(value)
    else:
        extra[key] = [extra[key], value]


@dataclass
class _Built:
    data: dict[str, Any]
    origin: dict[str, tuple[str, str, int]]  # field → (tag, raw value, line) it came from


def _build(record: _Record, result: ParseResult) -> _Built:
    """Turn a record's tags into a Source mapping; what has no home goes to extra."""
    ty = record.tags[0][1].upper()
    data: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    origin: dict[str, tuple[str, str, int]] = {}
    creators: list[dict[str, str]] = []
    notes: list[str] = []
    kind = TYPE_TO_CSL.get(ty)
    if kind is None:
        result.warnings.append(
            Notice(record.line, f"unknown RIS type {ty!r}: read as {SourceType.DOCUMENT.value}")
        )
        kind = SourceType.DOCUMENT
    data["type"] = kind
    if CSL_TO_TYPE.get(kind, FALLBACK_TYPE) != ty:
        extra[EXTRA_PREFIX + "TY"] = ty

    def put(name: str, tag: str, value: Any, raw: str, line: int) -> None:
        if name in data:
            _add_extra(extra, EXTRA_PREFIX + tag, raw)
        else:
            data[name] = value
            origin[name] = (tag, raw, line)

    pages: dict[str, str] = {}
    for tag, value, line in record.tags[1:]:
        if not value and tag != "N1":
            continue
        if tag in CREATOR_TAGS:
            creators.append({**parse_name(value), "role": CREATOR_TAGS[tag]})
        elif tag in TEXT_TAGS:
            put(TEXT_TAGS[tag], tag, value, value, line)
        elif tag in DATE_TAGS:
            try:
                date = parse_date(value)
            except ValueError as exc:
                result.warnings.append(Notice(line, f"{tag}: {exc}; kept as written"))
                _add_extra(extra, EXTRA_PREFIX + tag, value)
                continue
            name = DATE_TAGS[tag]
            if name in data and tag in ("PY", "Y1", "DA"):
                known: PartialDate = data[name]
                # PY holds the year, DA the full date: keep the more precise of the two.
                if known.year == date.year and _simple(known) and not known.month:
                    data[name] = date
                    continue
                if known.year == date.year and not date.month and _simple(date):
                    continue
            put(name, tag, date, value, line)
        elif tag in ("SP", "EP"):
            if tag in pages:
                _add_extra(extra, EXTRA_PREFIX + tag, value)
            else:
                pages[tag] = value
        elif tag == "SN":
            put(_sn_field(value, kind), tag, value, value, line)
        elif tag == "N1":
            role = _NOTE_LINE.match(value)
            if role and role["name"] in NOTE_ROLES:
                creators.append({**parse_name(role["value"]), "role": role["name"]})
            else:
                notes.append(value)
        elif tag == "ID" and KEY_PATTERN.match(value) and "key" not in data:
            data["key"] = value
        elif tag == "KW":
            extra.setdefault(KEYWORDS, []).append(value)
        else:
            _add_extra(extra, EXTRA_PREFIX + tag, value)
    if pages:
        data["page"] = "-".join(p for p in (pages.get("SP"), pages.get("EP")) if p)
    kept_notes: list[str] = []
    for note in notes:
        m = _NOTE_LINE.match(note)
        name = m["name"] if m else ""
        if m and name in NOTE_NAMES and NOTE_NAMES[name] not in data:
            data[NOTE_NAMES[name]] = m["value"]
        elif m and name == "group" and "group" not in data:
            data["group"] = m["value"]
        elif (
            m
            and name == "type"
            and m["value"] in SourceType._value2member_map_
            and (CSL_TO_TYPE.get(SourceType(m["value"]), FALLBACK_TYPE) == ty)
        ):
            data["type"] = SourceType(m["value"])
        elif m and name == "extra":
            key, _, encoded = m["value"].partition(" ")
            try:
                extra[key] = json.loads(encoded)
            except ValueError:
                kept_notes.append(note)
        else:
            kept_notes.append(note)
    if kept_notes:
        data["note"] = "\n".join(kept_notes)
    if creators:
        data["creators"] = creators
    if extra:
        data["extra"] = extra
    return _Built(data, origin)


def _validate(record: _Record, built: _Built, result: ParseResult) -> Source | None:
    """Validate; a field that fails moves back to extra (so it is written back) with a warning."""
    data = built.data
    for _ in range(3):
        try:
            return validate_source(data)
        except InvalidRecord as exc:
            movable = [e for e in exc.errors if e.loc and e.loc[0] in built.origin]
            if not movable or len(movable) < len(exc.errors):
                result.failures.append(
                    Failure(
                        record.line, "\n".join(record.lines), exc.detail.removeprefix("invalid ")
                    )
                )
                return None
            extra = data.setdefault("extra", {})
            for error in movable:
                name = str(error.loc[0])
                tag, raw, line = built.origin.pop(name)
                data.pop(name, None)
                _add_extra(extra, EXTRA_PREFIX + tag, raw)
                result.warnings.append(
                    Notice(
                        line,
                        f"{tag} ({name.replace('_', '-')}): {error.msg}; kept as written in "
                        f"extra['{EXTRA_PREFIX}{tag}']",
                    )
                )
    return None


def parse(text: str) -> ParseResult:
    """Read RIS text: every closed record, a failure per unclosed or invalid one."""
    result = ParseResult()
    for record in _records(text.lstrip("\ufeff"), result):
        built = _build(record, result)
        source = _validate(record, built, result)
        if source is not None:
            result.records.append(source)
    return result


# -- writing ---------------------------------------------------------------------------------


def _one_line(value: str) -> str:
    """RIS values are single lines: collapse whitespace (never wrap)."""
    return " ".join(value.split())


def _extra_lines(extra: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key, value in extra.items():
        if key.startswith(EXTRA_PREFIX) and re.fullmatch(
            r"[A-Z][A-Z0-9]", key[len(EXTRA_PREFIX) :]
        ):
            tag = key[len(EXTRA_PREFIX) :]
            if tag == "TY":
                continue
            for item in value if isinstance(value, list) else [value]:
                out.append((tag, _one_line(str(item))))
        elif key == KEYWORDS:
            items = value if isinstance(value, list) else re.split(r"\s*[;,]\s*", str(value))
            out += [("KW", _one_line(str(item))) for item in items if str(item).strip()]
        else:
            out.append(("N1", f"extra: {key} {json.dumps(value, ensure_ascii=False)}"))
    return out


def _type_tag(source: Source) -> tuple[str, bool]:
    """The TY to write, and whether the CSL type needs a ``type:`` note to come back."""
    kept = source.extra.get(EXTRA_PREFIX + "TY")
    if isinstance(kept, str) and TYPE_TO_CSL.get(kept) == source.type:
        return kept, False
    ty = CSL_TO_TYPE.get(source.type, FALLBACK_TYPE)
    return ty, TYPE_TO_CSL.get(ty) != source.type


def record_lines(source: Source) -> list[tuple[str, str]]:
    """The (tag, value) lines of one record, TY first, ER last."""
    ty, typed_note = _type_tag(source)
    lines: list[tuple[str, str]] = [("TY", ty)]
    if source.key:
        lines.append(("ID", source.key))
    for name in ("title", "container_title", "collection_title", "title_short"):
        if getattr(source, name):
            lines.append((FIELD_TAGS[name], getattr(source, name)))
    for creator in source.creators:
        tag = ROLE_TAGS.get(creator.role)
        if tag:
            lines.append((tag, format_name(creator)))
        else:
            # In place, so that the order of the creators survives.
            lines.append(("N1", f"{creator.role.value}: {format_name(creator)}"))
    if source.issued is not None:
        if source.issued.year is not None and source.issued.year >= 0:
            lines.append(("PY", f"{source.issued.year:04d}"))
        if not _simple(source.issued) or source.issued.month or source.issued.season:
            lines.append(("DA", format_date(source.issued)))
    if source.accessed is not None:
        lines.append(("Y2", format_date(source.accessed)))
    for name in ("volume", "issue", "number", "edition", "number_of_volumes"):
        if getattr(source, name):
            lines.append((FIELD_TAGS[name], getattr(source, name)))
    if source.page:
        m = _PAGES.match(source.page)
        lines += [("SP", m["first"]), ("EP", m["last"])] if m else [("SP", source.page)]
    for name in ("publisher", "publisher_place"):
        if getattr(source, name):
            lines.append((FIELD_TAGS[name], getattr(source, name)))
    for name in ("isbn", "issn"):
        if getattr(source, name):
            lines.append(("SN", getattr(source, name)))
    for name in ("doi", "url", "language", "genre", "source", "abstract"):
        if getattr(source, name):
            lines.append((FIELD_TAGS[name], getattr(source, name)))
    if source.note:
        lines += [("N1", part) for part in source.note.split("\n")]
    default_group = "image" if source.type in IMAGE_TYPES else "secondary"
    if source.group and source.group != default_group:
        lines.append(("N1", f"group: {source.group}"))
    if typed_note:
        lines.append(("N1", f"type: {source.type.value}"))
    for name in NOTE_FIELDS:
        value = getattr(source, name)
        if value is not None:
            text = value.edtf() if isinstance(value, PartialDate) else value
            lines.append(("N1", f"{name.replace('_', '-')}: {text}"))
    lines += _extra_lines(source.extra)
    lines.append(("ER", ""))
    return [
        (tag, _one_line(value) if tag != "N1" else value.replace("\r", "")) for tag, value in lines
    ]


def write(records: Sequence[Source]) -> str:
    """RIS text, one line per tag (never wrapped), a blank line between records."""
    out: list[str] = []
    for source in records:
        for tag, value in record_lines(source):
            out.append(f"{tag}  - {value}")
        out.append("")
    return "\n".join(out)


FORMAT = Format(
    name="ris",
    suffixes=(".ris",),
    media_type="application/x-research-info-systems",
    parse=parse,
    write=write,
    description="RIS tagged format (Zotero, EndNote, Mendeley, RefWorks)",
)
