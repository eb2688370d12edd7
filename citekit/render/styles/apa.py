"""APA 7th edition: reference list and in-text citations ``(Deutscher, 1963, p. 45)``.

The reference list follows the *Publication Manual of the American Psychological Association*,
7th edition, chapters 9 and 10: authors inverted with initials (up to 20, "&" before the last;
more: the first 19, an ellipsis, the last), the date in parentheses (year, or year, month and day
for periodicals and web pages), the title, the source. Works of one author and year get year
suffixes (``1937a``, ``1937b``) in title order, in the list and in the text; a work without a
date is ``n.d.``. Entries sort by author, then year (undated works first), then title.

**Titles are printed as the records hold them.** APA wants article and book titles in sentence
case ("Trotsky in exile"), but lower-casing a title cannot tell proper nouns from other words
("Trotsky", "Mexico", "Fourth International"), so citekit never lower-cases: store titles in
sentence case to get APA's look. Journal and website names keep their capitals, as APA says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import ClassVar

from citekit.model import CreatorRole, Name, Source, SourceType
from citekit.render.styles.base import (
    CitationItem,
    Position,
    Style,
    date_point_text,
    edition_text,
    locator_text,
    name_sort_key,
    parenthetical,
    sort_title,
    title_case,
    year_text,
)
from citekit.render.styles.chicago_author_date import year_suffixes
from citekit.render.text import Node, Part, emph, join, link, quoted, seq

# Works whose title APA sets in italics (stand-alone works); parts of a whole stay roman.
ITALIC_TITLE = frozenset(
    {
        SourceType.BOOK,
        SourceType.REPORT,
        SourceType.THESIS,
        SourceType.WEBPAGE,
        SourceType.GRAPHIC,
        SourceType.FIGURE,
        SourceType.MAP,
        SourceType.MANUSCRIPT,
        SourceType.MOTION_PICTURE,
        SourceType.DATASET,
        SourceType.SOFTWARE,
        SourceType.PAMPHLET,
        SourceType.MUSICAL_SCORE,
        SourceType.DOCUMENT,
        SourceType.CLASSIC,
        SourceType.COLLECTION,
    }
)
# Periodicals and online posts are dated to the month or day: (2010, April 21).
DATED_TYPES = frozenset(
    {
        SourceType.ARTICLE_MAGAZINE,
        SourceType.ARTICLE_NEWSPAPER,
        SourceType.WEBPAGE,
        SourceType.POST,
        SourceType.POST_WEBLOG,
        SourceType.INTERVIEW,
        SourceType.MANUSCRIPT,
        SourceType.PERSONAL_COMMUNICATION,
    }
)
PERIODICAL_TYPES = frozenset(
    {
        SourceType.ARTICLE_JOURNAL,
        SourceType.ARTICLE_MAGAZINE,
        SourceType.ARTICLE_NEWSPAPER,
        SourceType.INTERVIEW,
        SourceType.REVIEW,
        SourceType.REVIEW_BOOK,
    }
)
IN_BOOK_TYPES = frozenset(
    {
        SourceType.CHAPTER,
        SourceType.ENTRY_ENCYCLOPEDIA,
        SourceType.ENTRY_DICTIONARY,
        SourceType.PAPER_CONFERENCE,
    }
)
IMAGE_TYPES = frozenset({SourceType.GRAPHIC, SourceType.FIGURE, SourceType.MAP})
# Roles APA names in parentheses after the title: "(M. Eastman, Trans.)".
ROLE_LABELS: tuple[tuple[CreatorRole, str, str], ...] = (
    (CreatorRole.EDITOR, "Ed.", "Eds."),
    (CreatorRole.TRANSLATOR, "Trans.", "Trans."),
    (CreatorRole.INTERVIEWER, "Interviewer", "Interviewers"),
    (CreatorRole.TRANSCRIBER, "Transcriber", "Transcribers"),
    (CreatorRole.ILLUSTRATOR, "Illustrator", "Illustrators"),
)
LEAD_ROLES = (CreatorRole.AUTHOR, CreatorRole.EDITOR, CreatorRole.DIRECTOR, CreatorRole.COMPOSER)


# -- names ------------------------------------------------------------------------------------


def initials(given: str | None) -> str:
    """``Peter F.`` → ``P. F.``; ``Shao-Hsun`` → ``S.-H.``; ``J.R.R.`` → ``J. R. R.``."""
    if not given:
        return ""
    out = []
    for word in re.split(r"\s+|(?<=\.)(?=\w)", given.strip()):
        if not word:
            continue
        parts = [p for p in word.split("-") if p]
        out.append("-".join(f"{p[0]}." for p in parts))
    return " ".join(out)


def inverted_initials(name: Name) -> str:
    """``van Heijenoort, J.``; ``King, M. L., Jr.``; an institution as it is."""
    if name.literal:
        return name.literal
    family = name.family_full()
    given = " ".join(p for p in (initials(name.given), name.dropping_particle) if p)
    text = f"{family}, {given}" if given else family
    return f"{text}, {name.suffix}" if name.suffix else text


def direct_initials(name: Name) -> str:
    """``M. Eastman``, as APA names editors and translators inside an entry."""
    if name.literal:
        return name.literal
    parts = (initials(name.given), name.dropping_particle, name.family_full())
    return " ".join(p for p in parts if p)


def author_list(names: Sequence[Name]) -> str:
    """``Serge, V., & Sedova Trotsky, N.``; 21 or more: the first 19, "…", the last (9.8)."""
    texts = [inverted_initials(n) for n in names]
    if len(texts) >= 21:
        return ", ".join(texts[:19]) + ", . . . " + texts[-1]
    if len(texts) == 1:
        return texts[0]
    return ", ".join(texts[:-1]) + ", & " + texts[-1]


def direct_list(names: Sequence[Name]) -> str:
    """``G. Breitman & S. Lovell``; three or more with commas."""
    texts = [direct_initials(n) for n in names]
    if len(texts) <= 2:
        return " & ".join(texts)
    return ", ".join(texts[:-1]) + ", & " + texts[-1]


_RANGE = re.compile(r"^(\w*?)(\d+)\s*[-–—]+\s*(\w*?)(\d+)$")


def full_range(pages: str | None) -> str:
    """Page ranges in full with an en dash, as APA gives them: ``201-9`` → ``201–209``."""
    if not pages:
        return ""
    out = []
    for part in (p.strip() for p in pages.split(",")):
        m = _RANGE.match(part)
        if m is None:
            out.append(part)
            continue
        first, last = m.group(2), m.group(4)
        if len(last) < len(first):
            last = first[: len(first) - len(last)] + last
        out.append(f"{m.group(1)}{first}–{m.group(3)}{last}")
    return ", ".join(out)


# -- the style --------------------------------------------------------------------------------


class Apa(Style):
    """APA 7th edition: ``Deutscher, I. (1963). *The prophet outcast*. …``."""

    id: ClassVar[str] = "apa"
    title: ClassVar[str] = "American Psychological Association 7th edition"
    aliases: ClassVar[tuple[str, ...]] = ("apa7", "apa-7th-edition")
    kind = "author-date"

    def __init__(self, library: Sequence[Source] = ()) -> None:
        self.library = tuple(library)
        self.suffixes = year_suffixes(self.library, self._cite_names, self.sort_key)

    def with_library(self, library: Sequence[Source]) -> Apa:
        """The same style, disambiguating years against ``library`` (``1937a``, ``1937b``)."""
        return type(self)(library)

    # -- reference list -------------------------------------------------------------------

    def bibliography(self, sources: Iterable[Source]) -> list[Node]:
        """The reference list, sorted, with year suffixes."""
        ordered = sorted(sources, key=self.sort_key)
        # a library set with with_library() keeps suffixes the same across groups and citations
        styled = self if self.library else self.with_library(ordered)
        return [styled.bibliography_entry(s) for s in ordered]

    def sort_key(self, source: Source) -> tuple[object, ...]:
        """Author (or the title in its place), year with undated works first, then title."""
        names, _ = self._lead(source)
        if names:
            head: tuple[object, ...] = tuple(name_sort_key(n) for n in names)
        else:
            head = ((sort_title(source.title), ""),)
        dated = source.issued is not None and source.issued.year is not None
        year = (1, source.issued.year) if dated and source.issued else (0, 0)
        return (head, year, sort_title(source.title))

    def _lead(self, source: Source) -> tuple[list[Name], CreatorRole | None]:
        for role in LEAD_ROLES:
            found = source.creators_in(role)
            if found:
                return list(found), role
        return [], None

    def _year(self, source: Source) -> str:
        suffix = self.suffixes.get(CitationItem(source).identity, "")
        text = year_text(source.issued)
        return f"{text}-{suffix}" if suffix and text == "n.d." else text + suffix

    def _date(self, source: Source) -> str:
        """``(1963)``, ``(2010, April 21)``, ``(1941, August)``, ``(n.d.)``."""
        year = self._year(source)
        date = source.issued
        if source.type in DATED_TYPES and date and date.start and date.start.month:
            month_day = date_point_text(date.start).replace(f", {date.start.year}", "")
            month_day = month_day.replace(f" {date.start.year}", "")
            return f"({year}, {month_day})"
        return f"({year})"

    def _roles(self, source: Source, lead_role: CreatorRole | None) -> str:
        """``M. Eastman, Trans.``; ``M. Weiss, Interviewer`` (editors of a chapter excepted)."""
        out = []
        for role, one, many in ROLE_LABELS:
            if role == lead_role or (role == CreatorRole.EDITOR and source.type in IN_BOOK_TYPES):
                continue
            names = source.creators_in(role)
            if names:
                out.append(f"{direct_list(names)}, {one if len(names) == 1 else many}")
        return "; ".join(out)

    def _title(self, source: Source, *, extra: str = "") -> Node:
        """The title, with APA's parenthetical details and bracketed description after it."""
        title = source.title or ""
        facts = join(
            [
                edition_text(source.edition),
                f"Vols. 1–{source.number_of_volumes}" if source.number_of_volumes else None,
                extra,
            ],
            ", ",
        )
        details = join([facts, self._roles(source, self._lead(source)[1])], "; ")
        styled = emph(title) if source.type in ITALIC_TITLE else seq(title)
        return seq(
            styled,
            seq(" (", details, ")") if details else None,
            f" [{self._description(source)}]" if self._description(source) else None,
        )

    def _description(self, source: Source) -> str:
        if source.type == SourceType.THESIS:
            return join([source.genre or "Doctoral dissertation", source.publisher], ", ").plain()
        if source.type in IMAGE_TYPES:
            return source.medium or ("Map" if source.type == SourceType.MAP else "Image")
        return source.medium or ""

    def _link(self, source: Source) -> Node:
        if source.doi:
            return link(f"https://doi.org/{source.doi}")
        if not source.url:
            return seq()
        undated = source.issued is None or source.issued.year is None
        if undated and source.accessed and source.accessed.start:
            # content that changes and has no date: APA 9.16 gives the retrieval date
            when = date_point_text(source.accessed.start)
            return seq(f"Retrieved {when}, from ", link(source.url))
        return link(source.url)

    def _source_part(self, source: Source) -> list[Part]:
        kind = source.type
        if kind in PERIODICAL_TYPES:
            volume = seq(
                emph(source.volume) if source.volume else None,
                f"({source.issue})" if source.issue else None,
            )
            pages = full_range(source.page)
            return [join([emph(source.container_title), volume, pages], ", ")]
        if kind in IN_BOOK_TYPES:
            editors = source.creators_in(CreatorRole.EDITOR)
            eds = ""
            if editors:
                eds = f"{direct_list(editors)} ({'Ed.' if len(editors) == 1 else 'Eds.'}), "
            pages = f" (pp. {source.page.replace('-', '–')})" if source.page else ""
            book = (
                seq("In ", eds, emph(source.container_title), pages)
                if source.container_title
                else None
            )
            return [book, source.publisher]
        if kind in IMAGE_TYPES:
            return [seq("In ", emph(source.container_title)) if source.container_title else None]
        if kind == SourceType.MANUSCRIPT:
            archive = seq(
                source.archive,
                f" ({source.archive_location})" if source.archive_location else None,
            )
            return [join([archive, source.archive_place], ", ")]
        if kind == SourceType.THESIS:
            return []
        online = (SourceType.WEBPAGE, SourceType.POST, SourceType.POST_WEBLOG)
        site = source.container_title if kind in online else None
        return [site or source.publisher]

    def bibliography_entry(self, source: Source) -> Node:
        """One reference-list entry."""
        names, role = self._lead(source)
        extra = ""
        if source.type == SourceType.REPORT and source.number:
            extra = f"Report No. {source.number}"
        title = self._title(source, extra=extra)
        if names:
            who = author_list(names)
            if role == CreatorRole.EDITOR:
                who += " (Eds.)" if len(names) > 1 else " (Ed.)"
            parts: list[Part] = [who, self._date(source), title]
        else:
            parts = [title, self._date(source)]
        parts += self._source_part(source)
        if source.archive and source.type != SourceType.MANUSCRIPT:
            parts.append(source.archive)
        body = join(parts, ". ", end=".")
        tail = self._link(source)
        return seq(body, " ", tail) if tail else body

    # -- in-text citations ----------------------------------------------------------------

    def _cite_names(self, source: Source) -> str:
        names, _ = self._lead(source)
        if not names:
            return (source.title_short or source.title or "").casefold()
        families = [n.literal or n.family_full() for n in names]
        if len(families) >= 3:
            return f"{families[0]} et al."
        return " & ".join(families)

    def _who(self, source: Source) -> Node:
        names, _ = self._lead(source)
        if names:
            return seq(self._cite_names(source))
        # a work without author is cited by its title, in title case (APA 8.14)
        title = title_case(source.title_short or source.title or "")
        return emph(title) if source.type in ITALIC_TITLE else quoted(title)

    def _cite(self, item: CitationItem, *, with_names: bool) -> Node:
        year = self._year(item.source)
        head = join([self._who(item.source), year], ", ") if with_names else seq(year)
        locator = locator_text(item.locator, page_label=True)
        body = join([head, locator], ", ")
        return seq(item.prefix + " " if item.prefix else None, body, item.suffix or None)

    def cite_item(self, item: CitationItem, position: Position) -> Node:
        """``Deutscher, 1963, p. 45``; without author: ``“Trotsky in 1918,” n.d.``."""
        return self._cite(item, with_names=True)

    def cite(
        self,
        items: Sequence[CitationItem],
        *,
        position: Position | Sequence[Position] = Position.FIRST,
    ) -> Node:
        """A parenthetical citation: ``(Trotsky, 1937c, 1960; Deutscher, 1963)`` (APA 8.12)."""
        return parenthetical(items, who=self._who, cite=self._cite)
