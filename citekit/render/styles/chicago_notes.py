"""Chicago notes and bibliography: CMOS 18th edition (2024) and 17th edition (2017).

Bibliography entries, full notes, short notes (family name, short title, locator) and *Ibid.*
Each item type is a row in ``KINDS`` mapping it to the builder that knows how CMOS cites that
kind of work. The 17th edition keeps the place of publication, gives the month or season of a
journal issue, lists up to ten authors in a bibliography entry (three in a note) and may replace
a repeated author with a 3-em dash (``repeated_author_dash=True``).

>>> from citekit.model import Source
>>> from citekit.render import render
>>> s = Source(type="book", title="My Life", creators=[{"family": "Trotsky", "given": "Leon"}],
...            publisher="Grosset & Dunlap", publisher_place="New York", issued="1960")
>>> render(ChicagoNotes().bibliography_entry(s))
'Trotsky, Leon. My Life. Grosset & Dunlap, 1960.'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from citekit.model import Creator, CreatorRole, Name, Source, SourceType
from citekit.render.styles.base import (
    CitationItem,
    Position,
    Style,
    date_text,
    default_sort_key,
    edition_text,
    locator_text,
    name_list,
    page_range,
    short_title,
    sort_title,
    title_case,
    year_text,
)
from citekit.render.text import (
    EMPTY,
    Node,
    Part,
    capitalize_first,
    emph,
    join,
    link,
    quoted,
    seq,
    smarten,
)

R = CreatorRole
T = SourceType

# How CMOS treats each item type: which builder cites it.
KINDS: dict[SourceType, str] = {
    T.BOOK: "book",
    T.CLASSIC: "book",
    T.COLLECTION: "book",
    T.PAMPHLET: "book",
    T.MUSICAL_SCORE: "book",
    T.PERIODICAL: "book",
    T.SOFTWARE: "book",
    T.STANDARD: "book",
    T.REPORT: "report",
    T.CHAPTER: "chapter",
    T.ENTRY: "chapter",
    T.ARTICLE_JOURNAL: "journal",
    T.ARTICLE: "preprint",
    T.ARTICLE_MAGAZINE: "magazine",
    T.ARTICLE_NEWSPAPER: "newspaper",
    T.REVIEW: "review",
    T.REVIEW_BOOK: "review",
    T.WEBPAGE: "web",
    T.POST: "web",
    T.POST_WEBLOG: "blog",
    T.ENTRY_ENCYCLOPEDIA: "entry",
    T.ENTRY_DICTIONARY: "entry",
    T.GRAPHIC: "image",
    T.FIGURE: "image",
    T.MAP: "map",
    T.MANUSCRIPT: "manuscript",
    T.DOCUMENT: "manuscript",
    T.THESIS: "thesis",
    T.INTERVIEW: "interview",
    T.PERSONAL_COMMUNICATION: "personal",
    T.PAPER_CONFERENCE: "paper",
    T.SPEECH: "speech",
    T.EVENT: "paper",
    T.PERFORMANCE: "paper",
    T.MOTION_PICTURE: "film",
    T.BROADCAST: "broadcast",
    T.SONG: "film",
    T.DATASET: "dataset",
    T.PATENT: "report",
    T.BILL: "report",
    T.HEARING: "report",
    T.LEGAL_CASE: "report",
    T.LEGISLATION: "report",
    T.REGULATION: "report",
    T.TREATY: "report",
}

# Kinds whose title is italic (a whole published work); the others are in quotation marks.
ITALIC_TITLE = frozenset({"book", "report", "image", "map", "film"})
# Kinds cited by their container when no one is named as author (CMOS 14.89, 14.104).
CONTAINER_AS_AUTHOR = frozenset({"newspaper", "magazine", "web", "entry", "broadcast"})
# Kinds whose container is italic (a periodical, a book, a site that is a publication).
ITALIC_CONTAINER = frozenset(
    {
        "journal",
        "magazine",
        "newspaper",
        "blog",
        "chapter",
        "review",
        "image",
        "interview",
        "entry",
        "broadcast",
    }
)
# Roles that stand in the author position when there is no author, with their short label.
STAND_IN_ROLES: tuple[tuple[CreatorRole, str, str], ...] = (
    (R.EDITOR, "ed.", "eds."),
    (R.COMPILER, "comp.", "comps."),
    (R.TRANSLATOR, "trans.", "trans."),
    (R.DIRECTOR, "dir.", "dirs."),
    (R.COMPOSER, "", ""),
)
# Types whose publication facts follow the title without parentheses in a note.
OPEN_PUBLICATION = frozenset({SourceType.MAP, SourceType.COLLECTION, SourceType.SOFTWARE})
# Types whose titles are quoted verbatim, never recapitalised (CMOS18 14.106).
VERBATIM_TITLE = frozenset({SourceType.POST})
# Roles named after the title: (bibliography phrase, note phrase).
AFTER_TITLE: tuple[tuple[CreatorRole, str, str], ...] = (
    (R.EDITOR, "Edited by", "ed."),
    (R.COMPILER, "Compiled by", "comp."),
    (R.TRANSLATOR, "Translated by", "trans."),
    (R.TRANSCRIBER, "Transcribed by", "transcribed by"),
    (R.ILLUSTRATOR, "Illustrated by", "illustrated by"),
)
THREE_EM_DASH = "———"


class ChicagoNotes(Style):
    """Chicago Manual of Style, 18th edition: notes and bibliography."""

    id: ClassVar[str] = "chicago-notes-bibliography"
    title: ClassVar[str] = "Chicago Manual of Style 18th edition (notes and bibliography)"
    aliases: ClassVar[tuple[str, ...]] = ("chicago", "chicago-notes", "chicago-18", "cmos")
    kind = "note"

    edition: ClassVar[int] = 18
    # Publisher's place: dropped in the 18th edition (CMOS18 14.30), kept in the 17th.
    with_place: ClassVar[bool] = False
    # Month or season of a journal issue that has a volume or number.
    journal_month: ClassVar[bool] = False
    # (names at which "et al." starts, names shown before it): bibliography, notes.
    bib_et_al: ClassVar[tuple[int, int]] = (7, 3)  # CMOS18 14.76
    note_et_al: ClassVar[tuple[int, int]] = (3, 1)

    def __init__(self, *, repeated_author_dash: bool = False, ibid: bool = True) -> None:
        self.repeated_author_dash = repeated_author_dash
        self.ibid = ibid

    # -- the public interface -------------------------------------------------------------

    def sort_key(self, source: Source) -> tuple[object, ...]:
        """What heads the entry (creator, else container or title), title, date (CMOS 14.66)."""
        names, _, _ = self._stand_in(source)
        key = default_sort_key(source)
        if names:
            return key
        heading = self._author_bib_text(source) or source.title
        return ((sort_title(heading), ""), *key[1:])

    def bibliography(self, sources: Iterable[Source]) -> list[Node]:
        """Sorted entries, the ones CMOS leaves out of a bibliography left out, dashes applied."""
        out: list[Node] = []
        previous: str | None = None
        for source in sorted(sources, key=self.sort_key):
            if not self.in_bibliography(source):
                continue
            names, _, _ = self._stand_in(source)
            author = self._author_bib_text(source) if names else None
            if self.repeated_author_dash and author and author == previous:
                out.append(self._entry(source, author_override=THREE_EM_DASH))
            else:
                out.append(self.bibliography_entry(source))
            previous = author
        return out

    def bibliography_entry(self, source: Source) -> Node:
        """The bibliography entry: ``Trotsky, Leon. My Life. Grosset & Dunlap, 1960.``"""
        return self._entry(source)

    def in_bibliography(self, source: Source) -> bool:
        """Whether CMOS lists a work in the bibliography, not only in the notes.

        Unsigned reference works (14.131), and unpublished interviews, talks and manuscripts a
        reader cannot retrieve (14.111, 14.114–15) are cited in notes only.
        """
        kind = _kind(source)
        if kind == "entry":
            return bool(source.authors)
        if source.type == T.POST and self.edition >= 18:
            return False  # social-media posts: notes only (CMOS18 14.106)
        reachable = any(
            (
                source.archive,
                source.archive_place,
                source.container_title,
                source.doi,
                source.number,
                source.publisher,
                source.url,
            )
        )
        if kind == "personal":
            return False  # personal communications: notes only (CMOS 14.111)
        return reachable or kind not in ("interview", "paper", "speech", "manuscript")

    def cite_item(self, item: CitationItem, position: Position) -> Node:
        """One source in a note: full at first, short later, *Ibid.* right after itself."""
        # "Ibid." opens a note; after a prefix ("See ibid.") it is lower case (CMOS 14.34).
        word = "ibid." if item.prefix.strip() else "Ibid."
        if self.ibid and position == Position.IBID:
            return seq(word)
        if self.ibid and position == Position.IBID_WITH_LOCATOR:
            return join([word, self._locator(item)], ", ")
        if position == Position.FIRST:
            return self.full_note(item)
        return self.short_note(item)

    def cite(
        self,
        items: Sequence[CitationItem],
        *,
        position: Position | Sequence[Position] = Position.FIRST,
    ) -> Node:
        """A note: items joined by semicolons, ending with a period (``Ibid.`` included)."""
        return capitalize_first(smarten(super().cite(items, position=position)))

    # -- notes ----------------------------------------------------------------------------

    def full_note(self, item: CitationItem) -> Node:
        """The first, full note: ``Leon Trotsky, My Life (Grosset & Dunlap, 1960), 45``."""
        source = item.source
        kind = _kind(source)
        builder = getattr(self, f"_note_{kind}")
        note: Node = builder(source, self._locator(item))
        if kind != "manuscript" and (source.archive or source.archive_location):
            # The archive goes before the link the builder ended with.
            link_node = self._link(source)
            if link_node:
                without = builder(
                    source.model_copy(update={"url": None, "doi": None}), self._locator(item)
                )
                return join([without, self._archive(source, note=True), link_node], ", ")
            return join([note, self._archive(source, note=True)], ", ")
        return note

    def short_note(self, item: CitationItem) -> Node:
        """A later note: author's family name, short title, locator (CMOS 14.29–31)."""
        source = item.source
        kind = _kind(source)
        names = self._short_author(source, kind)
        title = self._short_title(source, kind)
        if kind == "review" and names and title:
            title = seq("review of ", title)
        if kind == "entry" and source.publisher and title:
            # A reference work is cited by the entry looked up (CMOS17 14.130 "s.v.", 18 "under").
            title = seq("under " if self.edition >= 18 else "s.v. ", title)
        return join([names, title, self._locator(item)], ", ")

    # -- shared pieces --------------------------------------------------------------------

    def _locator(self, item: CitationItem) -> str:
        return locator_text(item.locator)

    def _title(self, source: Source, kind: str | None = None) -> Node:
        kind = kind or _kind(source)
        text = _english_title(source, source.title)
        if not text:
            return EMPTY
        if kind == "review":
            return seq("Review of ", emph(text))
        if source.type == T.COLLECTION:
            return seq(text)  # names of archival collections are roman (CMOS 8.186)
        italic = kind in ITALIC_TITLE and source.type != T.FIGURE
        return emph(text) if italic else quoted(text)

    def _short_title(self, source: Source, kind: str) -> Node:
        text = _english_title(source, short_title(source))
        if not text:
            return EMPTY
        italic = (kind in ITALIC_TITLE and source.type != T.FIGURE) or kind == "review"
        return emph(text) if italic else quoted(text)

    def _container(self, source: Source, kind: str) -> Node:
        text = _english_title(source, source.container_title)
        if not text:
            return EMPTY
        node = emph(text) if kind in ITALIC_CONTAINER else seq(text)
        if kind == "newspaper" and source.publisher_place:
            # A newspaper's city in parentheses when it is not in the name (CMOS 14.89).
            return seq(node, f" ({source.publisher_place})")
        return node

    def _series(self, source: Source) -> Node:
        """``Latin America in Translation 12``."""
        return join([source.collection_title, source.collection_number], " ")

    def _stand_in(self, source: Source) -> tuple[list[Creator], str, str]:
        """Who heads the entry: authors, else editors/compilers/translators/director."""
        by_role: dict[CreatorRole, list[Creator]] = {}
        for creator in source.creators:
            by_role.setdefault(creator.role, []).append(creator)
        if R.AUTHOR in by_role:
            return by_role[R.AUTHOR], "", ""
        for role, one, many in STAND_IN_ROLES:
            if role in by_role:
                return by_role[role], one, many
        return [], "", ""

    def _author_bib_text(self, source: Source) -> str:
        names, one, many = self._stand_in(source)
        if not names:
            kind = _kind(source)
            if kind in CONTAINER_AS_AUTHOR and source.container_title:
                return source.container_title
            return ""
        text = name_list(
            names,
            invert_first=True,
            et_al_min=self.bib_et_al[0],
            et_al_use_first=self.bib_et_al[1],
            more=_more_names(source),
        )
        if one:
            text += ", " + (many if len(names) > 1 else one)
        return text

    def _author_bib(self, source: Source, kind: str) -> Node:
        names, _, _ = self._stand_in(source)
        text = self._author_bib_text(source)
        if not names and text:
            return self._container(source, kind)
        return seq(text)

    def _author_note(self, source: Source, kind: str) -> Node:
        names, one, many = self._stand_in(source)
        if kind == "film" and not source.authors:
            return EMPTY
        if not names:
            return EMPTY
        text = name_list(
            names,
            et_al_min=self.note_et_al[0],
            et_al_use_first=self.note_et_al[1],
            more=_more_names(source),
        )
        if one:
            text += ", " + (many if len(names) > 1 else one)
        return seq(text)

    def _short_author(self, source: Source, kind: str) -> Node:
        names, _, _ = self._stand_in(source)
        if kind == "film" and not source.authors:
            return EMPTY
        if not names:
            if kind in CONTAINER_AS_AUTHOR and kind != "broadcast" and source.container_title:
                return self._container(source, kind)
            return EMPTY
        families = [_family(n) for n in names]
        if len(families) >= self.note_et_al[0] or (_more_names(source) and len(families) == 1):
            return seq(f"{families[0]} et al.")
        if len(families) == 1:
            return seq(families[0])
        return seq(
            ", ".join(families[:-1]) + ("," if len(families) > 2 else "") + " and " + families[-1]
        )

    def _contributors(
        self, source: Source, *, note: bool, skip: Iterable[CreatorRole] = ()
    ) -> list[Node]:
        """``Translated by Max Eastman`` (bibliography) / ``trans. Max Eastman`` (note)."""
        heading, _, _ = self._stand_in(source)
        heading_role = heading[0].role if heading else None
        out: list[Node] = []
        for role, bib_phrase, note_phrase in AFTER_TITLE:
            if role == heading_role or role in skip:
                continue
            names = source.creators_in(role)
            if names:
                phrase = note_phrase if note else bib_phrase
                out.append(seq(f"{phrase} {name_list(names)}"))
        return out

    def _publication(self, source: Source, *, date: str | None = None) -> Node:
        """``New York: Grosset & Dunlap, 1960`` (the place only in the 17th edition)."""
        place = source.publisher_place if self.with_place or not source.publisher else None
        where = join([place, source.publisher], ": ")
        when = year_text(source.issued) if date is None else date
        if source.issued is None and date is None:
            when = ""
        if when and source.type == T.SOFTWARE:
            when = f"released {when}"
        return join([where, when], ", ")

    def _link(self, source: Source) -> Node:
        """The DOI as a URL (preferred, CMOS 14.8), else the URL."""
        if source.doi:
            return link(f"https://doi.org/{source.doi}")
        return link(source.url) if source.url else EMPTY

    def _archive(self, source: Source, *, note: bool) -> Node:
        """Where a copy is kept: ``Leon Trotsky Internet Archive`` (CMOS 14.119)."""
        parts = [source.archive_location, source.archive, source.archive_place]
        return join(parts, ", ") if note else join([parts[0], join(parts[1:], ", ")], ". ")

    def _accessed(self, source: Source, *, note: bool) -> str:
        """Access date, only for a work with no date of its own (CMOS 14.12)."""
        if source.issued is not None or source.accessed is None:
            return ""
        word = "accessed" if note else "Accessed"
        return f"{word} {date_text(source.accessed)}"

    def _extra(self, source: Source, name: str) -> str:
        value = source.extra.get(name)
        return value if isinstance(value, str) else ""

    # -- entries --------------------------------------------------------------------------

    def _entry(self, source: Source, *, author_override: str | None = None) -> Node:
        kind = _kind(source)
        builder = getattr(self, f"_bib_{kind}")
        author = seq(author_override) if author_override else self._author_bib(source, kind)
        _, one, _ = self._stand_in(source)
        if author_override and one:
            author = seq(f"{author_override}, {self._author_bib_text(source).rsplit(', ', 1)[-1]}")
        body: list[Part] = builder(source, kind)
        if kind != "manuscript" and (source.archive or source.archive_location):
            body.insert(len(body) - 1, self._archive(source, note=False))
        entry = join([author, *body], ". ", end=".")
        return smarten(entry) if _has_apostrophe(source) else entry

    def _body_container(self, source: Source, kind: str) -> Node:
        """The container, unless it already heads the entry in place of an author."""
        names, _, _ = self._stand_in(source)
        if not names and kind in CONTAINER_AS_AUTHOR:
            return EMPTY
        return self._container(source, kind)

    # Bibliography builders return the parts after the author, joined by ". ".

    def _bib_book(self, source: Source, kind: str) -> list[Part]:
        volumes = f"{source.number_of_volumes} vols." if source.number_of_volumes else None
        return [
            self._title(source, kind),
            *self._contributors(source, note=False),
            edition_text(source.edition),
            volumes,
            self._series(source),
            self._publication(source),
            self._link(source),
        ]

    def _bib_report(self, source: Source, kind: str) -> list[Part]:
        return [
            self._title(source, kind),
            *self._contributors(source, note=False),
            join([source.genre, source.number], " "),
            self._series(source),
            self._publication(source),
            self._link(source),
        ]

    def _bib_chapter(self, source: Source, kind: str) -> list[Part]:
        editors = source.creators_in(R.EDITOR) if source.authors else []
        pages = page_range(source.page) if self.edition == 17 else ""
        if source.volume:
            where = f"{source.volume}:{pages}" if pages else f"vol. {source.volume}"
        else:
            where = pages
        container = join(
            [
                seq("In ", self._container(source, kind)),
                seq("edited by ", name_list(editors)) if editors else None,
                edition_text(source.edition),
                where,
            ],
            ", ",
        )
        return [
            self._title(source, kind),
            *self._contributors(source, note=False, skip=(R.EDITOR,)),
            container,
            self._series(source),
            self._publication(source),
            self._link(source),
        ]

    def _journal_issue(self, source: Source) -> Node:
        """``Journal of Human Capital 11, no. 1 (Spring 2017)``."""
        number = join([source.volume, f"no. {source.issue}" if source.issue else None], ", ")
        if self.journal_month or not source.volume:
            when = date_text(source.issued, with_day=False)
        else:
            when = year_text(source.issued) if source.issued else ""
        head = join([self._container(source, "journal"), number], " " if source.volume else ", ")
        return join([head, f"({when})" if when else None], " ")

    def _bib_journal(self, source: Source, kind: str) -> list[Part]:
        issue = self._journal_issue(source)
        pages = page_range(source.page)
        return [
            self._title(source, kind),
            *self._contributors(source, note=False),
            join([issue, pages], ": ") if pages else issue,
            self._link(source),
        ]

    def _bib_magazine(self, source: Source, kind: str) -> list[Part]:
        return [
            self._title(source, kind),
            *self._contributors(source, note=False),
            join([self._body_container(source, kind), date_text(source.issued)], ", "),
            self._link(source),
        ]

    _bib_newspaper = _bib_magazine

    def _bib_review(self, source: Source, kind: str) -> list[Part]:
        return [
            self._title(source, kind),
            join(
                [
                    self._body_container(source, kind),
                    date_text(source.issued),
                    page_range(source.page),
                ],
                ", ",
            ),
            self._link(source),
        ]

    def _bib_web(self, source: Source, kind: str) -> list[Part]:
        return [
            self._title(source, kind),
            *self._contributors(source, note=False),
            join([self._body_container(source, kind), date_text(source.issued)], ", "),
            self._accessed(source, note=False),
            self._link(source),
        ]

    _bib_blog = _bib_web

    def _bib_entry(self, source: Source, kind: str) -> list[Part]:
        """A signed entry in a published reference work reads like a chapter."""
        if source.publisher:
            return self._bib_chapter(source, kind)
        return self._bib_web(source, kind)

    def _bib_broadcast(self, source: Source, kind: str) -> list[Part]:
        aired = date_text(source.issued)
        return [
            self._title(source, kind),
            *self._contributors(source, note=False),
            join(
                [
                    seq("Aired ", aired) if aired else None,
                    seq("on ", source.publisher) if source.publisher else None,
                ],
                ", ",
            ),
            self._link(source),
        ]

    def _bib_preprint(self, source: Source, kind: str) -> list[Part]:
        return [
            self._title(source, kind),
            *self._contributors(source, note=False),
            join([source.genre or "Preprint", source.publisher, date_text(source.issued)], ", "),
            self._link(source),
        ]

    def _bib_speech(self, source: Source, kind: str) -> list[Part]:
        event = source.event_title or source.container_title
        return [
            self._title(source, kind),
            source.genre,
            join([event, self._extra(source, "event-place"), date_text(source.issued)], ", "),
            self._link(source),
        ]

    def _bib_personal(self, source: Source, kind: str) -> list[Part]:
        return [self._title(source, kind), source.genre, date_text(source.issued)]

    def _bib_image(self, source: Source, kind: str) -> list[Part]:
        container = self._container(source, kind)
        return [
            self._title(source, kind),
            *self._contributors(source, note=False),
            seq("In ", container) if container else None,
            date_text(source.issued) or "n.d.",
            self._accessed(source, note=False),
            source.medium,
            self._link(source),
        ]

    def _bib_map(self, source: Source, kind: str) -> list[Part]:
        return self._bib_book(source, kind)

    def _bib_manuscript(self, source: Source, kind: str) -> list[Part]:
        return [
            self._title(source, kind),
            source.genre,
            date_text(source.issued),
            source.archive_location,
            join([source.archive, source.archive_place], ", "),
            self._link(source),
        ]

    def _bib_thesis(self, source: Source, kind: str) -> list[Part]:
        return [
            self._title(source, kind),
            join([source.genre, source.publisher, year_text(source.issued)], ", "),
            self._link(source),
        ]

    def _bib_interview(self, source: Source, kind: str) -> list[Part]:
        interviewers = source.creators_in(R.INTERVIEWER)
        return [
            self._title(source, kind),
            seq("Interview by ", name_list(interviewers)) if interviewers else None,
            join(
                [self._container(source, kind), date_text(source.issued), page_range(source.page)],
                ", ",
            ),
            self._link(source),
        ]

    def _bib_paper(self, source: Source, kind: str) -> list[Part]:
        event = source.event_title or source.container_title
        return [
            self._title(source, kind),
            join(
                [
                    seq("Paper presented at ", event) if event else None,
                    self._extra(source, "event-place"),
                ],
                ", ",
            ),
            date_text(source.issued),
            self._link(source),
        ]

    def _bib_film(self, source: Source, kind: str) -> list[Part]:
        return self._bib_book(source, kind)

    def _bib_dataset(self, source: Source, kind: str) -> list[Part]:
        return [
            self._title(source, kind),
            *self._contributors(source, note=False),
            join([source.publisher, year_text(source.issued) if source.issued else None], ", "),
            self._link(source),
        ]

    # Note builders: the whole note body for one source, locator included.

    def _note_book(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        contributors = self._contributors(source, note=True)
        if kind == "film":
            directors = source.creators_in(R.DIRECTOR)
            if directors and not source.authors:
                contributors = [seq(f"directed by {name_list(directors)}"), *contributors]
        head = join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                *contributors,
                edition_text(source.edition),
                self._series(source),
            ],
            ", ",
        )
        publication = self._publication(source)
        if publication and source.type not in OPEN_PUBLICATION:
            head = join([head, seq("(", publication, ")")], " ")
        elif publication:
            head = join([head, publication], ", ")
        return join([head, locator, self._link(source)], ", ")

    _note_film = _note_book

    def _note_broadcast(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        aired = date_text(source.issued)
        return join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                self._container(source, kind),
                seq("aired ", aired) if aired else None,
                seq("on ", source.publisher) if source.publisher else None,
                locator,
                self._link(source),
            ],
            ", ",
        )

    def _note_preprint(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        genre = source.genre or "preprint"
        return join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                *self._contributors(source, note=True),
                genre[:1].lower() + genre[1:] if not source.genre else genre,
                source.publisher,
                date_text(source.issued),
                locator,
                self._link(source),
            ],
            ", ",
        )

    def _note_speech(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        return join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                source.genre,
                source.event_title or source.container_title,
                self._extra(source, "event-place"),
                date_text(source.issued),
                locator,
                self._link(source),
            ],
            ", ",
        )

    def _note_personal(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        return join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                source.genre or "personal communication",
                date_text(source.issued),
                locator,
            ],
            ", ",
        )

    def _note_map(self, source: Source, locator: str) -> Node:
        if source.publisher:
            return self._note_book(source, locator)
        kind = _kind(source)
        return join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                *self._contributors(source, note=True),
                self._publication(source),
                locator,
                self._link(source),
            ],
            ", ",
        )

    def _note_report(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        head = join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                *self._contributors(source, note=True),
                join([source.genre, source.number], " "),
                self._series(source),
            ],
            ", ",
        )
        publication = self._publication(source)
        if publication:
            head = join([head, seq("(", publication, ")")], " ")
        return join([head, locator, self._link(source)], ", ")

    def _note_chapter(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        editors = source.creators_in(R.EDITOR) if source.authors else []
        head = join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                *self._contributors(source, note=True, skip=(R.EDITOR,)),
                seq("in ", self._container(source, kind)),
                seq("ed. ", name_list(editors)) if editors else None,
                edition_text(source.edition),
                self._series(source),
            ],
            ", ",
        )
        publication = self._publication(source)
        if publication:
            head = join([head, seq("(", publication, ")")], " ")
        return join([head, locator, self._link(source)], ", ")

    def _note_journal(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        issue = self._journal_issue(source)
        where = join([issue, locator], ": ") if locator else issue
        return join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                *self._contributors(source, note=True),
                where,
                self._link(source),
            ],
            ", ",
        )

    def _note_magazine(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        return join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                *self._contributors(source, note=True),
                self._container(source, kind),
                date_text(source.issued),
                locator,
                self._accessed(source, note=True),
                self._link(source),
            ],
            ", ",
        )

    _note_newspaper = _note_magazine
    _note_web = _note_magazine
    _note_blog = _note_magazine

    def _note_entry(self, source: Source, locator: str) -> Node:
        if source.publisher:
            volume_locator = f"{source.volume}:{locator}" if source.volume and locator else locator
            return self._note_chapter(source, volume_locator)
        return self._note_magazine(source, locator)

    def _note_review(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        author = self._author_note(source, kind)
        title = self._title(source, kind)
        if author and source.title:
            title = seq("review of ", emph(_english_title(source, source.title)))
        return join(
            [
                author,
                title,
                self._container(source, kind),
                date_text(source.issued),
                locator,
                self._link(source),
            ],
            ", ",
        )

    def _note_image(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        container = self._container(source, kind)
        return join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                *self._contributors(source, note=True),
                seq("in ", container) if container else None,
                date_text(source.issued) or "n.d.",
                locator,
                self._accessed(source, note=True),
                source.medium,
                self._link(source),
            ],
            ", ",
        )

    def _note_manuscript(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        return join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                source.genre,
                date_text(source.issued),
                source.archive_location,
                # "p." tells a page from the folder and item numbers just before it.
                f"p. {locator}"
                if locator and locator[0].isdigit() and source.archive_location
                else locator,
                source.archive,
                source.archive_place,
                self._link(source),
            ],
            ", ",
        )

    def _note_thesis(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        head = join([self._author_note(source, kind), self._title(source, kind)], ", ")
        inner = join([source.genre, source.publisher, year_text(source.issued)], ", ")
        head = join([head, seq("(", inner, ")") if inner else None], " ")
        return join([head, locator, self._link(source)], ", ")

    def _note_interview(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        interviewers = source.creators_in(R.INTERVIEWER)
        return join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                seq("interview by ", name_list(interviewers)) if interviewers else None,
                self._container(source, kind),
                date_text(source.issued),
                locator,
                self._link(source),
            ],
            ", ",
        )

    def _note_paper(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        event = source.event_title or source.container_title
        return join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                seq("paper presented at ", event) if event else None,
                self._extra(source, "event-place"),
                date_text(source.issued),
                locator,
                self._link(source),
            ],
            ", ",
        )

    def _note_dataset(self, source: Source, locator: str) -> Node:
        kind = _kind(source)
        return join(
            [
                self._author_note(source, kind),
                self._title(source, kind),
                *self._contributors(source, note=True),
                source.publisher,
                year_text(source.issued) if source.issued else None,
                locator,
                self._link(source),
            ],
            ", ",
        )


class ChicagoNotes17(ChicagoNotes):
    """Chicago Manual of Style, 17th edition: notes and bibliography (the demo article's)."""

    id: ClassVar[str] = "chicago-notes-bibliography-17th-edition"
    title: ClassVar[str] = "Chicago Manual of Style 17th edition (notes and bibliography)"
    aliases: ClassVar[tuple[str, ...]] = ("chicago-17", "chicago-notes-17", "cmos17")

    edition: ClassVar[int] = 17
    with_place: ClassVar[bool] = True
    journal_month: ClassVar[bool] = True
    bib_et_al: ClassVar[tuple[int, int]] = (11, 7)  # CMOS17 14.76
    note_et_al: ClassVar[tuple[int, int]] = (4, 1)  # CMOS17 14.76

    def in_bibliography(self, source: Source) -> bool:
        """The 17th edition lists conference papers and signed reference entries too."""
        kind = _kind(source)
        if kind == "paper":
            return True
        return super().in_bibliography(source)


def _more_names(source: Source) -> bool:
    """The record names only the first of several authors ("Dewey, John et al.")."""
    return source.extra.get("et_al") is True


def _has_apostrophe(source: Source) -> bool:
    """Whether any text of the record holds a straight quote or apostrophe (most hold none)."""
    return any(
        isinstance(v, str) and ("'" in v or '"' in v) for v in source.__dict__.values()
    ) or any("'" in (c.family or "") + (c.given or "") + (c.literal or "") for c in source.creators)


def _kind(source: Source) -> str:
    return KINDS.get(source.type, "book")


def _family(name: Name) -> str:
    return name.literal or name.family_full() or name.given or ""


def _english_title(source: Source, text: str | None) -> str:
    """Headline-style capitalisation for English titles only (CMOS 8.159)."""
    if not text:
        return ""
    if source.type in VERBATIM_TITLE:
        return text
    language = (source.language or "en").lower()
    return title_case(text) if language.startswith("en") else text


__all__ = ["KINDS", "ChicagoNotes", "ChicagoNotes17"]
