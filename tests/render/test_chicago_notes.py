"""Chicago notes-bibliography, 18th and 17th editions: the manual's own examples, the rules that
differ between editions, notes in sequence (full, short, Ibid.), and golden files.

Golden files live in ``golden/<style id>/``; after a deliberate change, regenerate them with
``CITEKIT_UPDATE_GOLDEN=1 pytest tests/render/test_chicago_notes.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from citekit.errors import UnsupportedFormat
from citekit.formats import csljson
from citekit.model import Locator, Source, validate_source
from citekit.render import render, render_bibliography, render_citation, render_notes
from citekit.render.styles import CitationItem, NoteTracker, Position, get_style, list_styles
from citekit.render.styles.base import chicago_collapse, page_range, short_title, title_case
from citekit.render.styles.chicago_notes import KINDS, ChicagoNotes, ChicagoNotes17

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
FIXTURES = GOLDEN / "chicago-notes-records.json"
DEMO = HERE.parents[1] / "references" / "trotsky-last-exile" / "sources.json"
STYLES = ("chicago-notes-bibliography", "chicago-notes-bibliography-17th-edition")
UPDATE = os.environ.get("CITEKIT_UPDATE_GOLDEN") == "1"

CMOS18 = ChicagoNotes()
CMOS17 = ChicagoNotes17()


def src(**data: object) -> Source:
    """A record with a key of its own (the note tracker tells sources apart by key)."""
    key = "".join(ch for ch in str(data.get("title", "untitled")) if ch.isascii() and ch.isalnum())[
        :40
    ]
    return validate_source({"key": key or "untitled", **data})


def person(family: str, given: str, role: str = "author") -> dict[str, str]:
    return {"family": family, "given": given, "role": role}


def bib(style: ChicagoNotes, source: Source, fmt: str = "text") -> str:
    return render(style.bibliography_entry(source), fmt)


def note(style: ChicagoNotes, source: Source, locator: str | None = None, **kw: object) -> str:
    item = CitationItem.of(source, locator)
    return render(style.cite([item], **kw), "text")  # type: ignore[arg-type]


def short(style: ChicagoNotes, source: Source, locator: str | None = None) -> str:
    return note(style, source, locator, position=Position.SUBSEQUENT)


# -- the manual's own examples (CMOS quick guide, 17th and 18th editions) -------------------------

SMITH = src(
    type="book",
    title="Swing Time",
    creators=[person("Smith", "Zadie")],
    publisher="Penguin Press",
    publisher_place="New York",
    issued="2016",
)
GRAZER = src(
    type="book",
    title="A Curious Mind: The Secret to a Bigger Life",
    creators=[person("Grazer", "Brian"), person("Fishman", "Charles")],
    publisher="Simon & Schuster",
    publisher_place="New York",
    issued="2015",
)
LAHIRI = src(
    type="book",
    title="In Other Words",
    creators=[person("Lahiri", "Jhumpa"), person("Goldstein", "Ann", "translator")],
    publisher="Alfred A. Knopf",
    publisher_place="New York",
    issued="2016",
)
THOREAU = src(
    type="chapter",
    title="Walking",
    creators=[person("Thoreau", "Henry David"), person("D’Agata", "John", "editor")],
    container_title="The Making of the American Essay",
    publisher="Graywolf Press",
    publisher_place="Minneapolis",
    issued="2016",
    page="167-95",
)
KENG = src(
    type="article-journal",
    title="Expanding College Access in Taiwan, 1978–2014: Effects on Graduate Quality and "
    "Income Inequality",
    creators=[
        person("Keng", "Shao-Hsun"),
        person("Lin", "Chun-Hung"),
        person("Orazem", "Peter F."),
    ],
    container_title="Journal of Human Capital",
    volume="11",
    issue="1",
    issued="Spring 2017",
    page="1-34",
    doi="10.1086/690235",
)
MANJOO = src(
    type="article-newspaper",
    title="Snap Makes a Bet on the Cultural Supremacy of the Camera",
    creators=[person("Manjoo", "Farhad")],
    container_title="New York Times",
    issued="2017-03-08",
    url="https://www.nytimes.com/2017/03/08/technology/snap-makes-a-bet-on-the-cultural-supremacy-of-the-camera.html",
)


def test_book_single_author_18th() -> None:
    assert note(CMOS18, SMITH, "315-16") == "Zadie Smith, Swing Time (Penguin Press, 2016), 315–16."
    assert short(CMOS18, SMITH, "320") == "Smith, Swing Time, 320."
    assert bib(CMOS18, SMITH) == "Smith, Zadie. Swing Time. Penguin Press, 2016."


def test_book_single_author_17th_keeps_the_place() -> None:
    assert note(CMOS17, SMITH, "315-16") == (
        "Zadie Smith, Swing Time (New York: Penguin Press, 2016), 315–16."
    )
    assert bib(CMOS17, SMITH) == "Smith, Zadie. Swing Time. New York: Penguin Press, 2016."


def test_book_two_authors() -> None:
    assert note(CMOS17, GRAZER, "188") == (
        "Brian Grazer and Charles Fishman, A Curious Mind: The Secret to a Bigger Life "
        "(New York: Simon & Schuster, 2015), 188."
    )
    assert short(CMOS17, GRAZER, "190") == "Grazer and Fishman, Curious Mind, 190."
    assert bib(CMOS18, GRAZER) == (
        "Grazer, Brian, and Charles Fishman. A Curious Mind: The Secret to a Bigger Life. "
        "Simon & Schuster, 2015."
    )


def test_translated_book() -> None:
    assert note(CMOS18, LAHIRI, "146") == (
        "Jhumpa Lahiri, In Other Words, trans. Ann Goldstein (Alfred A. Knopf, 2016), 146."
    )
    assert short(CMOS18, LAHIRI, "184") == "Lahiri, In Other Words, 184."
    assert bib(CMOS18, LAHIRI) == (
        "Lahiri, Jhumpa. In Other Words. Translated by Ann Goldstein. Alfred A. Knopf, 2016."
    )


def test_chapter_in_edited_book() -> None:
    assert note(CMOS17, THOREAU, "177-78") == (
        "Henry David Thoreau, “Walking,” in The Making of the American Essay, ed. John D’Agata "
        "(Minneapolis: Graywolf Press, 2016), 177–78."
    )
    assert short(CMOS17, THOREAU, "182") == "Thoreau, “Walking,” 182."
    assert bib(CMOS17, THOREAU) == (
        "Thoreau, Henry David. “Walking.” In The Making of the American Essay, edited by John "
        "D’Agata, 167–95. Minneapolis: Graywolf Press, 2016."
    )
    # The 18th edition leaves the chapter's page range out of the bibliography entry.
    assert bib(CMOS18, THOREAU) == (
        "Thoreau, Henry David. “Walking.” In The Making of the American Essay, edited by John "
        "D’Agata. Graywolf Press, 2016."
    )


def test_journal_article_17th() -> None:
    assert note(CMOS17, KENG, "30") == (
        "Shao-Hsun Keng, Chun-Hung Lin, and Peter F. Orazem, “Expanding College Access in "
        "Taiwan, 1978–2014: Effects on Graduate Quality and Income Inequality,” Journal of Human "
        "Capital 11, no. 1 (Spring 2017): 30, https://doi.org/10.1086/690235."
    )
    assert short(CMOS17, KENG, "35") == "Keng, Lin, and Orazem, “Expanding College Access,” 35."
    assert bib(CMOS17, KENG) == (
        "Keng, Shao-Hsun, Chun-Hung Lin, and Peter F. Orazem. “Expanding College Access in "
        "Taiwan, 1978–2014: Effects on Graduate Quality and Income Inequality.” Journal of Human "
        "Capital 11, no. 1 (Spring 2017): 1–34. https://doi.org/10.1086/690235."
    )


def test_journal_article_18th_three_authors_become_et_al_in_notes() -> None:
    assert note(CMOS18, KENG, "30").startswith("Shao-Hsun Keng et al., “Expanding")
    assert short(CMOS18, KENG, "35") == "Keng et al., “Expanding College Access,” 35."


def test_newspaper_article() -> None:
    assert note(CMOS17, MANJOO) == (
        "Farhad Manjoo, “Snap Makes a Bet on the Cultural Supremacy of the Camera,” New York "
        "Times, March 8, 2017, https://www.nytimes.com/2017/03/08/technology/"
        "snap-makes-a-bet-on-the-cultural-supremacy-of-the-camera.html."
    )
    assert short(CMOS17, MANJOO) == "Manjoo, “Snap Makes a Bet.”"
    assert bib(CMOS17, MANJOO) == (
        "Manjoo, Farhad. “Snap Makes a Bet on the Cultural Supremacy of the Camera.” New York "
        "Times, March 8, 2017. https://www.nytimes.com/2017/03/08/technology/"
        "snap-makes-a-bet-on-the-cultural-supremacy-of-the-camera.html."
    )


def test_italics_and_quotes_in_html_and_markdown() -> None:
    assert bib(CMOS18, LAHIRI, "html") == (
        "Lahiri, Jhumpa. <i>In Other Words</i>. Translated by Ann Goldstein. Alfred A. Knopf, 2016."
    )
    assert bib(CMOS17, MANJOO, "markdown").startswith(
        "Manjoo, Farhad. “Snap Makes a Bet on the Cultural Supremacy of the Camera.” "
        "*New York Times*, March 8, 2017. <https://www.nytimes.com/"
    )


def test_html_escapes_record_text() -> None:
    evil = src(type="book", title="<script>alert(1)</script>", publisher="A & B", issued="2001")
    html = bib(CMOS18, evil, "html")
    assert "<script>" not in html
    # (Title case applies to the text as to any English title; escaping is the point here.)
    assert html == "<i>&lt;Script&gt;alert(1)&lt;/Script&gt;</i>. A &amp; B, 2001."


# -- the demo article's records ---------------------------------------------------------------


def test_transcribed_magazine_article() -> None:
    stalin = src(
        type="article-magazine",
        title="Stalin Seeks My Death",
        creators=[person("Trotsky", "Leon"), person("Walters", "David", "transcriber")],
        container_title="Fourth International",
        volume="2",
        issue="7",
        issued="1941-08",
    )
    assert bib(CMOS17, stalin) == (
        "Trotsky, Leon. “Stalin Seeks My Death.” Transcribed by David Walters. "
        "Fourth International, August 1941."
    )
    assert note(CMOS17, stalin, "3") == (
        "Leon Trotsky, “Stalin Seeks My Death,” transcribed by David Walters, "
        "Fourth International, August 1941, 3."
    )


def test_image_with_access_date() -> None:
    image = src(
        type="graphic",
        title="Trotsky in 1918",
        container_title="Wikimedia Commons",
        url="https://commons.wikimedia.org/wiki/File:Trotsky_Portrait.jpg",
        accessed="2024-12-19",
    )
    assert bib(CMOS17, image) == (
        "Trotsky in 1918. In Wikimedia Commons. n.d. Accessed December 19, 2024. "
        "https://commons.wikimedia.org/wiki/File:Trotsky_Portrait.jpg."
    )
    assert note(CMOS17, image) == (
        "Trotsky in 1918, in Wikimedia Commons, n.d., accessed December 19, 2024, "
        "https://commons.wikimedia.org/wiki/File:Trotsky_Portrait.jpg."
    )


def test_web_page_with_date_gives_no_access_date() -> None:
    page = src(
        type="webpage",
        title="Trotsky in Exile",
        creators=[person("Patenaude", "Bertrand M.")],
        container_title="Hoover Institution",
        issued="2010-04-21",
        accessed="2024-12-18",
        url="https://www.hoover.org/research/trotsky-exile",
    )
    assert bib(CMOS18, page) == (
        "Patenaude, Bertrand M. “Trotsky in Exile.” Hoover Institution, April 21, 2010. "
        "https://www.hoover.org/research/trotsky-exile."
    )


# -- rules that differ between editions ---------------------------------------------------------


def authors(n: int) -> list[dict[str, str]]:
    names = "Ames Baker Cole Dunn Ellis Frost Grant Hale Irwin Jones Kemp".split()
    return [person(names[i], "Ann") for i in range(n)]


@pytest.mark.parametrize(
    ("style", "count", "expected"),
    [
        (CMOS18, 6, "Ames, Ann, Ann Baker, Ann Cole, Ann Dunn, Ann Ellis, and Ann Frost."),
        (CMOS18, 7, "Ames, Ann, Ann Baker, Ann Cole, et al."),
        (
            CMOS17,
            10,
            "Ames, Ann, Ann Baker, Ann Cole, Ann Dunn, Ann Ellis, Ann Frost, Ann Grant, "
            "Ann Hale, Ann Irwin, and Ann Jones.",
        ),
        (
            CMOS17,
            11,
            "Ames, Ann, Ann Baker, Ann Cole, Ann Dunn, Ann Ellis, Ann Frost, Ann Grant, et al.",
        ),
    ],
)
def test_et_al_in_the_bibliography(style: ChicagoNotes, count: int, expected: str) -> None:
    book = src(type="book", title="Work", creators=authors(count), issued="2000")
    assert bib(style, book).startswith(expected + " Work.")


@pytest.mark.parametrize(
    ("style", "count", "expected"),
    [
        (CMOS18, 2, "Ann Ames and Ann Baker, Work (2000)."),
        (CMOS18, 3, "Ann Ames et al., Work (2000)."),
        (CMOS17, 3, "Ann Ames, Ann Baker, and Ann Cole, Work (2000)."),
        (CMOS17, 4, "Ann Ames et al., Work (2000)."),
    ],
)
def test_et_al_in_notes(style: ChicagoNotes, count: int, expected: str) -> None:
    book = src(type="book", title="Work", creators=authors(count), issued="2000")
    assert note(style, book) == expected


def test_a_record_listing_only_the_first_of_several_authors() -> None:
    dewey = src(
        type="book",
        title="Not Guilty",
        issued="1938",
        extra={"et_al": True},
        creators=[person("Dewey", "John")],
    )
    assert bib(CMOS17, dewey) == "Dewey, John, et al. Not Guilty. 1938."
    assert note(CMOS17, dewey) == "John Dewey et al., Not Guilty (1938)."
    assert short(CMOS17, dewey) == "Dewey et al., Not Guilty."


def test_names_are_never_initialised() -> None:
    book = src(type="book", title="Work", creators=[person("Orazem", "Peter Francis")])
    assert "Peter Francis Orazem" in note(CMOS18, book)
    assert bib(CMOS18, book).startswith("Orazem, Peter Francis.")


def test_particles_and_suffixes() -> None:
    gaulle = src(
        type="book",
        title="Mémoires de guerre",
        language="fr",
        creators=[{"family": "Gaulle", "given": "Charles", "non-dropping-particle": "de"}],
        issued="1954",
    )
    assert bib(CMOS18, gaulle) == "Gaulle, Charles de. Mémoires de guerre. 1954."
    assert short(CMOS18, gaulle) == "De Gaulle, Mémoires de guerre."
    king = src(
        type="book",
        title="Strength to Love",
        issued="1963",
        creators=[{"family": "King", "given": "Martin Luther", "suffix": "Jr."}],
    )
    assert bib(CMOS18, king) == "King, Martin Luther, Jr. Strength to Love. 1963."
    assert note(CMOS18, king) == "Martin Luther King Jr., Strength to Love (1963)."


def test_editor_in_place_of_author() -> None:
    book = src(
        type="book",
        title="The Basic Writings of Trotsky",
        issued="1963",
        publisher="Random House",
        creators=[person("Howe", "Irving", "editor"), person("Coser", "Lewis", "editor")],
    )
    assert bib(CMOS18, book) == (
        "Howe, Irving, and Lewis Coser, eds. The Basic Writings of Trotsky. Random House, 1963."
    )
    assert note(CMOS18, book, "12") == (
        "Irving Howe and Lewis Coser, eds., The Basic Writings of Trotsky (Random House, 1963), 12."
    )
    assert short(CMOS18, book, "13") == "Howe and Coser, Basic Writings of Trotsky, 13."


def test_three_em_dash_for_a_repeated_author_is_an_option() -> None:
    my_life = src(type="book", title="My Life", creators=[person("Trotsky", "Leon")], issued="1960")
    betrayed = src(
        type="book",
        title="The Revolution Betrayed",
        issued="1937",
        creators=[person("Trotsky", "Leon")],
    )
    plain = render_bibliography([betrayed, my_life], style=CMOS17)
    assert plain.splitlines() == [
        "Trotsky, Leon. My Life. 1960.",
        "Trotsky, Leon. The Revolution Betrayed. 1937.",
    ]
    dashed = render_bibliography(
        [betrayed, my_life], style=ChicagoNotes17(repeated_author_dash=True)
    )
    assert dashed.splitlines()[1] == "———. The Revolution Betrayed. 1937."


# -- sorting and grouping --------------------------------------------------------------------


def test_sorting_ignores_leading_articles_and_accents() -> None:
    records = [
        src(type="book", title="The Zebra", creators=[person("Émile", "A")]),
        src(type="book", title="An Apple", creators=[person("Emile", "A")]),
        src(type="book", title="Middle", creators=[person("Dewey", "John")]),
        src(type="book", title="A Book Without Author"),
    ]
    lines = render_bibliography(records, style=CMOS18).splitlines()
    assert [line.split(".")[0] for line in lines] == [
        "A Book Without Author",
        "Dewey, John",
        "Emile, A",
        "Émile, A",
    ]


def test_single_author_works_come_before_coauthored_ones() -> None:
    records = [
        src(type="book", title="Alpha", creators=[person("Trotsky", "Leon"), person("Serge", "V")]),
        src(type="book", title="Zulu", creators=[person("Trotsky", "Leon")]),
        src(type="book", title="Beta", creators=[person("Trotsky", "Leon"), person("Adler", "A")]),
    ]
    lines = render_bibliography(records, style=CMOS18).splitlines()
    assert [line.split(". ")[1].rstrip(".") for line in lines] == ["Zulu", "Beta", "Alpha"]


def test_grouped_bibliography_uses_the_articles_order() -> None:
    records = [
        src(type="book", title="Secondary Work", group="secondary"),
        src(type="book", title="Letters", group="letters"),
        src(type="graphic", title="Photo"),
        src(type="book", title="Primary Work", group="primary"),
    ]
    text = render_bibliography(records, style=CMOS18, grouped=True)
    headings = [line for line in text.splitlines() if line and "." not in line]
    assert headings == ["Images", "Primary", "Secondary", "Letters"]
    html = render_bibliography(records, style=CMOS18, grouped=True, format="html")
    assert html.count("<h3>") == 4 and '<div class="csl-entry"><i>Photo</i>. n.d.</div>' in html
    only = render_bibliography(records, style=CMOS18, group="primary")
    assert only == "Primary Work.\n"


def test_unsigned_works() -> None:
    journal = src(
        type="article-journal",
        title="Unsigned Note",
        container_title="Slavic Review",
        volume="3",
        issue="2",
        issued="1932",
        page="12-14",
    )
    assert bib(CMOS18, journal) == "“Unsigned Note.” Slavic Review 3, no. 2 (1932): 12–14."
    paper = src(
        type="article-newspaper",
        title="Trotsky Dies",
        container_title="New York Times",
        issued="1940-08-22",
    )
    # An unsigned newspaper article is listed under the paper's name (CMOS 14.89).
    assert bib(CMOS18, paper) == "New York Times. “Trotsky Dies.” August 22, 1940."
    assert short(CMOS18, paper) == "New York Times, “Trotsky Dies.”"


def test_reference_works_and_personal_communications_stay_in_the_notes() -> None:
    britannica = src(
        type="entry-encyclopedia",
        title="Leon Trotsky",
        container_title="Encyclopaedia Britannica",
        issued="2023-08-17",
    )
    email = src(
        type="personal_communication",
        title="Email message to the author",
        creators=[person("Volkov", "Esteban")],
        issued="2024-01-05",
    )
    assert render_bibliography([britannica, email], style=CMOS18) == ""
    assert note(CMOS18, email) == (
        "Esteban Volkov, “Email Message to the Author,” personal communication, January 5, 2024."
    )


# -- notes in sequence ------------------------------------------------------------------------


def test_ibid_and_short_notes_in_sequence() -> None:
    notes = render_notes(
        [
            [CitationItem.of(SMITH, "315")],
            [CitationItem.of(SMITH, "315")],
            [CitationItem.of(SMITH, "320")],
            [CitationItem.of(LAHIRI, "146")],
            [CitationItem.of(SMITH, "321")],
            [CitationItem.of(SMITH)],
            [CitationItem.of(SMITH, "322"), CitationItem.of(LAHIRI, "147")],
            [CitationItem.of(LAHIRI, "147")],
        ],
        style=CMOS18,
    )
    assert notes == [
        "Zadie Smith, Swing Time (Penguin Press, 2016), 315.",
        "Ibid.",
        "Ibid., 320.",
        "Jhumpa Lahiri, In Other Words, trans. Ann Goldstein (Alfred A. Knopf, 2016), 146.",
        "Smith, Swing Time, 321.",
        # A note without a locator after one with a locator cannot be "Ibid." (it would repeat
        # page 321): the short form is used.
        "Smith, Swing Time.",
        "Smith, Swing Time, 322; Lahiri, In Other Words, 147.",
        # The previous note cited two sources, so no "Ibid." (CMOS 14.34).
        "Lahiri, In Other Words, 147.",
    ]


def test_tracker_positions() -> None:
    tracker = NoteTracker()
    a, b = CitationItem.of(SMITH, "1"), CitationItem.of(LAHIRI, "1")
    assert tracker.positions([a]) == [Position.FIRST]
    assert tracker.positions([CitationItem.of(SMITH, "2")]) == [Position.IBID_WITH_LOCATOR]
    assert tracker.positions([b, a]) == [Position.FIRST, Position.SUBSEQUENT]
    assert tracker.positions([a]) == [Position.SUBSEQUENT]
    tracker.reset()
    assert tracker.positions([a]) == [Position.FIRST]


def test_ibid_after_a_prefix_is_lower_case() -> None:
    item = CitationItem(SMITH, Locator.parse("12"), prefix="See ")
    assert render_citation([item], style=CMOS18, position=Position.IBID_WITH_LOCATOR) == (
        "See ibid., 12."
    )


def test_ibid_can_be_switched_off() -> None:
    style = ChicagoNotes(ibid=False)
    assert note(style, SMITH, "3", position=Position.IBID) == "Smith, Swing Time, 3."


def test_locators_prefix_and_suffix() -> None:
    item = CitationItem(SMITH, Locator.parse("chap. 4"), prefix="See ", suffix=", for the voyage")
    assert render_citation([item], style=CMOS18, position=Position.SUBSEQUENT) == (
        "See Smith, Swing Time, chap. 4, for the voyage."
    )
    assert short(CMOS18, SMITH, "fig. 3") == "Smith, Swing Time, fig. 3."
    assert short(CMOS18, SMITH, "pp. 726-769") == "Smith, Swing Time, 726–69."
    assert short(CMOS18, SMITH, "fol. 12r-13v") == "Smith, Swing Time, fols. 12r–13v."


def test_no_doubled_punctuation() -> None:
    asking = src(
        type="article-journal",
        title="Who Killed Trotsky?",
        container_title="Past",
        volume="3",
        issued="1999",
        creators=[person("Roe", "Ann")],
    )
    assert bib(CMOS18, asking) == "Roe, Ann. “Who Killed Trotsky?” Past 3 (1999)."
    assert note(CMOS18, asking, "5") == "Ann Roe, “Who Killed Trotsky?,” Past 3 (1999): 5."
    abbreviated = src(
        type="book",
        title="Work",
        issued="2000",
        creators=[{"family": "Roe", "given": "Ann", "suffix": "Jr."}],
    )
    assert bib(CMOS18, abbreviated) == "Roe, Ann, Jr. Work. 2000."


# -- helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    # CMOS 9.64's own table of inclusive numbers.
    [
        ("3", "10", "10"),
        ("71", "72", "72"),
        ("96", "117", "117"),
        ("100", "104", "104"),
        ("1100", "1113", "1113"),
        ("101", "108", "8"),
        ("808", "833", "33"),
        ("1103", "1104", "4"),
        ("321", "328", "28"),
        ("498", "532", "532"),
        ("1087", "1089", "89"),
        ("1496", "1500", "500"),
        ("11564", "11615", "615"),
        ("12991", "13001", "3001"),
        ("726", "769", "69"),
        ("321", "28", "28"),
    ],
)
def test_page_ranges(first: str, last: str, expected: str) -> None:
    assert chicago_collapse(first, last) == expected


def test_page_range_text() -> None:
    assert page_range("3-10, 101-108") == "3–10, 101–8"
    assert page_range("xii-xv") == "xii–xv"
    assert page_range("S12") == "S12"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("the red book: on the moscow trials", "The Red Book: On the Moscow Trials"),
        ("trotsky in 1918", "Trotsky in 1918"),
        ("TROTSKY IN EXILE", "Trotsky in Exile"),
        ("life of the USSR", "Life of the USSR"),
        ("a tale of two cities", "A Tale of Two Cities"),
        ("what is it for?", "What Is It For?"),
    ],
)
def test_title_case(title: str, expected: str) -> None:
    assert title_case(title) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("A Curious Mind: The Secret to a Bigger Life", "Curious Mind"),
        ("In Other Words", "In Other Words"),
        ("Snap Makes a Bet on the Cultural Supremacy of the Camera", "Snap Makes a Bet"),
        ("The Life and Death of Leon Trotsky", "Life and Death"),
    ],
)
def test_short_title(title: str, expected: str) -> None:
    assert short_title(src(type="book", title=title)) == expected


def test_registry() -> None:
    assert isinstance(get_style("chicago"), ChicagoNotes)
    assert isinstance(get_style("chicago-notes-bibliography-17th-edition"), ChicagoNotes17)
    ids = {s["id"] for s in list_styles()}
    assert set(STYLES) <= ids
    with pytest.raises(UnsupportedFormat):
        get_style("no-such-style-anywhere")


def test_every_item_type_renders() -> None:
    for kind in KINDS:
        source = src(
            type=kind.value, title="Title", container_title="Container", url="https://x.org"
        )
        for style in (CMOS17, CMOS18):
            assert render(style.bibliography_entry(source), "text").rstrip("”").endswith(".")
            assert note(style, source, "4").rstrip("”").endswith(".")


# -- golden files -----------------------------------------------------------------------------


def _records(dataset: str) -> list[Source]:
    if dataset == "fixtures":
        return [validate_source(r) for r in json.loads(FIXTURES.read_text(encoding="utf-8"))]
    return csljson.parse(DEMO.read_text(encoding="utf-8")).records


def _golden_text(style_id: str, dataset: str, fmt: str) -> str:
    style = get_style(style_id)
    records = _records(dataset)
    grouped = dataset == "demo"
    out = [render_bibliography(records, style=style, format=fmt, grouped=grouped)]
    # Each source cited three times: full note, Ibid. with a new page, then (after the next
    # source) a short note.
    sequence: list[list[CitationItem]] = []
    for i, source in enumerate(records):
        sequence += [[CitationItem.of(source, "45")], [CitationItem.of(source, "46")]]
        if i:
            sequence.append([CitationItem.of(records[i - 1], "47")])
    notes = render_notes(sequence, style=style, format=fmt)
    out.append("\n".join(f"{n}. {text}" for n, text in enumerate(notes, 1)) + "\n")
    return "\n".join(out)


GOLDEN_CASES = [
    (style, dataset, fmt)
    for style in STYLES
    for dataset in ("fixtures", "demo")
    for fmt in ("text", "html", "markdown")
]
SUFFIX = {"text": "txt", "html": "html", "markdown": "md"}


@pytest.mark.parametrize(("style_id", "dataset", "fmt"), GOLDEN_CASES)
def test_golden(style_id: str, dataset: str, fmt: str) -> None:
    if dataset == "demo" and not DEMO.exists():
        pytest.skip("the demo library is not there")
    path = GOLDEN / style_id / f"{dataset}.{SUFFIX[fmt]}"
    actual = _golden_text(style_id, dataset, fmt)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")
