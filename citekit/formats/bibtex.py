"""BibTeX (and, through ``biblatex.py``, BibLaTeX): read ``.bib`` text into records and write it.

bibtexparser v2 only splits the text into blocks; values are evaluated here (``@string`` macros,
``#`` concatenation, month macros, with a bound on their size), decoded field by field
(``latex.to_unicode``; never ``url``, ``doi`` or file fields), names are split on the raw value
and only then decoded. Whatever has no CSL home is kept in ``extra["bibtex"]`` and written back:

* ``extra["bibtex"][field]`` — a field with no CSL variable (``keywords``, ``file``, ...), or
  one the model rejected (an ISBN with a bad checksum), decoded to Unicode;
* ``"@type"`` — the entry type read, when it is not the one the writer would choose;
* ``"@protect"`` — ``{attribute or field: [[offset, text], ...]}``, the ``{Case Protected}``
  spans of the decoded text (offsets into it);
* ``"@key"`` — a key citekit does not allow (``müller/2001``): the record gets a new one on
  import, and this one is written back;
* ``"@others"`` — name fields that ended in ``and others``;
* ``"@preamble"`` / ``"@comments"`` — the file's ``@preamble`` (kept with every record) and the
  comments written before the entry;
* ``"@crossref"`` — the parent's key (its fields are inherited when read and written inline;
  ``crossref`` itself is written when the parent follows the child in the output).

A record whose CSL type the entry type cannot carry (``@misc`` for a web page, ``@article`` for
CSL's generic ``article``) gets ``entrysubtype = {webpage}``, which the reader maps back.

>>> [s.title for s in parse("@book{k, title = {The {DNA} of Z{\\\\\\"u}rich}}").records]
['The DNA of Zürich']
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import JsonValue

from citekit.errors import InvalidRecord
from citekit.formats.base import Failure, Format, Notice, ParseResult
from citekit.formats.latex import LatexError, check_braces, check_group, to_latex, to_unicode
from citekit.model import Creator, CreatorRole, PartialDate, Source, SourceType, validate_source
from citekit.model.dates import MONTHS
from citekit.model.keys import base_key, unique_key
from citekit.model.source import IMAGE_TYPES, KEY_PATTERN

NAMESPACE = "bibtex"

# A value longer than this is an error, not a bibliography field; the sum of all macro expansions
# is bounded too, so that ``@string`` doubling (a macro bomb) fails instead of eating the memory.
MAX_FIELD_CHARS = 1_000_000
MAX_MACRO_CHARS = 4_000_000
MAX_COMMENT_CHARS = 10_000
RAW_SHOWN = 2_000

MONTH_MACROS: dict[str, str] = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}
MONTH_NAMES = {number: macro for number, macro in enumerate(MONTH_MACROS, start=1)}

# -- reading tables: both dialects are read by the same reader ----------------------------------

ENTRY_TYPES: dict[str, SourceType] = {
    "article": SourceType.ARTICLE_JOURNAL,
    "book": SourceType.BOOK,
    "mvbook": SourceType.BOOK,
    "bookinbook": SourceType.CHAPTER,
    "booklet": SourceType.PAMPHLET,
    "collection": SourceType.BOOK,
    "mvcollection": SourceType.BOOK,
    "proceedings": SourceType.BOOK,
    "mvproceedings": SourceType.BOOK,
    "reference": SourceType.BOOK,
    "mvreference": SourceType.BOOK,
    "periodical": SourceType.PERIODICAL,
    "inbook": SourceType.CHAPTER,
    "incollection": SourceType.CHAPTER,
    "suppbook": SourceType.CHAPTER,
    "suppcollection": SourceType.CHAPTER,
    "suppperiodical": SourceType.ARTICLE_JOURNAL,
    "inproceedings": SourceType.PAPER_CONFERENCE,
    "conference": SourceType.PAPER_CONFERENCE,
    "inreference": SourceType.ENTRY_ENCYCLOPEDIA,
    "manual": SourceType.REPORT,
    "techreport": SourceType.REPORT,
    "report": SourceType.REPORT,
    "mastersthesis": SourceType.THESIS,
    "phdthesis": SourceType.THESIS,
    "thesis": SourceType.THESIS,
    "unpublished": SourceType.MANUSCRIPT,
    "manuscript": SourceType.MANUSCRIPT,
    "online": SourceType.WEBPAGE,
    "electronic": SourceType.WEBPAGE,
    "www": SourceType.WEBPAGE,
    "webpage": SourceType.WEBPAGE,
    "artwork": SourceType.GRAPHIC,
    "image": SourceType.GRAPHIC,
    "map": SourceType.MAP,
    "patent": SourceType.PATENT,
    "dataset": SourceType.DATASET,
    "software": SourceType.SOFTWARE,
    "letter": SourceType.PERSONAL_COMMUNICATION,
    "movie": SourceType.MOTION_PICTURE,
    "video": SourceType.MOTION_PICTURE,
    "audio": SourceType.SONG,
    "music": SourceType.SONG,
    "performance": SourceType.PERFORMANCE,
    "standard": SourceType.STANDARD,
    "legislation": SourceType.LEGISLATION,
    "jurisdiction": SourceType.LEGAL_CASE,
    "review": SourceType.REVIEW,
    "interview": SourceType.INTERVIEW,
    "misc": SourceType.DOCUMENT,
}

# BibLaTeX's ``entrysubtype`` of an ``@article``.
ARTICLE_SUBTYPES: dict[str, SourceType] = {
    "magazine": SourceType.ARTICLE_MAGAZINE,
    "newspaper": SourceType.ARTICLE_NEWSPAPER,
}

CSL_TYPES = frozenset(t.value for t in SourceType)

# Field → Source attribute. When two fields want the same attribute, the first read wins and the
# other is kept in ``extra``.
FIELDS: dict[str, str] = {
    "title": "title",
    "shorttitle": "title_short",
    "journal": "container_title",
    "journaltitle": "container_title",
    "booktitle": "container_title",
    "maintitle": "container_title",
    "series": "collection_title",
    "publisher": "publisher",
    "institution": "publisher",
    "school": "publisher",
    "organization": "publisher",
    "address": "publisher_place",
    "location": "publisher_place",
    "edition": "edition",
    "volume": "volume",
    "issue": "issue",
    "volumes": "number_of_volumes",
    "pages": "page",
    "number": "number",
    "type": "genre",
    "howpublished": "medium",
    "eventtitle": "event_title",
    "url": "url",
    "doi": "doi",
    "isbn": "isbn",
    "issn": "issn",
    "langid": "language",
    "language": "language",
    "abstract": "abstract",
    "note": "note",
    "archive": "archive",
    "archive_location": "archive_location",
    "archiveprefix": "archive",
    "library": "archive_location",
    "seriesnumber": "collection_number",
}

# Fields whose meaning depends on the entry type: (entry type, field) → Source attribute.
TYPE_FIELDS: dict[tuple[str, str], str] = {
    ("article", "number"): "issue",
    ("periodical", "number"): "issue",
    ("book", "number"): "collection_number",
    ("mvbook", "number"): "collection_number",
    ("collection", "number"): "collection_number",
    ("proceedings", "number"): "collection_number",
    ("incollection", "number"): "collection_number",
    ("inproceedings", "number"): "collection_number",
    ("inbook", "number"): "collection_number",
    ("online", "organization"): "container_title",
}

NAME_FIELDS: dict[str, CreatorRole] = {
    "author": CreatorRole.AUTHOR,
    "editor": CreatorRole.EDITOR,
    "translator": CreatorRole.TRANSLATOR,
    "bookauthor": CreatorRole.CONTAINER_AUTHOR,
    "serieseditor": CreatorRole.COLLECTION_EDITOR,
    "contributor": CreatorRole.CONTRIBUTOR,
    "recipient": CreatorRole.RECIPIENT,
    "interviewer": CreatorRole.INTERVIEWER,
    "illustrator": CreatorRole.ILLUSTRATOR,
    "compiler": CreatorRole.COMPILER,
    "curator": CreatorRole.CURATOR,
    "composer": CreatorRole.COMPOSER,
    "director": CreatorRole.DIRECTOR,
    "editorialdirector": CreatorRole.EDITORIAL_DIRECTOR,
    "origauthor": CreatorRole.ORIGINAL_AUTHOR,
    "reviewedauthor": CreatorRole.REVIEWED_AUTHOR,
    "chair": CreatorRole.CHAIR,
    "performer": CreatorRole.PERFORMER,
    "producer": CreatorRole.PRODUCER,
    "organizer": CreatorRole.ORGANIZER,
    "transcriber": CreatorRole.TRANSCRIBER,
}
ROLE_FIELDS: dict[CreatorRole, str] = {role: name for name, role in NAME_FIELDS.items()}

DATE_FIELDS: dict[str, str] = {"date": "issued", "urldate": "accessed", "origdate": "original_date"}

# Never LaTeX-decoded: ``~``, ``--`` and ``%`` mean themselves in a URL, a DOI or a file path.
VERBATIM = frozenset({"url", "doi", "file", "pdf", "eprint", "verba", "verbb", "verbc", "urlraw"})
VERBATIM_PREFIXES = ("url", "file", "bdsk-", "local-")

# Not carried over from a crossref'd parent (BibTeX's and biber's rule).
NOT_INHERITED = frozenset({"crossref", "xref", "ids", "key", "shorthand", "label", "sortkey"})


def is_verbatim(name: str) -> bool:
    """Fields holding URLs, DOIs or paths are copied as they are, never decoded."""
    return name in VERBATIM or name.startswith(VERBATIM_PREFIXES)


# -- the value expressions: {braced} "quoted" 1932 macro # ... -------------------------------


class BadValue(ValueError):
    """A field value that cannot be evaluated."""


BRACE = re.compile(r"[{}]")
_MONTH_WORDS = re.compile(r"[A-Za-z]+|\d+")
_MACRO_NAME = re.compile(r"[^\s\"#%'(),={}]+")


def evaluate(raw: str, macros: Mapping[str, str], undefined: list[str]) -> str:
    """Evaluate ``{a} # "b" # macro # 12`` to its LaTeX text (delimiters removed).

    Undefined macros are appended to ``undefined`` and read as their own name, as BibTeX warns
    and goes on. Text after a value that is not ``#`` means a comma is missing.
    """
    # most values are one braced string with no braces inside: no need to walk them
    if raw[:1] == "{" and raw[-1:] == "}" and raw.count("{") == 1 and raw.count("}") == 1:
        if len(raw) - 2 > MAX_FIELD_CHARS:
            raise BadValue(f"value longer than {MAX_FIELD_CHARS:,} characters")
        return raw[1:-1]
    out: list[str] = []
    size = 0
    pos, end = 0, len(raw)
    while True:
        while pos < end and raw[pos].isspace():
            pos += 1
        if pos >= end:
            raise BadValue("empty value" if not out else "value ends with '#'")
        char = raw[pos]
        if char == "{":
            depth, stop = 0, pos
            for match in BRACE.finditer(raw, pos):
                depth += 1 if match.group() == "{" else -1
                if depth == 0:
                    stop = match.start()
                    break
            else:
                raise BadValue("unbalanced braces")
            part = raw[pos + 1 : stop]
            pos = stop + 1
        elif char == '"':
            depth, stop = 0, -1
            for index in range(pos + 1, end):
                c = raw[index]
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                elif c == '"' and depth == 0:
                    stop = index
                    break
            if stop < 0:
                raise BadValue('a "quoted" value is not closed')
            part = raw[pos + 1 : stop]
            pos = stop + 1
        else:
            macro = _MACRO_NAME.match(raw, pos)
            if not macro:
                raise BadValue(f"unexpected {char!r} in value")
            name = macro.group()
            pos = macro.end()
            if name.isdigit():
                part = name
            elif name.lower() in macros:
                part = macros[name.lower()]
            else:
                undefined.append(name)
                part = name
        size += len(part)
        if size > MAX_FIELD_CHARS:
            raise BadValue(f"value longer than {MAX_FIELD_CHARS:,} characters")
        out.append(part)
        while pos < end and raw[pos].isspace():
            pos += 1
        if pos >= end:
            return "".join(out)
        if raw[pos] != "#":
            following = raw[pos : pos + 40].split("\n")[0]
            if re.match(r"[A-Za-z][\w:.+-]*\s*=", following):
                raise BadValue(f"a comma is missing before {following.split('=')[0].strip()!r}")
            raise BadValue(f"unexpected text after the value: {following!r}")
        pos += 1


# -- names -------------------------------------------------------------------------------------


def _split_top(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split ``text`` where ``pattern`` matches outside braces."""
    if "{" not in text:
        return pattern.split(text)
    parts: list[str] = []
    depth, last, pos = 0, 0, 0
    while pos < len(text):
        char = text[pos]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0:
            match = pattern.match(text, pos)
            if match and match.end() > pos:
                parts.append(text[last:pos])
                last = pos = match.end()
                continue
        pos += 1
    parts.append(text[last:])
    return parts


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_COMMA = re.compile(r",")
_SPACE = re.compile(r"[\s~]+")
_CASE_COMMAND = re.compile(r"\\([A-Za-z]+|.)\s*")


# Commands that are letters themselves ({\\O}, {\\ss}); other commands are accents on a letter.
FOREIGN_LETTERS = frozenset("o O l L ss ae AE oe OE aa AA i j dh DH th TH dj DJ ng NG".split())


def _special_case(word: str, pos: int) -> str | None:
    """The case of a special character ``{\\"O}``, ``{\\c{c}}``, ``{\\O}``: its letter's."""
    depth = 1
    while pos < len(word) and depth > 0:
        char = word[pos]
        if char == "\\":
            match = _CASE_COMMAND.match(word, pos)
            assert match is not None
            command = match.group(1)
            if command in FOREIGN_LETTERS:
                return "lower" if command[0].islower() else "upper"
            pos = match.end()
            continue
        if char.isalpha():
            return "lower" if char.islower() else "upper"
        depth += {"{": 1, "}": -1}.get(char, 0)
        pos += 1
    return None


def _first_case(word: str) -> str | None:
    """'lower', 'upper' or None: the case BibTeX sees in a name word (braces hide case)."""
    pos, depth = 0, 0
    while pos < len(word):
        char = word[pos]
        if char == "{":
            if depth == 0 and word.startswith("\\", pos + 1):
                return _special_case(word, pos + 1)
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and char.isalpha():
            return "lower" if char.islower() else "upper"
        elif depth == 0 and char == "\\":
            match = _CASE_COMMAND.match(word, pos)
            assert match is not None
            pos = match.end()
            continue
        pos += 1
    return None


def _decode_name_part(words: Sequence[str]) -> str | None:
    if not words:
        return None
    text, _ = to_unicode(" ".join(words), protect=False)
    text = " ".join(text.replace("\xa0", " ").split())
    return text or None


def _group_end(text: str) -> int:
    """The offset of the brace that closes the group opening ``text``."""
    depth = 0
    for match in BRACE.finditer(text):
        depth += 1 if match.group() == "{" else -1
        if depth == 0:
            return match.start()
    return -1


def split_name(raw: str) -> dict[str, str | None]:
    """One BibTeX name → CSL parts: ``von Last, Jr., First``, ``First von Last``, ``{Corp}``."""
    raw = raw.strip()
    # {Wikimedia Commons} is an institution; {\\`{A}} is a special character, a family name
    if raw.startswith("{") and raw[1:2] != "\\" and _group_end(raw) == len(raw) - 1:
        inner, _ = to_unicode(raw[1:-1], protect=False)
        return {"literal": " ".join(inner.split())}
    parts = [p.strip() for p in _split_top(raw, _COMMA)]
    words = [[w for w in _split_top(p, _SPACE) if w] for p in parts]
    first: list[str]
    jr: list[str] = []
    if len(words) == 1:
        tokens = words[0]
        cases = [_first_case(w) for w in tokens]
        lower = [i for i, c in enumerate(cases[:-1]) if c == "lower"]
        if lower:
            first, von, last = (
                tokens[: lower[0]],
                tokens[lower[0] : lower[-1] + 1],
                tokens[lower[-1] + 1 :],
            )
        else:
            first, von, last = tokens[:-1], [], tokens[-1:]
    else:
        head = words[0]
        cases = [_first_case(w) for w in head]
        lower = [i for i, c in enumerate(cases[:-1]) if c == "lower"]
        von = head[: lower[-1] + 1] if lower else []
        last = head[len(von) :]
        if len(words) == 2:
            first = words[1]
        else:
            jr = words[1]
            first = [w for group in words[2:] for w in group]
    name = {
        "given": _decode_name_part(first),
        "non_dropping_particle": _decode_name_part(von),
        "family": _decode_name_part(last),
        "suffix": _decode_name_part(jr),
    }
    if not name["family"] and not name["given"]:
        raise BadValue(f"no name in {raw!r}")
    return name


def split_names(raw: str) -> tuple[list[dict[str, str | None]], bool]:
    """``A and B and others`` → the names and whether the list ended in ``others``."""
    check_braces(raw)
    names = [n.strip() for n in _split_top(" " + raw.strip() + " ", _AND)]
    names = [n for n in names if n]
    others = bool(names) and names[-1].lower() == "others"
    if others:
        names = names[:-1]
    return [split_name(n) for n in names], others


# -- reading -----------------------------------------------------------------------------------


@dataclass
class _Entry:
    """One entry between splitting and building its record."""

    entry_type: str
    key: str
    line: int
    raw: str
    fields: dict[str, str] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def _shown(raw: str) -> str:
    return raw if len(raw) <= RAW_SHOWN else raw[:RAW_SHOWN] + f"… ({len(raw):,} characters)"


def _parse_month(text: str) -> tuple[int, int | None] | None:
    """``4``, ``apr``, ``April``, ``April 4``, ``4 April`` → (month, day)."""
    words = _MONTH_WORDS.findall(text)
    month = day = None
    for word in words:
        if word.isdigit():
            if month is None and len(words) == 1:
                month = int(word)
            elif day is None:
                day = int(word)
            else:
                return None
        elif word.lower().rstrip(".") in MONTHS and month is None:
            month = MONTHS[word.lower().rstrip(".")]
        else:
            return None
    if month is None or not 1 <= month <= 12:
        return None
    return month, day


class _Builder:
    """Turns one entry's evaluated fields into a Source (or a failure)."""

    def __init__(self, entry: _Entry, preamble: list[str]) -> None:
        self.entry = entry
        self.data: dict[str, Any] = {}
        self.extra: dict[str, JsonValue] = {}
        self.protect: dict[str, JsonValue] = {}
        self.origin: dict[str, str] = {}  # Source attribute → the field it came from
        self.warnings: list[Notice] = list(entry.notices)
        self.preamble = preamble

    def warn(self, field_name: str | None, message: str) -> None:
        line = self.entry.lines.get(field_name or "", self.entry.line)
        self.warnings.append(Notice(line, f"{self.entry.key}: {message}"))

    def text(self, name: str, value: str, slot: str) -> str:
        """Decoded text; its protected spans are remembered under ``slot``."""
        if is_verbatim(name):
            return value.strip()
        text, spans = to_unicode(value)
        if spans:
            self.protect[slot] = [[offset, span] for offset, span in spans]
        return text

    def keep(self, name: str, value: str) -> None:
        """A field with no CSL home (or a second field for one): kept in extra, decoded."""
        self.extra[name] = self.text(name, value, name)

    def build(self) -> Source:
        entry = self.entry
        kind = ENTRY_TYPES.get(entry.entry_type)
        if kind is None:
            self.warn(None, f"unknown entry type @{entry.entry_type}: read as a document")
            kind = SourceType.DOCUMENT
        subtype = entry.fields.get("entrysubtype", "").strip().lower()
        if kind is SourceType.ARTICLE_JOURNAL and subtype in ARTICLE_SUBTYPES:
            kind = ARTICLE_SUBTYPES[subtype]
            del entry.fields["entrysubtype"]
        elif subtype in CSL_TYPES:
            # what the writer adds when the entry type alone would lose the CSL type
            kind = SourceType(subtype)
            del entry.fields["entrysubtype"]
        self.data["type"] = kind
        if KEY_PATTERN.match(entry.key):
            self.data["key"] = entry.key
        else:
            # the record gets a key of citekit's; the original is written back when it is safe
            self.extra["@key"] = entry.key
            self.warn(
                None,
                "citation key not allowed in citekit (letters, digits, _:.+- only); "
                "a new key will be given, the original is kept",
            )
        creators: list[dict[str, Any]] = []
        others: list[JsonValue] = []
        dates: dict[str, str] = {}
        for name, value in entry.fields.items():
            if name in NAME_FIELDS:
                names, etal = split_names(value)
                creators += [{**n, "role": NAME_FIELDS[name]} for n in names]
                if etal:
                    others.append(name)
            elif name in DATE_FIELDS or name in ("year", "month", "day"):
                dates[name] = value
            elif name == "groups" and "," not in value and value.strip():
                self.data["group"] = self.text(name, value, "group")
                self.origin["group"] = name
                if self.data["group"] == ("image" if kind in IMAGE_TYPES else "secondary"):
                    # the writer leaves a default group out; this one was written, so keep it
                    self.extra[name] = self.data["group"]
            elif name == "crossref":
                self.extra["@crossref"] = value.strip()
            else:
                attr = TYPE_FIELDS.get((entry.entry_type, name)) or FIELDS.get(name)
                if attr is None or attr in self.data:
                    self.keep(name, value)
                else:
                    self.data[attr] = self.text(name, value, attr)
                    self.origin[attr] = name
        if creators:
            self.data["creators"] = creators
        if others:
            self.extra["@others"] = others
        self._dates(dates)
        canonical = (WRITE_TYPES_BIBTEX.get(kind, "misc"), WRITE_TYPES_BIBLATEX.get(kind, "misc"))
        if entry.entry_type not in canonical:
            self.extra["@type"] = entry.entry_type
        if self.preamble:
            self.extra["@preamble"] = list(self.preamble)
        if entry.comments:
            self.extra["@comments"] = list(entry.comments)
        return self._validate()

    def _dates(self, dates: dict[str, str]) -> None:
        for name, attr in DATE_FIELDS.items():
            if name in dates:
                self._date(name, attr, dates.pop(name))
        year, month, day = (dates.pop(n, None) for n in ("year", "month", "day"))
        issued: PartialDate | None = self.data.get("issued")
        if year is not None and issued is not None:
            # date and year both given: year is redundant when it agrees
            if issued.year != _int(to_unicode(year)[0]):
                self.keep("year", year)
                self.warn("year", "year disagrees with date; date used, year kept in extra")
            year = None
        if year is None:
            for name, value in (("month", month), ("day", day)):
                if value is not None and not self._agrees(issued, name, value):
                    self.keep(name, value)
                    self.warn(
                        name, f"{name} without a year (or disagreeing with date): kept in extra"
                    )
            return
        text = to_unicode(year)[0]
        try:
            date = PartialDate.parse(text)
        except ValueError as exc:
            self.keep("year", year)
            self.warn("year", f"{exc}; kept in extra")
            date = None
        if date is not None and month is not None:
            parsed = _parse_month(to_unicode(month)[0])
            single = date.start is not None and not date.is_range and date.start.month is None
            if parsed is None or not single:
                self.keep("month", month)
                self.warn("month", f"cannot combine month {month!r} with the year; kept in extra")
            else:
                day_value = parsed[1]
                if day is not None and day_value is None and _int(day) is not None:
                    day_value = _int(day)
                    day = None
                try:
                    date = PartialDate(
                        start={"year": date.year, "month": parsed[0], "day": day_value},
                        circa=date.circa,
                        uncertain=date.uncertain,
                    )
                except ValueError as exc:
                    self.keep("month", month)
                    self.warn("month", f"{_first_error(exc)}; month kept in extra")
        if day is not None:
            self.keep("day", day)
            self.warn("day", "day not combined with the date; kept in extra")
        if date is not None:
            self.data["issued"] = date
            self.origin["issued"] = "year"

    def _agrees(self, issued: PartialDate | None, name: str, value: str) -> bool:
        if issued is None:
            return False
        text = to_unicode(value)[0]
        if name == "month":
            parsed = _parse_month(text)
            return parsed is not None and parsed[0] == issued.month
        return _int(text) == issued.day

    def _date(self, name: str, attr: str, value: str) -> None:
        # EDTF's ~ ? % are no LaTeX here: only the braces go
        text = value.replace("{", "").replace("}", "").strip()
        try:
            self.data[attr] = PartialDate.parse(text)
            self.origin[attr] = name
        except ValueError as exc:
            self.keep(name, value)
            self.warn(name, f"{exc}; kept in extra")

    def _validate(self) -> Source:
        """Validate; a field the model rejects (a bad ISBN, say) moves to extra with a warning."""
        for _attempt in range(2):
            extra = dict(self.extra)
            if self.protect:
                extra["@protect"] = self.protect
            record = {**self.data, "extra": {NAMESPACE: extra} if extra else {}}
            try:
                return validate_source(record)
            except InvalidRecord as exc:
                movable = [e for e in exc.errors if e.loc and e.loc[0] in self.origin]
                if _attempt or len(movable) < len(exc.errors):
                    raise
                for error in movable:
                    attr = str(error.loc[0])
                    name = self.origin.pop(attr)
                    value = self.data.pop(attr)
                    self.extra[name] = value.edtf() if isinstance(value, PartialDate) else value
                    if attr in self.protect:
                        self.protect[name] = self.protect.pop(attr)
                    self.warn(name, f"{error.msg}; kept in extra as {name}")
        raise AssertionError("unreachable")


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return str(errors()[0]["msg"]).removeprefix("Value error, ")
    return str(exc)


def _split(text: str) -> Any:
    import bibtexparser

    # bibtexparser logs every block it cannot parse; those become Failures here instead.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    return bibtexparser.parse_string(text, parse_stack=[])


def parse(text: str) -> ParseResult:
    """Read BibTeX or BibLaTeX text: every entry that can be read, and a failure per bad one."""
    from bibtexparser import model as bib

    result = ParseResult()
    if not text.strip():
        result.warnings.append(Notice(None, "empty input: no records"))
        return result
    library = _split(text)
    macros: dict[str, str] = dict(MONTH_MACROS)
    macro_chars = 0
    poisoned: dict[str, str] = {}
    preamble: list[str] = []
    entries: list[_Entry] = []
    pending: list[str] = []
    seen: dict[str, int] = {}

    def fail(line: int, raw: str | None, reason: str, key: str | None = None) -> None:
        result.failures.append(Failure(line, _shown(raw or ""), reason, key))

    for block in library.blocks:
        line = block.start_line + 1
        if isinstance(block, bib.String):
            undefined: list[str] = []
            try:
                value = evaluate(block.value, macros, undefined)
                bad = [name for name in undefined if name.lower() in poisoned]
                if bad:
                    raise BadValue(f"uses the rejected @string {bad[0]!r}")
                macro_chars += len(value)
                if macro_chars > MAX_MACRO_CHARS:
                    raise BadValue(
                        f"@string macros expand to more than {MAX_MACRO_CHARS:,} characters"
                    )
            except BadValue as exc:
                poisoned[block.key.lower()] = str(exc)
                fail(line, block.raw, f"@string {block.key}: {exc}", block.key)
                continue
            for name in undefined:
                result.warnings.append(
                    Notice(line, f"@string {block.key}: undefined macro {name!r}")
                )
            macros[block.key.lower()] = value
        elif isinstance(block, bib.Preamble):
            try:
                value = evaluate(block.value, macros, [])
                check_group(value)
            except (BadValue, LatexError) as exc:
                fail(line, block.raw, f"@preamble: {exc}")
                continue
            preamble.append(value)
        elif isinstance(block, bib.ExplicitComment | bib.ImplicitComment):
            comment = block.comment.strip()
            if not comment:
                continue
            try:
                if len(comment) > MAX_COMMENT_CHARS:
                    raise LatexError(f"longer than {MAX_COMMENT_CHARS:,} characters")
                check_group(comment)
            except LatexError as exc:
                result.warnings.append(Notice(line, f"text outside entries not kept: {exc}"))
                continue
            pending.append(comment)
        elif isinstance(block, bib.Entry | bib.DuplicateFieldKeyBlock | bib.DuplicateBlockKeyBlock):
            entry_block = block if isinstance(block, bib.Entry) else block.ignore_error_block
            if not isinstance(entry_block, bib.Entry):
                fail(line, block.raw, "not a well-formed entry")
                continue
            if isinstance(block, bib.DuplicateBlockKeyBlock):
                first = seen.get(block.key.lower())
                where = f" (first at line {first})" if first else ""
                fail(
                    line, block.raw, f"duplicate key {block.key!r}{where}: entry skipped", block.key
                )
                continue
            entry = _Entry(entry_block.entry_type.lower(), entry_block.key, line, block.raw or "")
            seen.setdefault(entry.key.lower(), line)
            reason = _read_fields(entry, entry_block.fields, macros, poisoned)
            if reason:
                fail(entry.lines.get("", line), block.raw, reason, entry.key)
                continue
            entry.comments, pending = pending, []
            entries.append(entry)
        else:
            fail(line, block.raw, _failure_reason(block))
    if pending and entries:
        entries[-1].comments += pending
    _resolve_crossrefs(entries, result)
    for entry in entries:
        builder = _Builder(entry, preamble)
        try:
            result.records.append(builder.build())
        except (InvalidRecord, BadValue, LatexError) as exc:
            fail(entry.line, entry.raw, str(getattr(exc, "detail", exc)), entry.key)
            continue
        except (ValueError, TypeError, RecursionError) as exc:
            # a case this reader did not foresee costs this entry, never the file
            fail(entry.line, entry.raw, f"cannot read this entry ({exc})", entry.key)
            continue
        result.warnings += builder.warnings
    # in file order, whichever step found them
    result.failures.sort(key=lambda f: f.line or 0)
    result.warnings.sort(key=lambda n: (n.line is None, n.line or 0))
    if preamble:
        result.warnings.append(
            Notice(
                None, f"{len(preamble)} @preamble kept with every record; written back on export"
            )
        )
    return result


def _failure_reason(block: Any) -> str:
    """Why bibtexparser gave up on a block, in words that point at the fix."""
    error = getattr(block, "error", None)
    reason = str(getattr(error, "abort_reason", "") or error or "").strip().rstrip(".")
    if "closing `}`" in reason:
        return f"unbalanced braces: a value is not closed before the next entry ({reason})"
    if 'closing `"`' in reason:
        return f'a "quoted" value is not closed before the next entry ({reason})'
    if "end of file" in reason:
        return "unbalanced braces: the file ends inside this entry (a '}' is missing)"
    if block.raw and block.raw.lstrip().startswith("@"):
        return f"not a well-formed entry: {reason}" if reason else "not a well-formed entry"
    return reason or "not a BibTeX entry"


def _read_fields(
    entry: _Entry, fields: Iterable[Any], macros: Mapping[str, str], poisoned: Mapping[str, str]
) -> str | None:
    """Evaluate every field into ``entry.fields``; the reason the entry fails, if it does."""
    for item in fields:
        name = item.key.lower()
        line = item.start_line + 1
        if name in entry.fields:
            entry.notices.append(
                Notice(line, f"{entry.key}: duplicate field {name!r}: the first value kept")
            )
            continue
        undefined: list[str] = []
        raw = item.value if isinstance(item.value, str) else str(item.value)
        try:
            if len(raw) > MAX_FIELD_CHARS:
                raise BadValue(f"value longer than {MAX_FIELD_CHARS:,} characters")
            value = evaluate(raw, macros, undefined)
            if not is_verbatim(name):
                check_braces(value)
        except (BadValue, LatexError) as exc:
            entry.lines[""] = line
            return f"field {name!r} (line {line}): {exc}"
        for macro in undefined:
            if macro.lower() in poisoned:
                entry.lines[""] = line
                return f"field {name!r} (line {line}) uses the rejected @string {macro!r}"
            entry.notices.append(
                Notice(line, f"{entry.key}: undefined macro {macro!r} in {name}: read as text")
            )
        entry.fields[name] = value
        entry.lines[name] = line
    return None


def _resolve_crossrefs(entries: list[_Entry], result: ParseResult) -> None:
    """Children inherit the fields they lack from their crossref'd parent (title → booktitle)."""
    by_key = {e.key.lower(): e for e in entries}
    for entry in entries:
        parent_key = entry.fields.get("crossref", "").strip()
        if not parent_key:
            continue
        parent = by_key.get(parent_key.lower())
        if parent is None or parent is entry:
            result.warnings.append(
                Notice(entry.line, f"{entry.key}: crossref {parent_key!r} not found in this file")
            )
            continue
        for name, value in parent.fields.items():
            if name in NOT_INHERITED:
                continue
            target = name
            if name == "title" and entry.entry_type != parent.entry_type:
                target = "booktitle"
            entry.fields.setdefault(target, value)


# -- writing -----------------------------------------------------------------------------------

WRITE_TYPES_BIBTEX: dict[SourceType, str] = {
    SourceType.ARTICLE_JOURNAL: "article",
    SourceType.ARTICLE_MAGAZINE: "article",
    SourceType.ARTICLE_NEWSPAPER: "article",
    SourceType.ARTICLE: "article",
    SourceType.BOOK: "book",
    SourceType.CHAPTER: "incollection",
    SourceType.PAPER_CONFERENCE: "inproceedings",
    SourceType.THESIS: "phdthesis",
    SourceType.REPORT: "techreport",
    SourceType.MANUSCRIPT: "unpublished",
    SourceType.PAMPHLET: "booklet",
}
WRITE_TYPES_BIBLATEX: dict[SourceType, str] = {
    SourceType.ARTICLE_JOURNAL: "article",
    SourceType.ARTICLE_MAGAZINE: "article",
    SourceType.ARTICLE_NEWSPAPER: "article",
    SourceType.ARTICLE: "article",
    SourceType.BOOK: "book",
    SourceType.CHAPTER: "incollection",
    SourceType.PAPER_CONFERENCE: "inproceedings",
    SourceType.THESIS: "thesis",
    SourceType.REPORT: "report",
    SourceType.MANUSCRIPT: "unpublished",
    SourceType.PAMPHLET: "booklet",
    SourceType.WEBPAGE: "online",
    SourceType.POST_WEBLOG: "online",
    SourceType.POST: "online",
    SourceType.GRAPHIC: "artwork",
    SourceType.PERIODICAL: "periodical",
    SourceType.PATENT: "patent",
    SourceType.DATASET: "dataset",
    SourceType.SOFTWARE: "software",
    SourceType.PERSONAL_COMMUNICATION: "letter",
    SourceType.ENTRY_ENCYCLOPEDIA: "inreference",
    SourceType.ENTRY_DICTIONARY: "inreference",
    SourceType.STANDARD: "standard",
    SourceType.LEGISLATION: "legislation",
    SourceType.REVIEW: "review",
}
BIBTEX_TYPES = frozenset(
    "article book booklet conference inbook incollection inproceedings manual mastersthesis misc "
    "phdthesis proceedings techreport unpublished".split()
)
BIBLATEX_TYPES = frozenset(ENTRY_TYPES) - {"electronic", "www", "webpage", "image", "map"}


@dataclass(frozen=True)
class Dialect:
    """What differs between BibTeX and BibLaTeX output: type names, field names, dates."""

    name: str
    types: Mapping[SourceType, str]
    valid_types: frozenset[str]
    fields: Mapping[str, str]  # Source attribute → field
    type_fields: Mapping[tuple[str, str], str]  # (entry type, attribute) → field
    iso_dates: bool  # date/urldate (BibLaTeX) or year/month (+ date when more precise)


BIBTEX_FIELDS: dict[str, str] = {
    "title": "title",
    "title_short": "shorttitle",
    "container_title": "journal",
    "collection_title": "series",
    "collection_number": "number",
    "publisher": "publisher",
    "publisher_place": "address",
    "edition": "edition",
    "volume": "volume",
    "issue": "number",
    "number_of_volumes": "volumes",
    "page": "pages",
    "number": "number",
    "genre": "type",
    "medium": "howpublished",
    "event_title": "eventtitle",
    "archive": "archive",
    "archive_location": "archive_location",
    "url": "url",
    "doi": "doi",
    "isbn": "isbn",
    "issn": "issn",
    "language": "language",
    "abstract": "abstract",
    "note": "note",
}
# Where an attribute goes when its usual field is taken (``number`` serves three attributes).
FALLBACK_FIELDS: dict[str, str] = {
    "issue": "issue",
    "collection_number": "seriesnumber",
    "number": "number",
}
BIBTEX_TYPE_FIELDS: dict[tuple[str, str], str] = {
    ("incollection", "container_title"): "booktitle",
    ("inproceedings", "container_title"): "booktitle",
    ("conference", "container_title"): "booktitle",
    ("inbook", "container_title"): "booktitle",
    ("book", "container_title"): "booktitle",
    ("misc", "container_title"): "booktitle",
    ("booklet", "container_title"): "booktitle",
    ("unpublished", "container_title"): "booktitle",
    ("phdthesis", "publisher"): "school",
    ("mastersthesis", "publisher"): "school",
    ("techreport", "publisher"): "institution",
    ("manual", "publisher"): "organization",
}

BIBTEX = Dialect(
    name="bibtex",
    types=WRITE_TYPES_BIBTEX,
    valid_types=BIBTEX_TYPES,
    fields=BIBTEX_FIELDS,
    type_fields=BIBTEX_TYPE_FIELDS,
    iso_dates=False,
)

# Canonical field order in output; whatever is not listed follows in the order it was read.
FIELD_ORDER = [
    *(ROLE_FIELDS[role] for role in CreatorRole),
    "title",
    "shorttitle",
    "journal",
    "journaltitle",
    "booktitle",
    "eventtitle",
    "series",
    "edition",
    "volume",
    "volumes",
    "number",
    "issue",
    "pages",
    "type",
    "entrysubtype",
    "howpublished",
    "publisher",
    "school",
    "institution",
    "organization",
    "address",
    "location",
    "year",
    "month",
    "date",
    "origdate",
    "urldate",
    "archive",
    "archive_location",
    "doi",
    "isbn",
    "issn",
    "url",
    "language",
    "langid",
    "crossref",
    "groups",
    "abstract",
    "note",
]
_ORDER = {name: i for i, name in enumerate(FIELD_ORDER)}
_FIELD_NAME = re.compile(r"^[A-Za-z][\w:.+-]*$")
_SAFE_KEY = re.compile(r"^[^\s\"#%'(),={}\\~]+$")


def _entry_type(source: Source, dialect: Dialect, stored: Mapping[str, JsonValue]) -> str:
    original = stored.get("@type")
    if (
        isinstance(original, str)
        and original in dialect.valid_types
        and ENTRY_TYPES.get(original) is source.type
    ):
        return original
    master = source.genre is not None and "master" in source.genre.lower()
    if source.type is SourceType.THESIS and not dialect.iso_dates and master:
        return "mastersthesis"
    return dialect.types.get(source.type, "misc")


def _name(creator: Creator, ascii: bool) -> str:
    """``von Last, Jr., First`` with each part escaped; an institution as ``{Literal Name}``."""
    if creator.literal:
        text = to_latex(creator.literal, ascii=ascii)
        # {\\&...} would read as a special character, not as an institution
        return "{" + ("{}" if text.startswith("\\") else "") + text + "}"

    def part(text: str | None, *, whole: bool = False) -> str:
        if not text:
            return ""
        out = to_latex(text, ascii=ascii)
        words = text.split()
        if (
            "," in text
            or _AND.search(f" {text} ")
            or text.lower() == "others"
            # "de la Cruz" as a family name stays whole, not re-split into particle + family
            or (whole and len(words) > 1 and any(_first_case(w) == "lower" for w in words))
        ):
            out = "{" + out + "}"
        return out

    family = part(creator.family, whole=True) or "{}"
    particle = " ".join(p for p in (creator.dropping_particle, creator.non_dropping_particle) if p)
    head = f"{part(particle)} {family}" if particle else family
    given = part(creator.given)
    if creator.suffix:
        return f"{head}, {part(creator.suffix)}, {given}"
    if given:
        return f"{head}, {given}"
    # "Mao Zedong" without given names: the comma keeps both words in the family name
    return f"{head}," if len(head.split()) > 1 else head


def _date_fields(source: Source, dialect: Dialect) -> dict[str, tuple[str, bool]]:
    """Date fields as (latex text, is_macro)."""
    out: dict[str, tuple[str, bool]] = {}
    for name, attr in DATE_FIELDS.items():
        value: PartialDate | None = getattr(source, attr)
        if value is None:
            continue
        if attr == "issued" and (value.literal is not None or not dialect.iso_dates):
            if value.literal is not None:
                out["year"] = (to_latex(value.literal), False)
                continue
            point = value.start or value.end
            assert point is not None
            out["year"] = (str(point.year), False)
            if point.month and value.start is not None:
                out["month"] = (MONTH_NAMES[point.month], True)
            simple = value.start is not None and not value.is_range and not value.circa
            if simple and not value.uncertain and not point.day and not point.season:
                continue
        out[name] = (value.edtf(), False)
    return out


def _braced(text: str) -> str:
    return "{" + text + "}"


def _verbatim(text: str) -> str:
    """A URL or path as it is, unless a brace in it would unbalance the field: then %-encoded."""
    try:
        check_group(text)
        return text
    except LatexError:
        return text.replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C")


def write_entry(
    source: Source, key: str, dialect: Dialect, *, ascii: bool = False, crossref: str | None = None
) -> str:
    """One record as one entry, every value brace-balanced and escaped."""
    stored = source.extra.get(NAMESPACE)
    stored = stored if isinstance(stored, dict) else {}
    protect = stored.get("@protect")
    protect = protect if isinstance(protect, dict) else {}
    entry_type = _entry_type(source, dialect, stored)
    fields: dict[str, str] = {}

    def spans(name: str) -> list[tuple[int, str]]:
        found = protect.get(name)
        if not isinstance(found, list):
            return []
        return [
            (s[0], str(s[1]))
            for s in found
            if isinstance(s, list) and len(s) == 2 and isinstance(s[0], int)
        ]

    def put(name: str, value: str) -> None:
        if name not in fields and value.strip():
            fields[name] = value

    others = stored.get("@others")
    others = others if isinstance(others, list) else []
    for role in CreatorRole:
        people = source.creators_in(role)
        if people:
            name = ROLE_FIELDS[role]
            names = [_name(c, ascii) for c in people]
            if name in others:
                names.append("others")
            put(name, " and ".join(names))
    for attr, name in dialect.fields.items():
        value = getattr(source, attr)
        if value is None:
            continue
        name = dialect.type_fields.get((entry_type, attr), name)
        if name in fields:
            name = FALLBACK_FIELDS.get(attr, attr)
        if is_verbatim(name):
            put(name, _verbatim(value))
        else:
            if attr == "page":
                # page ranges take BibTeX's -- (an en dash elsewhere is a real en dash)
                put(name, "--".join(to_latex(p, ascii=ascii) for p in value.split("–")))
            else:
                put(name, to_latex(value, spans(attr), ascii=ascii))
    if ENTRY_TYPES.get(entry_type, SourceType.DOCUMENT) is not source.type:
        subtypes = {t: name for name, t in ARTICLE_SUBTYPES.items()}
        article = entry_type == "article" and source.type in subtypes
        put("entrysubtype", subtypes[source.type] if article else source.type.value)
    macros = set()
    for name, (text, is_macro) in _date_fields(source, dialect).items():
        put(name, text)
        if is_macro:
            macros.add(name)
    if crossref:
        put("crossref", crossref)
    if source.group and source.group != ("image" if source.type in IMAGE_TYPES else "secondary"):
        put("groups", to_latex(source.group, ascii=ascii))
    for name, value in stored.items():
        if name.startswith("@") or not _FIELD_NAME.match(name) or name in fields:
            continue
        text = value if isinstance(value, str) else str(value)
        put(
            name, _verbatim(text) if is_verbatim(name) else to_latex(text, spans(name), ascii=ascii)
        )
    order = sorted(fields, key=lambda n: (_ORDER.get(n, len(_ORDER)),))
    body = ",\n".join(
        f"  {name} = {fields[name] if name in macros else _braced(fields[name])}" for name in order
    )
    comments = stored.get("@comments")
    head = ""
    if isinstance(comments, list):
        head = "".join(_comment(str(c)) for c in comments)
    return f"{head}@{entry_type}{{{key},\n{body}\n}}\n"


def _comment(text: str) -> str:
    try:
        check_group(text)
    except LatexError:
        return ""
    return f"@comment{{{text}}}\n\n"


class _Caseless(set[str]):
    """Keys taken so far; BibTeX and biber compare keys without regard to case."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.casefold())

    def add(self, key: str) -> None:
        super().add(key.casefold())


def keys_for(records: Sequence[Source]) -> list[str]:
    """A unique, stable key per record: its own key, else one made from author, year and title.

    Records' own keys are placed first, so a generated key never takes one a record has.
    """
    taken = _Caseless()
    out: list[str | None] = []
    for source in records:
        stored = source.extra.get(NAMESPACE)
        original = stored.get("@key") if isinstance(stored, dict) else None
        wanted = source.key or (original if isinstance(original, str) else None)
        if wanted and _SAFE_KEY.match(wanted):
            key = unique_key(wanted, taken)
            taken.add(key)
            out.append(key)
        else:
            out.append(None)
    for index, source in enumerate(records):
        if out[index] is None:
            key = unique_key(base_key(source), taken)
            taken.add(key)
            out[index] = key
    return [key for key in out if key is not None]  # every record has one by now


def dump(records: Sequence[Source], dialect: Dialect, *, ascii: bool = False) -> str:
    """Records as BibTeX or BibLaTeX text in the given dialect."""
    preambles: list[str] = []
    for source in records:
        stored = source.extra.get(NAMESPACE)
        found = stored.get("@preamble") if isinstance(stored, dict) else None
        for text in found if isinstance(found, list) else []:
            if isinstance(text, str) and text not in preambles:
                preambles.append(text)
    parts = []
    for text in preambles:
        try:
            check_group(text)
        except LatexError:
            continue
        parts.append(f"@preamble{{{{{text}}}}}\n")
    keys = keys_for(records)
    position = {s.key: i for i, s in enumerate(records) if s.key}
    for index, (source, key) in enumerate(zip(records, keys, strict=True)):
        stored = source.extra.get(NAMESPACE)
        parent = stored.get("@crossref") if isinstance(stored, dict) else None
        # BibTeX wants a crossref'd parent after its children; otherwise the inlined fields do
        ok = isinstance(parent, str) and position.get(parent, -1) > index
        crossref = keys[position[parent]] if ok else None  # type: ignore[index]
        parts.append(write_entry(source, key, dialect, ascii=ascii, crossref=crossref))
    return "\n".join(parts)


def write(records: Sequence[Source], *, ascii: bool = False) -> str:
    """Records as BibTeX: ``year``/``month``, ``journal``; ``ascii=True`` escapes to LaTeX."""
    return dump(records, BIBTEX, ascii=ascii)


FORMAT = Format(
    name="bibtex",
    suffixes=(".bib", ".bibtex"),
    media_type="application/x-bibtex",
    parse=parse,
    write=write,
    description="BibTeX (.bib): read both dialects, write classic BibTeX",
)
