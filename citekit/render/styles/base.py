"""The style interface, citation items and positions, and helpers every native style reuses.

A style turns a :class:`~citekit.model.Source` into a rich-text tree
(:mod:`citekit.render.text`): ``bibliography_entry(source)`` for the bibliography or reference
list, ``cite(items, position=...)`` for a note or an in-text citation. :class:`NoteTracker`
decides, note after note, whether a citation is a first, subsequent or *Ibid.* one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import ClassVar, Literal

from citekit.model import Locator, LocatorLabel, Name, PartialDate, Source
from citekit.model.dates import DatePoint
from citekit.render.text import Node, join, seq

StyleKind = Literal["note", "author-date"]

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
SEASON_NAMES = {1: "Spring", 2: "Summer", 3: "Autumn", 4: "Winter"}

# Leading articles that sorting ignores ("The Red Book" sorts under R).
LEADING_ARTICLES = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)


class Position(StrEnum):
    """CSL cite positions: where a citation stands relative to earlier ones of the same source."""

    FIRST = "first"
    SUBSEQUENT = "subsequent"
    IBID = "ibid"
    IBID_WITH_LOCATOR = "ibid-with-locator"


@dataclass(frozen=True, slots=True)
class CitationItem:
    """One source cited in a note or in the text, with an optional locator, prefix and suffix."""

    source: Source
    locator: Locator | None = None
    prefix: str = ""
    suffix: str = ""

    @classmethod
    def of(cls, source: Source, locator: str | Locator | None = None, **kw: str) -> CitationItem:
        """``CitationItem.of(source, "p. 45")``."""
        if isinstance(locator, str):
            locator = Locator.parse(locator)
        return cls(source=source, locator=locator, **kw)

    @property
    def identity(self) -> str:
        """What makes two citations cite the same source (id, else key, else the object)."""
        return self.source.id or self.source.key or f"obj:{id(self.source)}"


class Style:
    """A citation style; subclasses set ``id``/``kind`` and build entries and citations."""

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    kind: ClassVar[StyleKind] = "note"

    def bibliography_entry(self, source: Source) -> Node:
        """One bibliography (or reference-list) entry."""
        raise NotImplementedError

    def sort_key(self, source: Source) -> tuple[object, ...]:
        """Where the entry goes in the bibliography; by default creator, title, date."""
        return default_sort_key(source)

    def bibliography(self, sources: Iterable[Source]) -> list[Node]:
        """The entries of these sources, sorted as the manual says."""
        return [self.bibliography_entry(s) for s in sorted(sources, key=self.sort_key)]

    def cite_item(self, item: CitationItem, position: Position) -> Node:
        """One source inside a note or an in-text citation."""
        raise NotImplementedError

    def cite(
        self,
        items: Sequence[CitationItem],
        *,
        position: Position | Sequence[Position] = Position.FIRST,
    ) -> Node:
        """A note citing ``items`` (joined by semicolons, ending with a period)."""
        positions = _positions(items, position)
        parts = [
            seq(item.prefix, self.cite_item(item, pos), item.suffix)
            for item, pos in zip(items, positions, strict=True)
        ]
        return join(parts, "; ", end=".")


def _positions(
    items: Sequence[CitationItem], position: Position | Sequence[Position]
) -> list[Position]:
    if isinstance(position, str):
        return [Position(position)] * len(items)
    out = [Position(p) for p in position]
    if len(out) != len(items):
        raise ValueError(f"{len(items)} citation items but {len(out)} positions")
    return out


@dataclass
class NoteTracker:
    """Decides positions note after note, as CMOS and CSL say.

    *Ibid.* only when the previous note cited that one source alone and so does this note;
    ``ibid-with-locator`` when the locator changed (or the previous note had none); a source
    cited before is ``subsequent``; else ``first``.
    """

    seen: set[str] = field(default_factory=set)
    previous: list[CitationItem] = field(default_factory=list)

    def positions(self, items: Sequence[CitationItem]) -> list[Position]:
        """Positions of the items of the next note, and remember the note."""
        out: list[Position] = []
        alone = len(items) == 1 and len(self.previous) == 1
        for item in items:
            pos = Position.SUBSEQUENT if item.identity in self.seen else Position.FIRST
            if alone and self.previous[0].identity == item.identity:
                before = self.previous[0].locator
                if item.locator == before:
                    pos = Position.IBID
                elif item.locator is not None:
                    pos = Position.IBID_WITH_LOCATOR
            out.append(pos)
        self.seen.update(item.identity for item in items)
        self.previous = list(items)
        return out

    def reset(self) -> None:
        """Start afresh (a new chapter restarts full notes in CMOS)."""
        self.seen.clear()
        self.previous = []


class Citer:
    """Renders successive notes with a style, choosing full, short or *Ibid.* forms itself."""

    def __init__(self, style: Style) -> None:
        self.style = style
        self.tracker = NoteTracker()

    def note(self, items: Sequence[CitationItem]) -> Node:
        """The next note, citing ``items``."""
        return self.style.cite(items, position=self.tracker.positions(items))


# -- sorting ------------------------------------------------------------------------------------


_NOT_WORD = re.compile(r"[^\w\s]")


def sort_text(text: str | None) -> str:
    """Case- and accent-insensitive sort text: ``Ramón`` sorts with ``Ramon``."""
    if not text:
        return ""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub("", text).casefold().strip()


def sort_title(title: str | None) -> str:
    """A title for sorting, without a leading "The", "A", "An" or quotation marks."""
    text = (title or "").lstrip("“‘\"'[(")
    return sort_text(LEADING_ARTICLES.sub("", text, count=1))


def name_sort_key(name: Name) -> tuple[str, str]:
    """Family (with its non-dropping particle) then given names, for sorting."""
    if name.literal:
        return (sort_title(name.literal), "")
    # Particles are demoted when sorting too: de Gaulle sorts under G (CMOS 8.5, CSL default).
    return (sort_text(name.family), sort_text(name.given))


def default_sort_key(source: Source) -> tuple[object, ...]:
    """First creator (else the title), the other creators, the title, the date (CMOS 14.69).

    A work by one author comes before works by that author and others; those follow the
    co-authors' names.
    """
    names = primary_creators(source)
    title = sort_title(source.title)
    head = name_sort_key(names[0]) if names else (title, "")
    rest = tuple(n for name in names[1:] for n in name_sort_key(name))
    date = source.issued.sort_key() if source.issued else (1, 0, 0, 0)
    return (head, rest, title, date)


def primary_creators(source: Source) -> list[Name]:
    """Who a bibliography entry starts with: authors, else editors, else translators …"""
    for role in ("author", "editor", "translator", "compiler", "director", "composer"):
        found = [c for c in source.creators if c.role == role]
        if found:
            return list(found)
    return []


# -- names --------------------------------------------------------------------------------------


def name_list(
    names: Sequence[Name],
    *,
    invert_first: bool = False,
    et_al_min: int = 0,
    et_al_use_first: int = 1,
    and_word: str = "and",
    more: bool = False,
) -> str:
    """Names in full, never cut to initials: ``Serge, Victor, and Natalia Sedova Trotsky``.

    With ``et_al_min`` names or more, only the first ``et_al_use_first`` are given, then
    "et al."; the serial comma goes before "and" when there are three names or more, or when
    the first name is inverted (CMOS 14.76). ``more`` says the record lists only some of the
    names (its ``extra["et_al"]``, read from "Dewey, John et al."): "et al." follows them all.
    """
    if not names:
        return ""
    shown = list(names)
    et_al = more or (bool(et_al_min) and len(names) >= et_al_min)
    if et_al and not more:
        shown = shown[:et_al_use_first]
    texts = [inverted(n) if i == 0 and invert_first else n.display() for i, n in enumerate(shown)]
    if et_al:
        sep = ", " if len(texts) > 1 or (invert_first and not shown[0].literal) else " "
        return ", ".join(texts) + sep + "et al."
    if len(texts) == 1:
        return texts[0]
    comma = "," if len(texts) > 2 or (invert_first and not shown[0].literal) else ""
    return ", ".join(texts[:-1]) + f"{comma} {and_word} " + texts[-1]


def inverted(name: Name) -> str:
    """Sort order with every particle after the given names: ``Gaulle, Charles de`` (CMOS 8.5).

    This is CSL's ``demote-non-dropping-particle="display-and-sort"``, the default.
    """
    if name.literal:
        return name.literal
    tail = " ".join(
        p for p in (name.given, name.dropping_particle, name.non_dropping_particle) if p
    )
    text = f"{name.family}, {tail}" if tail and name.family else (name.family or tail)
    return f"{text}, {name.suffix}" if name.suffix else text


# -- titles -------------------------------------------------------------------------------------

# CSL 1.0.2 stop words: lower-case in title case unless first, last or after a colon.
STOP_WORDS = frozenset(
    "a an and as at but by down for from in into nor of on onto or over so the till to up via "
    "with yet".split()
)
# Name particles that title case leaves alone ("Museo Casa de León Trotsky"), as citeproc does.
PARTICLES = frozenset("d' de van von".split())
_WORD = re.compile(r"[^\s\-–—/]+|[\s\-–—/]+")


@lru_cache(maxsize=8192)
def title_case(title: str) -> str:
    """Headline-style capitalisation as CSL defines it: ``the red book`` → ``The Red Book``.

    Words already holding capitals keep them (``iPhone``, ``USSR``); stop words are lower-cased
    unless first, last or after a colon; an all-capitals title is first lower-cased.
    """
    if not title:
        return title
    letters = [ch for ch in title if ch.isalpha()]
    text = title.lower() if letters and all(ch.isupper() for ch in letters) else title
    tokens = _WORD.findall(text)
    words = [i for i, t in enumerate(tokens) if t[0] not in " \t\n-–—/"]
    if not words:
        return text
    first, last = words[0], words[-1]
    out: list[str] = []
    after_colon = True
    for i, token in enumerate(tokens):
        if token[0] in " \t\n-–—/" or not _has_alpha(token):
            out.append(token)
            if ":" in token or "?" in token or "!" in token:
                after_colon = True
            continue
        core = token.strip("“”‘’\"'([{.,;:?!)]}")
        bare = core.lower()
        if core in PARTICLES and i not in (first, last):
            out.append(token)
        elif bare in STOP_WORDS and i not in (first, last) and not after_colon:
            out.append(token.replace(core, core.lower(), 1) if core == core.lower() else token)
        elif core and core == core.lower():
            out.append(_capitalise(token))
        else:
            out.append(token)
        after_colon = token.rstrip("”’\"')]}").endswith((":", "?", "!", "."))
    return "".join(out)


def _has_alpha(token: str) -> bool:
    return any(ch.isalpha() for ch in token)


def _capitalise(token: str) -> str:
    for i, ch in enumerate(token):
        if ch.isalpha():
            return token[:i] + ch.upper() + token[i + 1 :]
    return token


def short_title(source: Source, *, max_words: int = 4) -> str:
    """``title_short``, else the title before its subtitle without a leading article, cut to
    ``max_words`` words: ``A Curious Mind: The Secret …`` → ``Curious Mind`` (CMOS 14.32)."""
    if source.title_short:
        return source.title_short
    title = source.title or ""
    main = re.split(r"[:?!]\s|\.\s", title, maxsplit=1)[0]
    if len(main.split()) > 1:
        main = LEADING_ARTICLES.sub("", main, count=1)
    words = main.split()
    if len(words) <= max_words:
        return main
    kept = words[:max_words]
    # A short title does not end on an article, conjunction or preposition.
    while len(kept) > 1 and kept[-1].lower().strip(",;") in STOP_WORDS:
        kept.pop()
    return " ".join(kept).rstrip(",;")


# -- numbers ------------------------------------------------------------------------------------

_RANGE = re.compile(r"^\s*(\d+)\s*[-–—]+\s*(\d+)\s*$")


def page_range(text: str | None, *, collapse: bool = True) -> str:
    """An en dash between page numbers, collapsed as CMOS 9.64 says: ``726-769`` → ``726–69``.

    Several ranges may be separated by commas (``3-10, 101-108``); anything that is not a pair
    of arabic numbers (``xii–xv``, ``S12``) keeps its text, with an en dash.
    """
    if not text:
        return ""
    parts = [p.strip() for p in text.split(",")]
    return ", ".join(_one_range(p, collapse) for p in parts if p)


def _one_range(text: str, collapse: bool) -> str:
    m = _RANGE.match(text)
    if not m:
        return (
            re.sub(r"\s*-+\s*", "–", text) if re.fullmatch(r"[\w.]+\s*-+\s*[\w.]+", text) else text
        )
    first, last = m.group(1), m.group(2)
    if collapse:
        last = chicago_collapse(first, last)
    return f"{first}–{last}"


def chicago_collapse(first: str, last: str) -> str:
    """CMOS 16th–18th ed. inclusive numbers: 3–10, 100–104, 101–8, 321–28, 1496–500."""
    a, b = int(first), int(last)
    if b < a or len(last) < len(first):
        # "321-28" is already abbreviated; expand to compare, then collapse again.
        expanded = first[: len(first) - len(last)] + last
        if len(last) < len(first) and int(expanded) >= a:
            b, last = int(expanded), expanded
        else:
            return last
    if a < 100 or a % 100 == 0:
        return last
    if len(first) != len(last):
        return last
    if a % 100 < 10:
        # 101–8, 1103–4: only the changed part, without the zero.
        i = 0
        while i < len(first) and first[i] == last[i]:
            i += 1
        return last[i:] if i < len(last) else last[-1:]
    # 321–28, 1087–89, 1496–500: at least two digits, more when they change.
    i = 0
    while i < len(first) - 2 and first[i] == last[i]:
        i += 1
    return last[i:]


def ordinal(number: int) -> str:
    """``1`` → ``1st``, ``2`` → ``2nd``, ``11`` → ``11th``."""
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def edition_text(edition: str | None) -> str:
    """``"2"`` → ``2nd ed.``; ``"Rev. ed."`` kept; ``"2nd edition"`` → ``2nd ed.``."""
    if not edition:
        return ""
    text = edition.strip()
    if text.isdigit():
        return f"{ordinal(int(text))} ed."
    m = re.fullmatch(r"(\d+)(?:st|nd|rd|th)?\.?(?:\s+ed(?:ition|\.)?)?", text, re.IGNORECASE)
    if m:
        return f"{ordinal(int(m.group(1)))} ed."
    return text


# -- dates --------------------------------------------------------------------------------------


def date_point_text(point: DatePoint, *, with_day: bool = True) -> str:
    """``August 20, 1940``, ``December 2011``, ``Spring 1935``, ``1963``."""
    year = str(point.year) if point.year > 0 else f"{-point.year + 1} BCE"
    if point.season:
        return f"{SEASON_NAMES[point.season]} {year}"
    if point.month is None:
        return year
    month = MONTH_NAMES[point.month - 1]
    if point.day is not None and with_day:
        return f"{month} {point.day}, {year}"
    return f"{month} {year}"


def date_text(date: PartialDate | None, *, with_day: bool = True) -> str:
    """A date in running-text form (month-day-year, as Chicago and APA write it)."""
    if date is None:
        return ""
    if date.literal is not None:
        return date.literal
    start, end = date.start, date.end
    if start is None:
        assert end is not None
        text = f"until {date_point_text(end, with_day=with_day)}"
    elif end is None:
        text = date_point_text(start, with_day=with_day)
        if date.open_end:
            text += "–"
    else:
        text = _date_range(start, end, with_day=with_day)
    if date.uncertain:
        text += "?"
    if date.circa:
        text = f"ca. {text}"
    return text


def _date_range(start: DatePoint, end: DatePoint, *, with_day: bool) -> str:
    if start.month is None and end.month is None and start.season is None:
        return f"{start.year}–{end.year}"
    if start.year == end.year and start.month and end.month:
        if start.month == end.month and start.day and end.day and with_day:
            return f"{MONTH_NAMES[start.month - 1]} {start.day}–{end.day}, {start.year}"
        left = date_point_text(start, with_day=with_day).rsplit(" ", 1)[0].rstrip(",")
        return f"{left} – {date_point_text(end, with_day=with_day)}"
    return (
        f"{date_point_text(start, with_day=with_day)} – {date_point_text(end, with_day=with_day)}"
    )


def year_text(date: PartialDate | None) -> str:
    """Just the year (``1932–33`` for a range, ``n.d.`` when there is none)."""
    if date is None:
        return "n.d."
    if date.literal is not None:
        return date.literal
    if date.start and date.end and date.start.year != date.end.year:
        return f"{date.start.year}–{date.end.year}"
    text = str(date.year)
    return f"ca. {text}" if date.circa else text


# -- locators -----------------------------------------------------------------------------------

# Short forms of locator labels (CMOS 10.43, CSL's "short" terms): singular, plural.
LOCATOR_SHORT: dict[LocatorLabel, tuple[str, str]] = {
    LocatorLabel.PAGE: ("p.", "pp."),
    LocatorLabel.CHAPTER: ("chap.", "chaps."),
    LocatorLabel.FIGURE: ("fig.", "figs."),
    LocatorLabel.FOLIO: ("fol.", "fols."),
    LocatorLabel.LINE: ("line", "lines"),
    LocatorLabel.NOTE: ("n.", "nn."),
    LocatorLabel.SECTION: ("sec.", "secs."),
    LocatorLabel.VOLUME: ("vol.", "vols."),
    LocatorLabel.BOOK: ("bk.", "bks."),
    LocatorLabel.COLUMN: ("col.", "cols."),
    LocatorLabel.PARAGRAPH: ("para.", "paras."),
    LocatorLabel.PART: ("pt.", "pts."),
    LocatorLabel.VERSE: ("v.", "vv."),
    LocatorLabel.TABLE: ("table", "tables"),
    LocatorLabel.ISSUE: ("no.", "nos."),
    LocatorLabel.OPUS: ("op.", "opp."),
    LocatorLabel.SUB_VERBO: ("s.v.", "s.vv."),
    LocatorLabel.APPENDIX: ("app.", "apps."),
    LocatorLabel.EQUATION: ("eq.", "eqs."),
    LocatorLabel.SUPPLEMENT: ("suppl.", "suppls."),
    LocatorLabel.SCENE: ("sc.", "scs."),
    LocatorLabel.ACT: ("act", "acts"),
    LocatorLabel.CANON: ("canon", "canons"),
    LocatorLabel.RULE: ("r.", "rr."),
    LocatorLabel.TIMESTAMP: ("", ""),
    LocatorLabel.TITLE: ("title", "titles"),
    LocatorLabel.ARTICLE: ("art.", "arts."),
    LocatorLabel.ELOCATION: ("", ""),
}


def is_plural(value: str) -> bool:
    """A locator value naming several places (``12–14``, ``3, 5``, ``7 and 9``)."""
    return bool(re.search(r"[-–—,&]|\band\b", value))


def locator_text(locator: Locator | None, *, page_label: bool = False) -> str:
    """``45`` for a page (Chicago gives no "p."), ``fig. 3``, ``chap. 4``, ``fols. 12r–13v``."""
    if locator is None:
        return ""
    value = locator.value
    if locator.label == LocatorLabel.PAGE:
        value = page_range(value)
        if not page_label:
            return value
    else:
        value = re.sub(r"(?<=\w)\s*-+\s*(?=\w)", "–", value)
    singular, plural = LOCATOR_SHORT.get(locator.label, (str(locator.label), str(locator.label)))
    label = plural if is_plural(value) else singular
    return f"{label} {value}" if label else value


def as_nodes(parts: Iterable[Node | str | None]) -> list[Node]:
    """Non-empty parts as nodes (for styles that assemble lists before joining)."""
    return [p if isinstance(p, Node) else seq(p) for p in parts if p]


def parenthetical(
    items: Sequence[CitationItem],
    *,
    who: Callable[[Source], Node],
    cite: Callable[..., Node],
) -> Node:
    """An author-date citation in parentheses, naming an author once for consecutive works:
    ``(Trotsky 1937c, 1960; Deutscher 1963)``; after a locator the years part with a semicolon."""
    parts: list[Node] = []
    previous: CitationItem | None = None
    for item in items:
        same = (
            previous is not None
            and not item.prefix
            and who(item.source).plain() == who(previous.source).plain()
        )
        part = cite(item, with_names=not same)
        if same and previous is not None:
            glue = "; " if previous.locator is not None else ", "
            parts[-1] = seq(parts[-1], glue, part)
        else:
            parts.append(part)
        previous = item
    return seq("(", join(parts, "; "), ")")
