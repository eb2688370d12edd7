"""Chicago author-date (CMOS 18th and 17th editions): reference list and ``(Deutscher 1963, 45)``.

The reference list follows CMOS 18 chapter 13 (17th: chapter 15) as the official CSL styles
``chicago-author-date`` and ``chicago-author-date-17th-edition`` read it: author, year, title,
facts of publication. Differences between the editions: the 18th drops the place of publication,
lists up to six authors (more: the first three and "et al.") and puts "et al." after the first
author in the text from three authors on; the 17th keeps the place, lists up to ten authors (more:
seven and "et al."), names up to three authors in the text and replaces a repeated author with a
3-em dash. Two works of one author and year get year suffixes (``1937a``, ``1937b``) in both
the reference list and the text, in reference-list order (CMOS 13.112 / 15.19).

English titles are set headline-style (CMOS 8.159) with CSL's title-case rule, as the official
CSL styles do: lower-case words are capitalised, stop words stay lower-case, words holding
capitals (``iPhone``, ``USSR``) are kept; nothing is ever lower-cased, so proper nouns are safe.
Like CSL, the rule does not know that "since" or "like" can be prepositions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar

from citekit.model import CreatorRole, Name, Source, SourceType
from citekit.render.styles.base import (
    CitationItem,
    Position,
    Style,
    date_point_text,
    edition_text,
    inverted,
    locator_text,
    page_range,
    parenthetical,
    sort_text,
    sort_title,
    title_case,
    year_text,
)
from citekit.render.text import Node, emph, join, link, quoted, sentence, seq

# Types whose title is set in italics; every other title goes in quotation marks.
ITALIC_TITLE = frozenset(
    {
        SourceType.BOOK,
        SourceType.REPORT,
        SourceType.GRAPHIC,
        SourceType.FIGURE,
        SourceType.MAP,
        SourceType.MOTION_PICTURE,
        SourceType.DATASET,
        SourceType.SOFTWARE,
        SourceType.PAMPHLET,
        SourceType.MUSICAL_SCORE,
        SourceType.PERIODICAL,
        SourceType.COLLECTION,
        SourceType.CLASSIC,
        SourceType.LEGAL_CASE,
    }
)
# Periodicals: the container is italic and the date after it is month (and day).
PERIODICAL_TYPES = frozenset(
    {SourceType.ARTICLE_MAGAZINE, SourceType.ARTICLE_NEWSPAPER, SourceType.INTERVIEW}
)
# Types whose container is a book (chapters, encyclopedia entries, conference papers).
IN_BOOK_TYPES = frozenset(
    {
        SourceType.CHAPTER,
        SourceType.ENTRY_ENCYCLOPEDIA,
        SourceType.ENTRY_DICTIONARY,
        SourceType.PAPER_CONFERENCE,
    }
)
IMAGE_TYPES = frozenset({SourceType.GRAPHIC, SourceType.FIGURE, SourceType.MAP})
# Creator roles named after the title, with CMOS's phrase.
SECONDARY_ROLES: tuple[tuple[CreatorRole, str], ...] = (
    (CreatorRole.EDITOR, "Edited by"),
    (CreatorRole.TRANSLATOR, "Translated by"),
    (CreatorRole.TRANSCRIBER, "Transcribed by"),
    (CreatorRole.ILLUSTRATOR, "Illustrated by"),
    (CreatorRole.COMPILER, "Compiled by"),
)
SUFFIX_LETTERS = "abcdefghijklmnopqrstuvwxyz"


# -- names ------------------------------------------------------------------------------------


def cited_name(name: Name) -> str:
    """The form of a name in an in-text citation: family name with its particle."""
    return name.literal or name.family_full()


def name_sort_key(name: Name) -> str:
    """Family name first, the particle demoted: ``Heijenoort, Jean van`` sorts under H."""
    if name.literal:
        return sort_title(name.literal)
    parts = (name.family, name.given, name.dropping_particle, name.non_dropping_particle)
    return " ".join(sort_text(p) for p in parts if p)


def names_in_list(names: Sequence[Name], *, et_al_min: int, et_al_use_first: int) -> str:
    """``Serge, Victor, and Natalia Sedova Trotsky``; too many names end in "et al."."""
    shown = list(names[:et_al_use_first] if len(names) >= et_al_min else names)
    texts = [inverted(shown[0]), *(n.display() for n in shown[1:])]
    if len(shown) < len(names):
        return ", ".join(texts) + ", et al."
    if len(texts) == 1:
        return texts[0]
    if len(texts) == 2 and shown[0].literal:
        return f"{texts[0]} and {texts[1]}"
    return ", ".join(texts[:-1]) + ", and " + texts[-1]


def names_in_running_text(names: Sequence[Name]) -> str:
    """``Max Eastman``, ``George Breitman and Sarah Lovell``, ``A, B, and C``."""
    texts = [n.display() for n in names]
    if len(texts) <= 2:
        return " and ".join(texts)
    return ", ".join(texts[:-1]) + ", and " + texts[-1]


def headline(source: Source, title: str | None) -> str:
    """``title`` in headline style when the source is in English (or says no language).

    Capitals are only ever added, so proper nouns and acronyms are safe.
    """
    if not title:
        return ""
    language = (source.language or "en").lower()
    if not language.startswith("en") or not any(ch.islower() for ch in title):
        # an all-capitals title is an acronym ("PMLA") more often than a shouted title
        return title
    return title_case(title)


# -- disambiguation ---------------------------------------------------------------------------


def year_suffixes(
    sources: Sequence[Source],
    cite_key: Callable[[Source], str],
    sort_key: Callable[[Source], tuple[object, ...]],
) -> dict[str, str]:
    """Suffix letters by work identity for works sharing a citation form (names and year).

    ``cite_key(source)`` gives what the in-text citation shows before the year; works that
    share it and the year get ``a``, ``b`` … in reference-list order (``sort_key``).
    """
    groups: dict[tuple[str, str], list[Source]] = {}
    for source in sources:
        if source.issued is None or source.issued.literal is not None:
            continue
        groups.setdefault((cite_key(source), year_text(source.issued)), []).append(source)
    out: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        for i, source in enumerate(sorted(members, key=sort_key)):
            out[CitationItem(source).identity] = _letters(i)
    return out


def _letters(index: int) -> str:
    if index < len(SUFFIX_LETTERS):
        return SUFFIX_LETTERS[index]
    return _letters(index // len(SUFFIX_LETTERS) - 1) + SUFFIX_LETTERS[index % len(SUFFIX_LETTERS)]


# -- the style --------------------------------------------------------------------------------


class ChicagoAuthorDate(Style):
    """CMOS 18th edition, author-date: ``Deutscher, Isaac. 1963. *The Prophet Outcast*. …``."""

    id: ClassVar[str] = "chicago-author-date"
    title: ClassVar[str] = "Chicago Manual of Style 18th edition (author-date)"
    aliases: ClassVar[tuple[str, ...]] = ("chicago-ad", "chicago-author-date-18th-edition")
    kind = "author-date"

    # Edition-specific choices (the 17th edition overrides them).
    keep_place: ClassVar[bool] = False
    list_et_al_min: ClassVar[int] = 7
    list_et_al_use_first: ClassVar[int] = 3
    text_et_al_min: ClassVar[int] = 3
    repeated_author_dash: ClassVar[bool] = False
    periodical_date_with_year: ClassVar[bool] = False

    def __init__(self, library: Sequence[Source] = ()) -> None:
        self.library = tuple(library)
        self.suffixes = year_suffixes(self.library, self._cite_names, self.sort_key)

    def with_library(self, library: Sequence[Source]) -> ChicagoAuthorDate:
        """The same style, disambiguating years against ``library`` (``1937a``, ``1937b``)."""
        return type(self)(library)

    # -- reference list -------------------------------------------------------------------

    def bibliography(self, sources: Iterable[Source]) -> list[Node]:
        """The reference list: sorted, with year suffixes, a 3-em dash in the 17th edition."""
        ordered = sorted(sources, key=self.sort_key)
        # a library set with with_library() keeps suffixes the same across groups and citations
        styled = self if self.library else self.with_library(ordered)
        out: list[Node] = []
        previous: str | None = None
        for source in ordered:
            lead = styled._lead_names(source)
            dash = self.repeated_author_dash and lead is not None and lead == previous
            out.append(styled._entry(source, dash=dash))
            previous = lead
        return out

    def bibliography_entry(self, source: Source) -> Node:
        """One reference-list entry."""
        return self._entry(source, dash=False)

    def sort_key(self, source: Source) -> tuple[object, ...]:
        """Author (else the title that stands in for one), year, then title without "The"."""
        names, _ = self._lead(source)
        if names:
            head: tuple[str, ...] = tuple(name_sort_key(n) for n in names)
        else:
            head = (sort_title(self._substitute_text(source)),)
        # works of one author in one year go by title (CMOS 13.112), not by month
        year = (0, source.issued.year) if source.issued and source.issued.year else (1, 0)
        return (head, year, sort_title(source.title))

    def _lead(self, source: Source) -> tuple[list[Name], CreatorRole | None]:
        for role in (CreatorRole.AUTHOR, CreatorRole.EDITOR, CreatorRole.TRANSLATOR):
            found = source.creators_in(role)
            if found:
                return list(found), role
        return [], None

    def _lead_names(self, source: Source) -> str | None:
        names, role = self._lead(source)
        if not names:
            return None
        text = names_in_list(
            names, et_al_min=self.list_et_al_min, et_al_use_first=self.list_et_al_use_first
        )
        if role == CreatorRole.EDITOR:
            text += ", eds." if len(names) > 1 else ", ed."
        elif role == CreatorRole.TRANSLATOR:
            text += ", trans."
        return text

    def _substitute_text(self, source: Source) -> str:
        """What stands for a missing author: a periodical's name, else the title."""
        if source.type in PERIODICAL_TYPES and source.container_title:
            return source.container_title
        return source.title or ""

    def _year(self, source: Source) -> str:
        return year_text(source.issued) + self.suffixes.get(CitationItem(source).identity, "")

    def _title(self, source: Source) -> Node:
        if not source.title:
            return seq()
        if source.type in ITALIC_TITLE:
            return emph(headline(source, source.title))
        return quoted(headline(source, source.title))

    def _entry(self, source: Source, *, dash: bool) -> Node:
        lead = self._lead_names(source)
        title_used = container_used = False
        if dash:
            head: Node = seq("———")
        elif lead is not None:
            head = seq(lead)
        elif source.type in PERIODICAL_TYPES and source.container_title:
            head, container_used = emph(source.container_title), True
        else:
            head, title_used = self._title(source), True
        parts: list[Node | str | None] = [head, self._year(source)]
        if not title_used:
            parts.append(self._title(source))
        body = self._body(source, container_used=container_used)
        if source.archive and source.type != SourceType.MANUSCRIPT:
            # the archive that holds a copy comes before the link (body's last part)
            body.insert(len(body) - 1, join([source.archive, source.archive_place], ", "))
        return sentence(*parts, *body)

    def _contributors(self, source: Source, lead_role: CreatorRole | None) -> list[str]:
        out = []
        for role, phrase in SECONDARY_ROLES:
            if role == lead_role:
                continue
            if source.type in IN_BOOK_TYPES and role == CreatorRole.EDITOR:
                continue  # a chapter's editors edit the book: "In *Book*, edited by …"
            names = source.creators_in(role)
            if names:
                out.append(f"{phrase} {names_in_running_text(names)}")
        return out

    def _publisher(self, source: Source) -> str:
        place = source.publisher_place if self.keep_place else None
        if place and source.publisher:
            return f"{place}: {source.publisher}"
        return source.publisher or place or ""

    def _link(self, source: Source) -> Node:
        if source.doi:
            return link(f"https://doi.org/{source.doi}")
        return link(source.url)

    def _month_day(self, source: Source, *, with_year: bool = False) -> str:
        date = source.issued
        if date is None or date.start is None or date.literal is not None:
            return ""
        point = date.start
        if point.month is None and point.season is None:
            return ""
        text = date_point_text(point)
        if with_year:
            return text
        return text.replace(f", {point.year}", "").replace(f" {point.year}", "")

    def _accessed(self, source: Source) -> str:
        # CMOS gives an access date only when a source has no date of its own (13.15 / 14.12)
        if source.accessed is None or (source.issued is not None and source.issued.literal is None):
            return ""
        point = source.accessed.start
        return f"Accessed {date_point_text(point)}" if point else ""

    def _body(self, source: Source, *, container_used: bool) -> list[Node | str | None]:
        _, lead_role = self._lead(source)
        kind = source.type
        extras: list[Node | str | None] = list(self._contributors(source, lead_role))
        if kind in IN_BOOK_TYPES:
            editors = source.creators_in(CreatorRole.EDITOR)
            in_book = join(
                [
                    seq("In ", emph(headline(source, source.container_title)))
                    if source.container_title
                    else None,
                    f"edited by {names_in_running_text(editors)}" if editors else None,
                    page_range(source.page) if self.keep_place else None,
                ],
                ", ",
            )
            return [
                *extras,
                in_book,
                edition_text(source.edition),
                self._publisher(source),
                self._link(source),
            ]
        if kind == SourceType.ARTICLE_JOURNAL:
            journal = seq(
                emph(headline(source, source.container_title)),
                f" {source.volume}" if source.volume else None,
                f" ({source.issue})" if source.issue else None,
                f": {page_range(source.page)}" if source.page else None,
            )
            return [*extras, journal, self._link(source)]
        if kind in PERIODICAL_TYPES:
            if kind == SourceType.INTERVIEW:
                interviewers = source.creators_in(CreatorRole.INTERVIEWER)
                if interviewers:
                    extras.insert(0, f"Interview by {names_in_running_text(interviewers)}")
            container: Node | None = (
                None if container_used else emph(headline(source, source.container_title))
            )
            when = self._month_day(source, with_year=self.periodical_date_with_year)
            return [
                *extras,
                join(
                    [container, when],
                    ", ",
                ),
                self._link(source),
            ]
        if kind in (SourceType.WEBPAGE, SourceType.POST_WEBLOG, SourceType.POST):
            site = join([source.container_title, self._month_day(source)], ", ")
            return [*extras, site, self._accessed(source), self._link(source)]
        if kind in IMAGE_TYPES:
            return [
                *extras,
                seq("In ", emph(source.container_title)) if source.container_title else None,
                source.medium,
                self._accessed(source),
                self._link(source),
            ]
        if kind == SourceType.MANUSCRIPT:
            archive = join([source.archive, source.archive_place], ", ")
            return [
                *extras,
                self._month_day(source),
                source.archive_location,
                archive,
                self._accessed(source),
                self._link(source),
            ]
        if kind == SourceType.THESIS:
            return [*extras, join([source.genre, source.publisher], ", "), self._link(source)]
        number = None
        if source.number:
            label = "Nos." if "," in source.number or "–" in source.number else "No."
            number = f"{label} {source.number}"
        volumes = f"{source.number_of_volumes} vols" if source.number_of_volumes else None
        return [
            *extras,
            edition_text(source.edition),
            volumes,
            number,
            source.genre if kind != SourceType.BOOK else None,
            self._publisher(source),
            self._accessed(source),
            self._link(source),
        ]

    # -- in-text citations ----------------------------------------------------------------

    def _cite_names(self, source: Source) -> str:
        names, _ = self._lead(source)
        if not names:
            title = self._substitute_text(source)
            return title
        families = [cited_name(n) for n in names]
        if len(families) >= self.text_et_al_min and len(families) > 1:
            return f"{families[0]} et al."
        if len(families) <= 2:
            return " and ".join(families)
        return ", ".join(families[:-1]) + ", and " + families[-1]

    def _who(self, source: Source) -> Node:
        """The names in a citation, or what stands for them: a periodical, a short title."""
        names, _ = self._lead(source)
        if names:
            return seq(self._cite_names(source))
        if source.type in PERIODICAL_TYPES and source.container_title:
            return emph(source.container_title)
        title = headline(source, source.title_short or source.title)
        return emph(title) if source.type in ITALIC_TITLE else quoted(title)

    def _cite(self, item: CitationItem, *, with_names: bool) -> Node:
        year = self._year(item.source)
        if not with_names:
            head: Node = seq(year)
        elif year.startswith("n.d."):
            # "n.d." takes a comma after the name or title: (Tuason, n.d., 45)
            head = join([self._who(item.source), year], ", ")
        else:
            head = seq(self._who(item.source), " ", year)
        body = join([head, locator_text(item.locator)], ", ")
        return seq(item.prefix + " " if item.prefix else None, body, item.suffix or None)

    def cite_item(self, item: CitationItem, position: Position) -> Node:
        """``Deutscher 1963, 45``; a work without author: ``*Trotsky in 1918*, n.d.``."""
        return self._cite(item, with_names=True)

    def cite(
        self,
        items: Sequence[CitationItem],
        *,
        position: Position | Sequence[Position] = Position.FIRST,
    ) -> Node:
        """A parenthetical citation: ``(Trotsky 1937c, chap. 3; 1960, 12; Deutscher 1963)``.

        Consecutive works of the same author name the author once (CMOS 13.114 / 15.29);
        a comma separates their years, a semicolon follows a locator.
        """
        return parenthetical(items, who=self._who, cite=self._cite)


class ChicagoAuthorDate17(ChicagoAuthorDate):
    """CMOS 17th edition, author-date: place of publication, 3-em dash for a repeated author."""

    id: ClassVar[str] = "chicago-author-date-17th-edition"
    title: ClassVar[str] = "Chicago Manual of Style 17th edition (author-date)"
    aliases: ClassVar[tuple[str, ...]] = ("chicago-ad-17",)

    keep_place = True
    list_et_al_min = 11
    list_et_al_use_first = 7
    text_et_al_min = 4
    repeated_author_dash = True
    periodical_date_with_year = True
