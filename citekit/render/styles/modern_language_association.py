"""MLA 9th edition: works-cited list and in-text citations ``(Deutscher 45)``.

The *MLA Handbook*, 9th edition, builds an entry from core elements, each followed by the
punctuation the handbook gives: Author. Title. Container, Other contributors, Version, Number,
Publisher, Publication date, Location. A second container (an archive, a database) follows in
its own sentence. One author: ``Trotsky, Leon``; two: ``Serge, Victor, and Natalia Sedova
Trotsky``; three or more: ``Dewey, John, et al.``; a repeated author is ``---``. Titles are set
in title case (capitals added, never removed). Months are abbreviated (``21 Apr. 2010``), page
ranges shortened as the handbook says (``201–09``). Entries sort by author, then title, ignoring
a leading "A", "An", "The". In the text, a work is cited by author and page (``Deutscher 45``),
adding a short title when the list holds several works by that author
(``Trotsky, *My Life* 12``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import ClassVar

from citekit.model import CreatorRole, Name, PartialDate, Source, SourceType
from citekit.model.dates import DatePoint
from citekit.render.styles.base import (
    SEASON_NAMES,
    CitationItem,
    Position,
    Style,
    edition_text,
    locator_text,
    short_title,
    sort_text,
    sort_title,
)
from citekit.render.styles.chicago_author_date import headline
from citekit.render.text import Node, Part, emph, join, link, quoted, sentence, seq

MONTHS = (
    "Jan.",
    "Feb.",
    "Mar.",
    "Apr.",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
)
ITALIC_TITLE = frozenset(
    {
        SourceType.BOOK,
        SourceType.REPORT,
        SourceType.THESIS,
        SourceType.GRAPHIC,
        SourceType.FIGURE,
        SourceType.MAP,
        SourceType.MOTION_PICTURE,
        SourceType.DATASET,
        SourceType.SOFTWARE,
        SourceType.PAMPHLET,
        SourceType.MUSICAL_SCORE,
        SourceType.CLASSIC,
        SourceType.COLLECTION,
        SourceType.PERIODICAL,
    }
)
# Containers that are periodicals: volume and issue as "vol. 61, no. 12".
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
# Other contributors, as the handbook phrases them after the title or container.
CONTRIBUTOR_PHRASES: tuple[tuple[CreatorRole, str], ...] = (
    (CreatorRole.EDITOR, "edited by"),
    (CreatorRole.TRANSLATOR, "translated by"),
    (CreatorRole.TRANSCRIBER, "transcribed by"),
    (CreatorRole.ILLUSTRATOR, "illustrated by"),
    (CreatorRole.INTERVIEWER, "interview by"),
    (CreatorRole.DIRECTOR, "directed by"),
)
IN_CONTAINER = frozenset(
    {
        SourceType.CHAPTER,
        SourceType.ENTRY_ENCYCLOPEDIA,
        SourceType.ENTRY_DICTIONARY,
        SourceType.PAPER_CONFERENCE,
    }
)
REPEATED_AUTHOR = "---"


# -- pieces -----------------------------------------------------------------------------------


def mla_date(date: PartialDate | None) -> str:
    """``21 Apr. 2010``, ``Aug. 1941``, ``Spring 1935``, ``1969–79``, ``n.d.`` as given."""
    if date is None:
        return ""
    if date.literal is not None:
        return date.literal
    if date.start and date.end:
        if date.start.month is None and date.end.month is None:
            return f"{date.start.year}–{mla_range_end(str(date.start.year), str(date.end.year))}"
        return f"{_point(date.start)}–{_point(date.end)}"
    point = date.start or date.end
    assert point is not None
    text = _point(point)
    return f"circa {text}" if date.circa else text


def _point(point: DatePoint) -> str:
    if point.season:
        return f"{SEASON_NAMES[point.season]} {point.year}"
    if point.month is None:
        return str(point.year)
    month = MONTHS[point.month - 1]
    return f"{point.day} {month} {point.year}" if point.day else f"{month} {point.year}"


def mla_range_end(first: str, last: str) -> str:
    """The handbook's inclusive numbers: 21–32, 96–113, 89–93, 201–09, 1608–774 (1.4.6)."""
    if len(first) != len(last) or len(first) < 3:
        return last
    if first[:-2] == last[:-2]:
        return last[-2:]
    return last


_RANGE = re.compile(r"^\s*(\d+)\s*[-–—]+\s*(\d+)\s*$")


def mla_pages(pages: str | None) -> str:
    """``pp. 201–09``, ``p. 1``; anything else as given."""
    if not pages:
        return ""
    m = _RANGE.match(pages)
    if m:
        first, last = m.group(1), m.group(2)
        if len(last) < len(first):
            last = first[: len(first) - len(last)] + last
        return f"pp. {first}–{mla_range_end(first, last)}"
    plural = any(ch in pages for ch in ",–-")
    return f"{'pp.' if plural else 'p.'} {pages.replace('-', '–')}"


def author_names(names: Sequence[Name]) -> str:
    """``Trotsky, Leon``; ``Serge, Victor, and Natalia Sedova Trotsky``; ``Dewey, John, et al.``."""
    first = names[0].inverted()
    if len(names) == 1:
        return first
    if len(names) == 2:
        comma = "," if not names[0].literal else ""
        return f"{first}{comma} and {names[1].display()}"
    return f"{first}, et al."


def running_names(names: Sequence[Name]) -> str:
    texts = [n.display() for n in names]
    if len(texts) <= 2:
        return " and ".join(texts)
    return ", ".join(texts[:-1]) + ", and " + texts[-1]


# -- the style --------------------------------------------------------------------------------


class ModernLanguageAssociation(Style):
    """MLA 9th edition: ``Deutscher, Isaac. *The Prophet Outcast*. Oxford UP, 1963.``."""

    id: ClassVar[str] = "modern-language-association"
    title: ClassVar[str] = "Modern Language Association 9th edition"
    aliases: ClassVar[tuple[str, ...]] = ("mla", "mla9")
    kind = "author-date"

    def __init__(self, library: Sequence[Source] = ()) -> None:
        self.library = tuple(library)
        counts: dict[str, int] = {}
        for source in self.library:
            key = self._cite_names(source)
            counts[key] = counts.get(key, 0) + 1
        # authors with several works in the list are cited with a short title too (MLA 6.11)
        self.shared = {key for key, count in counts.items() if count > 1}

    def with_library(self, library: Sequence[Source]) -> ModernLanguageAssociation:
        """The same style, citing against ``library`` (short titles for shared authors)."""
        return type(self)(library)

    # -- works cited ----------------------------------------------------------------------

    def bibliography(self, sources: Iterable[Source]) -> list[Node]:
        """The works-cited list, sorted, with ``---`` for a repeated author."""
        ordered = sorted(sources, key=self.sort_key)
        out: list[Node] = []
        previous: str | None = None
        for source in ordered:
            lead = self._lead_text(source)
            out.append(self._entry(source, dash=lead is not None and lead == previous))
            previous = lead
        return out

    def bibliography_entry(self, source: Source) -> Node:
        """One works-cited entry."""
        return self._entry(source, dash=False)

    def sort_key(self, source: Source) -> tuple[object, ...]:
        """The first element (author, else title) then the title, without "A", "An", "The"."""
        names, _ = self._lead(source)
        if names:
            head: tuple[str, ...] = tuple(
                " ".join(sort_text(p) for p in n.sort_key() if p) for n in names
            )
        else:
            head = (sort_title(source.title),)
        return (head, sort_title(source.title))

    def _lead(self, source: Source) -> tuple[list[Name], CreatorRole | None]:
        for role in (CreatorRole.AUTHOR, CreatorRole.EDITOR, CreatorRole.DIRECTOR):
            found = source.creators_in(role)
            if found:
                return list(found), role
        return [], None

    def _lead_text(self, source: Source) -> str | None:
        names, role = self._lead(source)
        if not names:
            return None
        text = author_names(names)
        if role == CreatorRole.EDITOR:
            text += ", editors" if len(names) > 1 else ", editor"
        elif role == CreatorRole.DIRECTOR:
            text += ", director"
        return text

    def _title(self, source: Source) -> Node:
        title = headline(source, source.title)
        if not title:
            return seq()
        return emph(title) if source.type in ITALIC_TITLE else quoted(title)

    def _contributors(self, source: Source, *, skip: set[CreatorRole]) -> list[str]:
        out = []
        for role, phrase in CONTRIBUTOR_PHRASES:
            if role in skip:
                continue
            names = source.creators_in(role)
            if names:
                out.append(f"{phrase} {running_names(names)}")
        return out

    def _location(self, source: Source) -> Node:
        if source.doi:
            return link(f"https://doi.org/{source.doi}")
        return link(source.url)

    def _entry(self, source: Source, *, dash: bool) -> Node:
        _, lead_role = self._lead(source)
        lead = REPEATED_AUTHOR if dash else self._lead_text(source)
        kind = source.type
        skip = {lead_role} if lead_role else set()
        if kind in IN_CONTAINER:
            skip.add(CreatorRole.EDITOR)  # a chapter's editors edit the book: "edited by"
        contributors = self._contributors(source, skip=skip)
        # capitalised after a period: "Translated by Max Eastman, Wildwood House, 1975."
        first = [c[:1].upper() + c[1:] for c in contributors]
        date = mla_date(source.issued)
        container: list[Part]
        if kind in IN_CONTAINER:
            editors = source.creators_in(CreatorRole.EDITOR)
            container = [
                emph(headline(source, source.container_title)),
                f"edited by {running_names(editors)}" if editors else None,
                edition_text(source.edition),
                source.publisher,
                date,
                mla_pages(source.page),
                self._location(source),
            ]
            return sentence(
                lead, self._title(source), *first, join(container, ", "), *self._after(source)
            )
        if kind in PERIODICAL_TYPES:
            container = [
                emph(headline(source, source.container_title)),
                f"vol. {source.volume}" if source.volume else None,
                f"no. {source.issue}" if source.issue else None,
                date,
                mla_pages(source.page),
                self._location(source),
            ]
            return sentence(
                lead, self._title(source), *first, join(container, ", "), *self._after(source)
            )
        if kind == SourceType.THESIS:
            return sentence(
                lead,
                self._title(source),
                *first,
                date,
                join([source.publisher, source.genre], ", "),
                self._location(source),
                *self._after(source),
            )
        if kind == SourceType.MANUSCRIPT:
            container = [
                date,
                source.archive,
                source.archive_place,
                source.archive_location,
                self._location(source),
            ]
            return sentence(
                lead, self._title(source), *first, join(container, ", "), *self._after(source)
            )
        site = source.container_title if kind not in (SourceType.BOOK, SourceType.REPORT) else None
        publisher = source.publisher if site != source.publisher else None
        # contributors join the publication facts in one sentence after the title
        facts: list[Part] = [
            *contributors,
            emph(site) if site else None,
            edition_text(source.edition),
            f"no. {source.number}" if source.number else None,
            publisher,
            date,
            self._location(source),
        ]
        present = [part for part in facts if part]
        if present and isinstance(present[0], str):
            # the sentence starts with it: "Translated by …", "No. 100-3, …"
            present[0] = present[0][:1].upper() + present[0][1:]
        return sentence(lead, self._title(source), join(present, ", "), *self._after(source))

    def _after(self, source: Source) -> list[Part]:
        """Optional elements at the end: access date of an undated web source, medium, volumes."""
        out: list[Part] = []
        if source.archive and source.type != SourceType.MANUSCRIPT:
            out.append(source.archive)
        undated = source.issued is None or source.issued.year is None
        if undated and source.accessed is not None and source.url:
            out.append(f"Accessed {mla_date(source.accessed)}")
        if source.medium:
            out.append(source.medium)
        if source.number_of_volumes:
            out.append(f"{source.number_of_volumes} vols")
        return out

    # -- in-text citations ----------------------------------------------------------------

    def _cite_names(self, source: Source) -> str:
        names, _ = self._lead(source)
        if not names:
            return ""
        families = [n.literal or n.family_full() for n in names]
        if len(families) >= 3:
            return f"{families[0]} et al."
        return " and ".join(families)

    def _short(self, source: Source) -> Node:
        title = headline(source, short_title(source))
        return emph(title) if source.type in ITALIC_TITLE else quoted(title)

    def cite_item(self, item: CitationItem, position: Position) -> Node:
        """``Deutscher 45``; ``Trotsky, *My Life* 12``; ``*Trotsky in 1918*``."""
        source = item.source
        who = self._cite_names(source)
        if not who:
            head: Node = self._short(source)
        elif who in self.shared:
            head = seq(who, ", ", self._short(source))
        else:
            head = seq(who)
        locator = locator_text(item.locator)
        body = seq(head, f" {locator}" if locator else None)
        return seq(item.prefix + " " if item.prefix else None, body, item.suffix or None)

    def cite(
        self,
        items: Sequence[CitationItem],
        *,
        position: Position | Sequence[Position] = Position.FIRST,
    ) -> Node:
        """A parenthetical citation: ``(Deutscher 45; Service 210)``."""
        return seq("(", join([self.cite_item(i, Position.FIRST) for i in items], "; "), ")")
