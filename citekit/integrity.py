"""Integrity checks in the spirit of JabRef's: records in, findings out (pure, no I/O).

Each :class:`Finding` names the record (id, key, or position in the input), the field (CSL
spelling: ``container-title``, ``URL``), a severity, a message and, where one can be computed, a
suggested fix as a patch (CSL field → new value, ``None`` to clear) that
``services.patch_source`` can apply as is.

Three entry points, one per kind of input:

* :func:`check_sources` — validated :class:`~citekit.model.Source` records (a library, an
  import), with the checks across records (entry order, names against the article text);
* :func:`check_mapping` — a raw field mapping that may not validate (a bad ISBN from an import):
  every validation problem becomes an error finding, and the text checks still run;
* :func:`check_entry_text` — the raw text of one bibliography entry as it was written, for the
  defects a reader irons out on the way in (``2010..``, ``History Today  61``);
  :func:`check_bibliography_text` runs it on every line of a file.

:func:`check_parse_result` puts them together for a file about to be imported: the reader's
failures and guesses, every record check, and the file's lines.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import JsonValue
from rapidfuzz import fuzz, process
from stdnum import ean as stdnum_ean
from stdnum import isbn as stdnum_isbn

from citekit.duplicates import ascii_fold
from citekit.errors import InvalidRecord, UnsupportedFormat
from citekit.formats.base import ParseResult
from citekit.model import PartialDate, Source, SourceType, validate_source
from citekit.model.names import Creator
from citekit.model.source import today

# -- findings ---------------------------------------------------------------------------------


class Severity(StrEnum):
    """How bad a finding is: an error makes the record wrong, a warning makes it look wrong."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    """One problem with one record: ``Finding("doubled-space", WARNING, "...", field="title")``.

    ``fix`` is a patch (CSL field name → suggested new value; ``None`` clears a field). Several
    text fixes on one field are cumulative: a later finding's fix includes the earlier ones.
    """

    check: str
    severity: Severity
    message: str
    field: str | None = None
    record_id: str | None = None
    key: str | None = None
    index: int | None = None
    line: int | None = None
    fix: dict[str, JsonValue] | None = None

    @property
    def where(self) -> str:
        """The record as a person would name it: its key, else its id, position or line."""
        if self.key:
            return self.key
        if self.record_id:
            return f"id {self.record_id}"
        if self.line is not None:
            return f"line {self.line}"
        if self.index is not None:
            return f"entry {self.index + 1}"
        return "(input)"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (for ``citekit check --json`` and the API)."""
        return {
            "check": self.check,
            "severity": self.severity.value,
            "message": self.message,
            "field": self.field,
            "id": self.record_id,
            "key": self.key,
            "index": self.index,
            "line": self.line,
            "fix": self.fix,
        }

    def __str__(self) -> str:
        where = f"{self.where} {self.field}" if self.field else self.where
        return f"{self.severity.value}: {where}: {self.message}"


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def _locate(findings: Iterable[Finding], **where: Any) -> list[Finding]:
    """The same findings with record identity filled in (id, key, index, line)."""
    out = []
    for f in findings:
        changes = {k: v for k, v in where.items() if v is not None and getattr(f, k) is None}
        out.append(replace(f, **changes) if changes else f)
    return out


# -- text checks --------------------------------------------------------------------------------

# Fields whose text people type and typos live in; URL, DOI, note and abstract are left alone
# (a note may quote the defect it records, and identifiers have checks of their own).
TEXT_FIELDS = (
    "title",
    "title_short",
    "container_title",
    "collection_title",
    "publisher",
    "publisher_place",
    "edition",
    "volume",
    "issue",
    "page",
    "number",
    "genre",
    "medium",
    "source",
    "archive",
    "archive_location",
    "archive_place",
    "event_title",
)
TITLE_FIELDS = ("title", "container_title", "collection_title")
NAME_PARTS = ("family", "given", "literal", "suffix")

_DOUBLED_SPACE = re.compile(r"(?<=\S)[ \t\u00a0]{2,}(?=\S)")
# ".." that is not part of an ellipsis, ",,", ";;", "::", and a space before , ; : ("Jr.," and
# "et al.," are right, so a period next to a comma is not flagged).
_DOUBLED_PUNCT = re.compile(r"(?<!\.)\.\.(?!\.)|,,+|;;+|::+|\s+(?=[,;:](?:\s|$))")
# "Outcast- Trotsky": a hyphen glued to the word before and spaced from the word after, which is
# how a colon or dash gets typed; "pre- and post-war" style suspended hyphens are left alone.
_HYPHEN_COLON = re.compile(r"(?<=[^\W\d_])(?:[’'\")\]]?)-\s(?!(?:and|or|to|und|et)\b)(?=\w)")
_YEAR_RANGE = re.compile(r"\b(1\d{3}|20\d{2})-(\d{2}|\d{4})\b")
_SITE_SUFFIX = re.compile(r"^(?P<head>.+)\s+(?P<sep>[|•·]|[-–—]{1,2})\s+(?P<site>[^|•·–—]+)$")
_HTML_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{2,6}|#x[0-9A-Fa-f]{2,6});")
# A backslash command or accent, or a brace: BibTeX markup a reader should have decoded.
_LATEX = re.compile(r"\\(?:[A-Za-z]+|[\"'`^~=.])|[{}]")
_PAGE_LABEL = re.compile(r"^(?:pp?\.|pages?|S\.)\s*(?=\w)", re.IGNORECASE)
_EDITION_AS_ISSUE = re.compile(
    r"\b(?:vol(?:ume)?\.?\s*(?P<volume>[\w.-]+))?[\s,;]*"
    r"(?:(?:no|nos|num|number|issue|iss)\.?\s*(?P<issue>[\w.-]+))?",
    re.IGNORECASE,
)
_ORDINAL_EDITION = re.compile(
    r"^(?P<n>\d+)(?:st|nd|rd|th)?\.?\s+(?:ed\.?|edn\.?|edition)$", re.IGNORECASE
)


def _collapse_spaces(text: str) -> str:
    return _DOUBLED_SPACE.sub(" ", text)


def _fix_punctuation(text: str) -> str:
    return _DOUBLED_PUNCT.sub(lambda m: "" if m.group(0).isspace() else m.group(0)[0], text)


def _fix_hyphen_colon(text: str) -> str:
    return _HYPHEN_COLON.sub(lambda m: m.group(0).split("-")[0].rstrip() + ": ", text)


def _en_dash_ranges(text: str) -> str:
    return _YEAR_RANGE.sub(lambda m: f"{m.group(1)}–{m.group(2)}", text)


@dataclass(frozen=True)
class TextRule:
    """A text check: ``find`` spots the defect, ``fix`` returns the corrected text."""

    check: str
    severity: Severity
    find: re.Pattern[str]
    fix: Callable[[str], str] | None  # None: no safe automatic fix
    message: str
    fields: tuple[str, ...] | None = None  # None: every text field


# Applied in this order; a later rule's fix builds on the earlier ones' (see Finding.fix).
TEXT_RULES = (
    TextRule(
        "doubled-space",
        Severity.WARNING,
        _DOUBLED_SPACE,
        _collapse_spaces,
        "doubled space in {found!r}",
    ),
    TextRule(
        "doubled-punctuation",
        Severity.WARNING,
        _DOUBLED_PUNCT,
        _fix_punctuation,
        "duplicated or misplaced punctuation in {found!r}",
    ),
    TextRule(
        "hyphen-for-colon",
        Severity.WARNING,
        _HYPHEN_COLON,
        _fix_hyphen_colon,
        "a hyphen stands for a colon in {found!r} (title and subtitle are joined by a colon)",
        TITLE_FIELDS,
    ),
    TextRule(
        "hyphen-in-range",
        Severity.INFO,
        _YEAR_RANGE,
        _en_dash_ranges,
        "a year range takes an en dash, not a hyphen: {found!r}",
        TITLE_FIELDS,
    ),
    TextRule(
        "html-entity",
        Severity.WARNING,
        _HTML_ENTITY,
        html.unescape,
        "an HTML entity was left in the text: {found!r}",
    ),
    TextRule(
        "latex-markup",
        Severity.WARNING,
        _LATEX,
        None,
        "LaTeX markup was left in the text: {found!r} (re-import it, or type the character)",
    ),
    TextRule(
        "page-label",
        Severity.INFO,
        _PAGE_LABEL,
        lambda text: _PAGE_LABEL.sub("", text),
        "the page field holds its label {found!r}; the style adds 'p.' or 'pp.' itself",
        ("page",),
    ),
)


def _context(text: str, m: re.Match[str], words: int = 2) -> str:
    """The match with a couple of whole words either side, enough to find it by eye."""
    before = text[: m.start()].split(" ")
    after = text[m.end() :].split(" ")
    left = " ".join(before[-words:]) if len(before) > words else text[: m.start()]
    right = " ".join(after[:words]) if len(after) > words else text[m.end() :]
    return left + m.group(0) + right


_ANY_SLIP = re.compile("|".join(f"(?:{rule.find.pattern})" for rule in TEXT_RULES))


def check_text(name: str, text: str) -> list[Finding]:
    """The text rules on one field value; ``name`` is the CSL field name, e.g. ``"title"``."""
    out: list[Finding] = []
    if not _ANY_SLIP.search(text):  # most values are clean: one scan instead of one per rule
        return out
    current = text
    snake = name.replace("-", "_")
    for rule in TEXT_RULES:
        if rule.fields is not None and snake not in rule.fields:
            continue
        m = rule.find.search(current)
        if m is None:
            continue
        message = rule.message.format(found=_context(current, m))
        if rule.fix is None:
            out.append(Finding(rule.check, rule.severity, message, field=name))
            continue
        current = rule.fix(current)
        out.append(Finding(rule.check, rule.severity, message, field=name, fix={name: current}))
    return out


def check_entry_text(text: str, *, line: int | None = None) -> list[Finding]:
    """Defects in the raw text of one bibliography entry, as the writer typed it.

    A reader splits ``Pan Macmillan, 2010.. Volkognov`` or ``History Today  61, no. 12`` into
    clean fields, so these defects show only here. Findings have no field and no fix (the
    record's fields are already clean); their message quotes the text.
    """
    out: list[Finding] = []
    # URLs are set aside: "..." and "--" are fine inside them.
    body = _URL.sub("<URL>", text)
    for check, pattern, what in (
        ("doubled-space", _DOUBLED_SPACE, "doubled space"),
        ("doubled-punctuation", _DOUBLED_PUNCT, "duplicated or misplaced punctuation"),
    ):
        for m in pattern.finditer(body):
            if m.group(0).isspace() and check == "doubled-punctuation":
                continue
            found = _context(body, m)
            out.append(
                Finding(check, Severity.WARNING, f"{what} in the entry text: {found!r}", line=line)
            )
    edition = _EDITION_TEXT.search(text)
    if edition:
        out.append(
            Finding(
                "issue-as-edition",
                Severity.WARNING,
                f"volume/issue written as an edition in the entry text: {edition.group(0)!r}",
                line=line,
            )
        )
    return out


_URL = re.compile(r"https?://\S+")
_EDITION_TEXT = re.compile(r"\b(?:vol\.?|volume|no\.?|issue)\s*\w+[^;]{0,24}?\bedition\b", re.I)


# -- record checks ------------------------------------------------------------------------------


_CSL_NAMES = {"url": "URL", "doi": "DOI", "isbn": "ISBN", "issn": "ISSN"}


def _csl(name: str) -> str:
    return _CSL_NAMES.get(name) or name.replace("_", "-")


def _creator_dicts(creators: Sequence[Creator]) -> list[JsonValue]:
    return [c.model_dump(mode="json", by_alias=True, exclude_none=True) for c in creators]


def _text_findings(source: Source) -> list[Finding]:
    out: list[Finding] = []
    for name in TEXT_FIELDS:
        value = getattr(source, name)
        if isinstance(value, str):
            out += check_text(_csl(name), value)
    creators = list(source.creators)
    for i, creator in enumerate(source.creators):
        for part in NAME_PARTS:
            value = getattr(creator, part)
            if not isinstance(value, str):
                continue
            fixed = _fix_punctuation(_collapse_spaces(value))
            if fixed != value:
                creators[i] = creators[i].model_copy(update={part: fixed})
                out.append(
                    Finding(
                        "name-typography",
                        Severity.WARNING,
                        f"doubled space or punctuation in the name {value!r}",
                        field=f"creators.{i}.{part}",
                        fix={"creators": _creator_dicts(creators)},
                    )
                )
    return out


def _identifier_findings(source: Source) -> list[Finding]:
    """Identifiers that validate but could be better: a DOI hiding in the URL, ISBN-10 forms."""
    out: list[Finding] = []
    if source.url and not source.doi:
        m = re.match(r"https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", source.url, re.I)
        if m:
            out.append(
                Finding(
                    "doi-in-url",
                    Severity.INFO,
                    "the URL is a DOI link; record the DOI itself",
                    field="DOI",
                    fix={"DOI": m.group(1)},
                )
            )
    if source.isbn:
        numbers = source.isbn.split()
        isbn13 = [stdnum_isbn.to_isbn13(n) if len(n) == 10 else n for n in numbers]
        if isbn13 != numbers and len(set(isbn13)) < len(isbn13):
            out.append(
                Finding(
                    "isbn-repeated",
                    Severity.INFO,
                    "the same ISBN is given in its 10- and 13-digit forms",
                    field="ISBN",
                    fix={"ISBN": " ".join(dict.fromkeys(isbn13))},
                )
            )
    return out


_TRAILING_URL_PUNCT = re.compile(r"[.,;:)\]]+$")


def _url_findings(source: Source) -> list[Finding]:
    out: list[Finding] = []
    if not source.url:
        return out
    url = source.url
    m = _TRAILING_URL_PUNCT.search(url)
    if m and not url.endswith("/)"):
        out.append(
            Finding(
                "url-trailing-punctuation",
                Severity.WARNING,
                f"the URL ends in {m.group(0)!r}, most likely the sentence's punctuation",
                field="URL",
                fix={"URL": url[: m.start()]},
            )
        )
    host = urlsplit(url).hostname or ""
    if host and "." not in host and host != "localhost":
        out.append(
            Finding("url-host", Severity.WARNING, f"the URL's host {host!r} has no domain", "URL")
        )
    if not url.isascii():
        out.append(
            Finding(
                "url-not-encoded",
                Severity.INFO,
                "the URL holds characters that are not percent-encoded",
                field="URL",
            )
        )
    return out


WEB_BEGAN = 1991  # the first web page; nothing with a URL was accessed before


def _date_findings(source: Source) -> list[Finding]:
    out: list[Finding] = []
    issued, accessed, original = source.issued, source.accessed, source.original_date
    if issued and issued.start and issued.start.year > today().year:
        out.append(
            Finding(
                "date-future",
                Severity.WARNING,
                f"issued {issued} is in the future (forthcoming?)",
                field="issued",
            )
        )
    if accessed and accessed.year is not None:
        if accessed.year < WEB_BEGAN and source.url:
            out.append(
                Finding(
                    "date-impossible",
                    Severity.ERROR,
                    f"accessed {accessed} is before the web existed ({WEB_BEGAN})",
                    field="accessed",
                )
            )
        if issued and _before(accessed, issued):
            out.append(
                Finding(
                    "date-impossible",
                    Severity.ERROR,
                    f"accessed {accessed} is before the source was issued ({issued})",
                    field="accessed",
                )
            )
    if original and issued and _before(issued, original):
        out.append(
            Finding(
                "date-impossible",
                Severity.WARNING,
                f"issued {issued} is before the original date {original}",
                field="original-date",
            )
        )
    return out


def _before(a: PartialDate, b: PartialDate) -> bool:
    """Whether ``a`` certainly ends before ``b`` starts, at the precision both give."""
    end, start = a.end or a.start, b.start or b.end
    if end is None or start is None or a.circa or b.circa:
        return False
    precision = min(len(end.parts()), len(start.parts()))
    return end.parts()[:precision] < start.parts()[:precision]


# Fields a style needs and the record lacks: style → type → fields (a tuple is "one of these").
# Chicago 17th ed. notes-bibliography: books give place and publisher (14.127–14.133), articles
# their periodical (14.168, 14.186), web pages their URL and, lacking a date, an access date
# (14.233); we ask for the access date always, as the brief's house rule does.
STYLE_NEEDS: dict[str, dict[SourceType, tuple[str | tuple[str, ...], ...]]] = {
    "chicago": {
        SourceType.BOOK: ("publisher", "publisher_place", "issued"),
        SourceType.CHAPTER: ("container_title", "publisher", "publisher_place", "issued"),
        SourceType.ARTICLE_JOURNAL: ("container_title", ("volume", "issue"), "issued"),
        SourceType.ARTICLE_MAGAZINE: ("container_title", "issued"),
        SourceType.ARTICLE_NEWSPAPER: ("container_title", "issued"),
        SourceType.WEBPAGE: ("url", "accessed"),
        SourceType.POST_WEBLOG: ("url", "container_title", "issued"),
        SourceType.THESIS: ("publisher", "issued"),
        SourceType.REPORT: ("publisher", "issued"),
        SourceType.MANUSCRIPT: (("archive", "url"),),
        SourceType.GRAPHIC: (("url", "archive", "container_title"),),
    }
}
# APA 7th ed. (9.4–9.5, 10.1–10.16): no place of publication; periodicals give volume and a
# page range or article number; web pages their URL.
STYLE_NEEDS["apa"] = {
    SourceType.BOOK: ("publisher", "issued"),
    SourceType.CHAPTER: ("container_title", "publisher", "page", "issued"),
    SourceType.ARTICLE_JOURNAL: ("container_title", "volume", ("page", "number"), "issued"),
    SourceType.ARTICLE_MAGAZINE: ("container_title", "issued"),
    SourceType.ARTICLE_NEWSPAPER: ("container_title", "issued"),
    SourceType.WEBPAGE: ("url",),
    SourceType.THESIS: ("publisher", "issued"),
    SourceType.REPORT: ("publisher", "issued"),
}
# MLA 9th ed. core elements: container, publisher, date and location (pages or URL).
STYLE_NEEDS["mla"] = {
    SourceType.BOOK: ("publisher", "issued"),
    SourceType.CHAPTER: ("container_title", "publisher", "page", "issued"),
    SourceType.ARTICLE_JOURNAL: ("container_title", "volume", "issued", "page"),
    SourceType.ARTICLE_MAGAZINE: ("container_title", "issued"),
    SourceType.ARTICLE_NEWSPAPER: ("container_title", "issued"),
    SourceType.WEBPAGE: ("url", "container_title"),
}
STYLE_NAMES = {"chicago": "Chicago", "apa": "APA", "mla": "MLA"}


def style_family(style: str) -> str:
    """The style whose needs are checked: ``chicago-notes-bibliography`` → ``chicago``.

    Raises UnsupportedFormat for a style it has no table for.
    """
    name = style.strip().lower()
    if name == "modern-language-association":
        name = "mla"
    family = next((f for f in STYLE_NEEDS if name == f or name.startswith(f + "-")), None)
    if family is None:
        raise UnsupportedFormat(
            f"no integrity rules for style {style!r}; use one of {', '.join(STYLE_NEEDS)}"
        )
    return family


def _style_findings(source: Source, style: str) -> list[Finding]:
    needs = STYLE_NEEDS[style].get(source.type, ())
    out = []
    for need in needs:
        names = need if isinstance(need, tuple) else (need,)
        if any(getattr(source, n) not in (None, "", []) for n in names):
            continue
        if source.type == SourceType.WEBPAGE and names == ("accessed",) and not source.url:
            continue
        label = " or ".join(_csl(n) for n in names)
        out.append(
            Finding(
                "style-needs",
                Severity.WARNING,
                f"{STYLE_NAMES.get(style, style)} needs {label} for a {source.type.value}",
                field=_csl(names[0]),
            )
        )
    return out


_SITE_NOISE = re.compile(r"[^a-z0-9]")


def _squash(text: str) -> str:
    return _SITE_NOISE.sub("", ascii_fold(text))


def _site_names(source: Source) -> list[str]:
    names = [n for n in (source.container_title, source.publisher, source.source) if n]
    names += [c.literal for c in source.creators if c.literal]
    return names


def _site_name_findings(source: Source) -> list[Finding]:
    """A title still carrying its site name: ``Trotsky Offered Asylum | History Today``."""
    if not source.title or not (source.url or source.type == SourceType.WEBPAGE):
        return []
    m = _SITE_SUFFIX.match(source.title)
    if not m:
        return []
    site = m.group("site").strip()
    squashed = _squash(site)
    # The host's first label names the site: historytoday.com, hoover.org ("Hoover Institution").
    hostname = (urlsplit(source.url).hostname or "") if source.url else ""
    label = _squash(hostname.removeprefix("www.").split(".")[0])
    known = any(_squash(n) == squashed for n in _site_names(source)) or (
        len(label) >= 4
        and bool(squashed)
        and (squashed.startswith(label) or label.startswith(squashed))
    )
    # A bar almost always introduces a site name; a dash only does when the site is known.
    if not known and m.group("sep") not in "|•·":
        return []
    return [
        Finding(
            "site-name-in-title",
            Severity.WARNING if known else Severity.INFO,
            f"the title ends with the site's name {site!r}",
            field="title",
            fix={"title": m.group("head").strip()},
        )
    ]


def _edition_findings(source: Source) -> list[Finding]:
    """``edition: "Vol. 2, No. 7 edition"`` is a volume and an issue, not an edition."""
    edition = source.edition
    if not edition:
        return []
    bare = re.sub(r"\s*\bedition\b\.?$", "", edition, flags=re.IGNORECASE).strip(" ,.")
    m = _EDITION_AS_ISSUE.fullmatch(bare)
    if m and (m.group("volume") or m.group("issue")):
        fix: dict[str, JsonValue] = {"edition": None}
        for part in ("volume", "issue"):
            found = m.group(part)
            if found and not getattr(source, part):
                fix[part] = found.strip(".")
        return [
            Finding(
                "issue-as-edition",
                Severity.WARNING,
                f"edition {edition!r} holds a volume/issue number, not an edition",
                field="edition",
                fix=fix,
            )
        ]
    m = _ORDINAL_EDITION.match(edition)
    if m:
        return [
            Finding(
                "edition-format",
                Severity.INFO,
                f"edition {edition!r}: CSL keeps the number alone, the style adds 'ed.'",
                field="edition",
                fix={"edition": m.group("n")},
            )
        ]
    return []


def check_source(
    source: Source,
    *,
    style: str = "chicago",
    index: int | None = None,
    entry_text: bool = True,
) -> list[Finding]:
    """Every single-record check on one validated Source (``style``: chicago, apa or mla).

    ``entry_text=False`` skips the text the record was read from (when that text's lines are
    checked anyway, as :func:`check_parse_result` does).
    """
    style = style_family(style)
    out = (
        _text_findings(source)
        + _identifier_findings(source)
        + _url_findings(source)
        + _date_findings(source)
        + _style_findings(source, style)
        + _site_name_findings(source)
        + _edition_findings(source)
        + (_entry_text_findings(source) if entry_text else [])
    )
    return _locate(out, record_id=source.id, key=source.key, index=index)


# Where a record keeps the text it was read from (the demo library's curated records and readers
# of free-text bibliographies put it there); a ``corrections`` list beside it means a person has
# reviewed that text, so its defects are not reported again.
ENTRY_TEXT_KEY = "article_text"
CORRECTIONS_KEY = "corrections"


def _entry_text_findings(source: Source) -> list[Finding]:
    text = source.extra.get(ENTRY_TEXT_KEY)
    if not isinstance(text, str) or CORRECTIONS_KEY in source.extra:
        return []
    return check_entry_text(text)


# -- raw mappings -------------------------------------------------------------------------------


def _isbn_hint(value: str) -> str:
    """The check digit the other digits call for: a typo is usually in one of them."""
    digits = stdnum_isbn.compact(value)
    body = digits[:-1]
    if not body.isdigit():
        return ""
    if len(digits) == 13:
        return f" (for these digits the check digit would be {stdnum_ean.calc_check_digit(body)})"
    if len(digits) == 10:
        check = (11 - sum((10 - i) * int(d) for i, d in enumerate(body)) % 11) % 11
        return f" (for these digits the check digit would be {'X' if check == 10 else check})"
    return ""


def check_mapping(
    raw: Mapping[str, Any],
    *,
    style: str = "chicago",
    index: int | None = None,
    line: int | None = None,
) -> list[Finding]:
    """Check a raw record (CSL names or citekit's); invalid fields become error findings.

    >>> [f.check for f in check_mapping({"type": "book", "title": "X", "ISBN": "0-19-281065-X"})]
    ['invalid-field', 'style-needs', 'style-needs', 'style-needs']
    """
    key = raw.get("key") if isinstance(raw.get("key"), str) else None
    record_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    try:
        source = validate_source(raw)
    except InvalidRecord as exc:
        out = []
        for err in exc.errors:
            message = err.msg
            if err.path in ("ISBN", "isbn") and isinstance(raw.get(err.path), str):
                message += _isbn_hint(raw[err.path])
            out.append(Finding("invalid-field", Severity.ERROR, message, field=err.path))
        for name, value in raw.items():
            if isinstance(value, str) and name.replace("-", "_") in TEXT_FIELDS:
                out += check_text(name, value)
        return _locate(out, record_id=record_id, key=key, index=index, line=line)
    return _locate(check_source(source, style=style, index=index), line=line)


# -- checks across records ----------------------------------------------------------------------

LEADING_ARTICLES = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
UNORDERED_GROUPS = ("image",)  # image credits follow the order of the figures, not the alphabet


def sort_key(source: Source) -> tuple[str, ...]:
    """Chicago's bibliography order (CMOS 14.67–14.72): the first creator's family and given name,
    single-author works before those with co-authors (ordered by them), then the title; a work
    without creators files under its title."""
    title = LEADING_ARTICLES.sub("", re.sub(r"^[\W_]+", "", source.title or ""))
    title_key = " ".join(re.findall(r"[a-z0-9]+", ascii_fold(title)))
    if not source.creators:
        return (title_key,)
    first = source.creators[0]
    # The names that head the entry: the first creator and the others in the same role.
    heads = [c for c in source.creators if c.role == first.role]
    names = [ascii_fold(part) for c in heads for part in c.sort_key()]
    return (*names[:2], "1" if len(heads) > 1 else "0", *names[2:], title_key)


def _label(source: Source, index: int) -> str:
    return source.key or source.title or f"entry {index + 1}"


def _longest_sorted_run(keys: Sequence[tuple[str, ...]]) -> set[int]:
    """Positions of a longest non-decreasing subsequence, preferring earlier entries on ties
    (so of ``B, A`` it is ``A`` that is out of place: lists grow at the end).

    Patience sorting, O(n log n), run backwards on negated ranks: it keeps the latest candidates
    of the sequence it sees, which are the earliest of the list.
    """
    rank = {key: r for r, key in enumerate(sorted(set(keys)))}
    values = [-rank[key] for key in reversed(keys)]
    tails: list[int] = []  # smallest tail value of a run of each length
    tail_at: list[int] = []  # position of that tail
    previous = [-1] * len(values)
    for pos, value in enumerate(values):
        length = bisect_right(tails, value)
        if length == len(tails):
            tails.append(value)
            tail_at.append(pos)
        else:
            tails[length], tail_at[length] = value, pos
        previous[pos] = tail_at[length - 1] if length else -1
    run: set[int] = set()
    pos = tail_at[-1] if tail_at else -1
    while pos != -1:
        run.add(len(values) - 1 - pos)
        pos = previous[pos]
    return run


# A group counts as meant to be alphabetical when this share of it already is; otherwise (a
# library filled over time) one note for the group says so instead of a finding per record.
SORTED_SHARE = 0.6
SMALL_GROUP = 5  # a few entries are always checked one by one


def check_order(
    sources: Sequence[Source], *, unordered_groups: Iterable[str] = UNORDERED_GROUPS
) -> list[Finding]:
    """Entries out of alphabetical order within their group, as listed.

    The entries reported are the fewest whose moving sorts the group: those outside a longest
    sorted run. A group mostly unsorted gets a single info finding.
    """
    skip = set(unordered_groups)
    by_group: dict[str, list[int]] = {}
    for i, s in enumerate(sources):
        if (s.group or "") not in skip:
            by_group.setdefault(s.group or "", []).append(i)
    out: list[Finding] = []
    for group, members in by_group.items():
        keys = [sort_key(sources[i]) for i in members]
        run = _longest_sorted_run(keys)
        misplaced = [pos for pos in range(len(members)) if pos not in run]
        if not misplaced:
            continue
        if len(members) > SMALL_GROUP and len(run) < SORTED_SHARE * len(members):
            out.append(
                Finding(
                    "entry-order",
                    Severity.INFO,
                    f"group {group!r} is not in alphabetical order "
                    f"({len(misplaced)} of {len(members)} entries out of place)",
                )
            )
            continue
        ordered = sorted(run)
        for pos in misplaced:
            # The first entry of the sorted run it should precede.
            after = next((p for p in ordered if keys[p] > keys[pos]), ordered[-1])
            where = "before" if keys[after] > keys[pos] else "after"
            i, j = members[pos], members[after]
            out.append(
                Finding(
                    "entry-order",
                    Severity.WARNING,
                    f"out of alphabetical order in group {group!r}: belongs {where} "
                    f"{_label(sources[j], j)!r}",
                    record_id=sources[i].id,
                    key=sources[i].key,
                    index=i,
                )
            )
    return out


_BIBLIOGRAPHY_HEADING = re.compile(
    r"^[ \t]*(?:bibliography|references|works cited|sources|literature|select bibliography)"
    r"[ \t]*:?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


def article_body(text: str) -> str:
    """The article without its bibliography: the text before the last bibliography heading."""
    headings = list(_BIBLIOGRAPHY_HEADING.finditer(text))
    return text[: headings[-1].start()] if headings else text


_WORD = re.compile(r"[^\W\d_][^\W\d_’'-]*[^\W\d_]")


def text_words(text: str) -> Counter[str]:
    """Capitalised words of a text, URLs left out and possessives cut: ``Trotsky’s`` → Trotsky."""
    plain = re.sub(r"https?://\S+", " ", text)
    words = (re.sub(r"[’']s$", "", w) for w in _WORD.findall(plain))
    return Counter(w for w in words if w[:1].isupper())


def check_names_against_text(
    sources: Sequence[Source], text: str, *, min_score: float = 80.0
) -> list[Finding]:
    """Creators whose family name the article text spells differently (Volkognov/Volkogonov).

    Only the article's body counts (the text before its bibliography heading, which holds the
    very spellings being checked). A near spelling counts when it scores ``min_score`` or more
    (rapidfuzz ratio), starts with the same letter, is more frequent in the text than the name
    itself, and is neither a prefix nor an extension of the name (Sedov/Sedova, Lenin/Leninism
    are different words), nor the family name of another creator in the list.
    """
    words = text_words(article_body(text))
    vocabulary = list(words)
    families = {c.family for s in sources for c in s.creators if c.family}
    out: list[Finding] = []
    for index, source in enumerate(sources):
        for ci, creator in enumerate(source.creators):
            name = creator.family
            if not name or len(name) < 5 or " " in name:
                continue
            matches = process.extract(
                name, vocabulary, scorer=fuzz.ratio, score_cutoff=min_score, limit=5
            )
            for word, score, _ in matches:
                if (
                    word == name
                    or words[name] >= words[word]  # the text mostly spells it as the record does
                    or word in families
                    or word[0].lower() != name[0].lower()
                    or word.lower().startswith(name.lower())
                    or name.lower().startswith(word.lower())
                ):
                    continue
                creators = list(source.creators)
                creators[ci] = creator.model_copy(update={"family": word})
                out.append(
                    Finding(
                        "name-spelling",
                        Severity.WARNING,
                        f"creator {name!r} is spelt {word!r} in the article text "
                        f"({words[word]}×, similarity {score:.0f}%)",
                        field=f"creators.{ci}.family",
                        record_id=source.id,
                        key=source.key,
                        index=index,
                        fix={"creators": _creator_dicts(creators)},
                    )
                )
                break
    return out


def check_sources(
    sources: Sequence[Source],
    *,
    article_text: str | None = None,
    style: str = "chicago",
    unordered_groups: Iterable[str] = UNORDERED_GROUPS,
    entry_text: bool = True,
) -> list[Finding]:
    """Every check on a list of records, in the order they are listed (a library, an import)."""
    style = style_family(style)
    out: list[Finding] = []
    for i, source in enumerate(sources):
        out += check_source(source, style=style, index=i, entry_text=entry_text)
    out += check_order(sources, unordered_groups=unordered_groups)
    if article_text:
        out += check_names_against_text(sources, article_text)
    return sort_findings(out)


def check_bibliography_text(text: str) -> list[Finding]:
    """:func:`check_entry_text` on every line of a free-text bibliography, with line numbers."""
    out: list[Finding] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            out += check_entry_text(line, line=number)
    return out


def check_parse_result(
    result: ParseResult,
    *,
    text: str | None = None,
    article_text: str | None = None,
    style: str = "chicago",
) -> list[Finding]:
    """Everything wrong with a file about to be imported: entries the reader could not read
    (errors, with line and reason), fields it had to guess (info), every check on the records it
    read, and, given the file's ``text`` (free-text bibliographies), the defects of each line."""
    out = [
        Finding("unreadable", Severity.ERROR, failure.reason, line=failure.line, key=failure.key)
        for failure in result.failures
    ]
    for index, fields in sorted(result.uncertain.items()):
        source = result.records[index] if index < len(result.records) else None
        for name in fields:
            out.append(
                Finding(
                    "uncertain",
                    Severity.INFO,
                    "the reader guessed this field; please confirm it",
                    field=name,
                    key=source.key if source else None,
                    index=index,
                )
            )
    out += check_sources(
        result.records, article_text=article_text, style=style, entry_text=text is None
    )
    if text is not None:
        out += check_bibliography_text(text)
    return sort_findings(out)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """By record position, then severity, then field; stable otherwise."""
    return sorted(
        findings,
        key=lambda f: (
            f.index if f.index is not None else -1,
            f.line if f.line is not None else -1,
            SEVERITY_ORDER[f.severity],
            f.field or "",
        ),
    )


@dataclass
class Summary:
    """Counts of findings per severity, for a one-line report."""

    counts: dict[Severity, int] = field(default_factory=dict)

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Summary:
        counts = Counter(f.severity for f in findings)
        return cls({s: counts.get(s, 0) for s in Severity})

    def __str__(self) -> str:
        return ", ".join(f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in self.counts.items())
