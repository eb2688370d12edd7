"""The rich-text tree and its punctuation rules."""

from __future__ import annotations

import pytest

from citekit.render import render
from citekit.render.text import (
    EMPTY,
    Emph,
    Quoted,
    Seq,
    Text,
    emph,
    join,
    link,
    punctuate,
    quoted,
    sentence,
    seq,
    smarten,
)


def plain(node) -> str:
    return render(node, "text")


@pytest.mark.parametrize(
    ("before", "mark", "expected"),
    [
        ("2010", ".", "2010."),
        ("2010.", ".", "2010."),
        ("Who Killed Trotsky?", ".", "Who Killed Trotsky?"),
        ("Exile!", ".", "Exile!"),
        ("Trotsky, Leon", ",", "Trotsky, Leon,"),
        ("Trotsky, Leon,", ",", "Trotsky, Leon,"),
        ("Martin Luther King Jr.", ",", "Martin Luther King Jr.,"),
        ("Vol. 2", ";", "Vol. 2;"),
        ("", ".", ""),
    ],
)
def test_punctuate_never_doubles(before: str, mark: str, expected: str) -> None:
    assert plain(punctuate(before, mark)) == expected


def test_period_and_comma_go_inside_closing_quotes() -> None:
    assert plain(punctuate(quoted("Trotsky in Exile"), ",")) == "“Trotsky in Exile,”"
    assert plain(punctuate(quoted("Trotsky in Exile"), ".")) == "“Trotsky in Exile.”"


def test_semicolon_and_colon_stay_outside_quotes() -> None:
    assert plain(punctuate(quoted("Exile"), ";")) == "“Exile”;"
    assert plain(punctuate(quoted("Exile"), ":")) == "“Exile”:"


def test_question_mark_inside_quotes_swallows_the_period() -> None:
    assert plain(punctuate(quoted("Who Killed Trotsky?"), ".")) == "“Who Killed Trotsky?”"


def test_nested_quotes_take_the_period_inside_both() -> None:
    node = punctuate(quoted("Review of ", quoted("My Life")), ".")
    assert plain(node) == "“Review of ‘My Life.’”"


def test_period_after_italic_title_stays_roman() -> None:
    node = punctuate(emph("My Life"), ".")
    assert render(node, "html") == "<i>My Life</i>."
    assert render(punctuate(emph("Why?"), "."), "html") == "<i>Why?</i>"


def test_join_drops_empty_parts() -> None:
    node = join(["London", None, "", EMPTY, "Faber and Faber"], ": ")
    assert plain(node) == "London: Faber and Faber"


def test_join_with_end_and_quotes() -> None:
    node = join(["Cavendish, Richard", quoted("Trotsky Offered Asylum"), "History Today"], ". ")
    assert (
        plain(punctuate(node, "."))
        == "Cavendish, Richard. “Trotsky Offered Asylum.” History Today."
    )


def test_sentence() -> None:
    assert (
        plain(sentence("Trotsky, Leon", emph("My Life"), "1960")) == "Trotsky, Leon. My Life. 1960."
    )


def test_seq_of_nothing_is_empty() -> None:
    assert not seq(None, "", EMPTY)
    assert seq("a") == Text("a")
    assert seq("a", "b") == Seq((Text("a"), Text("b")))


def test_link_without_url_is_its_label() -> None:
    assert plain(link(None, "label")) == "label"
    assert plain(link("https://example.org/x")) == "https://example.org/x"


def test_nodes_are_immutable_and_comparable() -> None:
    assert emph("x") == Emph((Text("x"),))
    assert quoted("x") == Quoted((Text("x"),))
    with pytest.raises(AttributeError):
        Text("x").text = "y"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Trotsky's Diary", "Trotsky’s Diary"),
        ("the Bolsheviks' rise", "the Bolsheviks’ rise"),
        ("'Tis the '90s", "’Tis the ’90s"),
        ('The "Permanent Revolution"', "The “Permanent Revolution”"),
        ("Trotsky's 'Testament'", "Trotsky’s “Testament”"),
    ],
)
def test_smart_quotes(raw: str, expected: str) -> None:
    assert plain(smarten(Text(raw))) == expected


def test_smart_quotes_nest_inside_a_quotation() -> None:
    node = smarten(quoted('Trotsky and the "Permanent Revolution"'))
    assert plain(node) == "“Trotsky and the ‘Permanent Revolution’”"


def test_smart_quotes_leave_links_alone() -> None:
    url = "https://example.org/it's"
    assert smarten(link(url)) == link(url)
