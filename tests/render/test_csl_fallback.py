"""The citeproc-py fallback: any CSL style by id; its failures are RenderErrors, not tracebacks."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from citekit.errors import RenderError, UnsupportedFormat
from citekit.model import Source, validate_source
from citekit.render import render_bibliography, render_citation
from citekit.render.styles import CitationItem, get_style
from citekit.render.styles.csl import CslStyle, csl_styles, load_csl_style, parse_marked
from citekit.render.text import Emph, Link

RECORDS = Path(__file__).parent / "golden" / "records-every-type.json"


@pytest.fixture(scope="module")
def records() -> list[Source]:
    return [validate_source(r) for r in json.loads(RECORDS.read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def by_key(records: list[Source]) -> dict[str, Source]:
    return {r.key: r for r in records if r.key}


def test_lists_independent_and_dependent_styles_with_titles() -> None:
    styles = csl_styles()
    assert len(styles) > 5000
    for style_id in ("ieee", "nature", "harvard-cite-them-right", "nature-chemistry"):
        assert styles[style_id], style_id
    assert styles["ieee"].startswith("IEEE Reference Guide")


def test_registry_falls_back_to_csl_and_rejects_unknown_ids() -> None:
    style = get_style("nature")
    assert isinstance(style, CslStyle)
    assert style.kind == "author-date"  # in-text (numeric) as opposed to a note style
    assert load_csl_style("chicago-notes-bibliography-17th-edition").kind == "note"
    with pytest.raises(UnsupportedFormat, match="no-such-style"):
        get_style("no-such-style")
    with pytest.raises(UnsupportedFormat):
        load_csl_style("../../etc/passwd")


def test_ieee_bibliography_is_numbered_in_citation_order(by_key: dict[str, Source]) -> None:
    sources = [by_key["deutscher1963prophet"], by_key["cavendish2011trotsky"]]
    text = render_bibliography(sources, style="ieee")
    assert text.splitlines() == [
        "[1]I. Deutscher, The Prophet Outcast: Trotsky, 1929–1940. London: Oxford University "
        "Press, 1963.",
        # citeproc-py puts the comma outside the closing quote (a known limit of the engine)
        "[2]R. Cavendish, “Trotsky Offered Asylum in Mexico”, History Today, vol. 61, no. 12, "
        "Dec. 2011, [Online]. Available: "
        "https://www.historytoday.com/archive/trotsky-offered-asylum-mexico",
    ]


def test_author_date_style_sorts_and_cites_with_locator(by_key: dict[str, Source]) -> None:
    sources = [by_key["patenaude2010trotsky"], by_key["deutscher1963prophet"]]
    text = render_bibliography(sources, style="harvard-cite-them-right")
    assert text.splitlines()[0].startswith("Deutscher, I. (1963) The Prophet Outcast")
    cite = render_citation(
        [CitationItem.of(by_key["deutscher1963prophet"], "p. 45")], style="harvard-cite-them-right"
    )
    assert cite == "(Deutscher, 1963, p. 45)"


def test_dependent_style_renders_through_its_parent(by_key: dict[str, Source]) -> None:
    entry = get_style("nature-chemistry").bibliography([by_key["deutscher1963prophet"]])[0]
    assert "Deutscher, I." in entry.plain()


def test_markup_in_fields_is_text_and_is_escaped_by_the_backend() -> None:
    hostile = validate_source(
        {
            "type": "webpage",
            "title": "Fish & Chips <script>alert(1)</script> \ue000",
            "URL": "https://example.org/?a=1&b=2",
        }
    )
    html = render_bibliography([hostile], style="ieee", format="html")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Fish &amp; Chips" in html
    assert "\ue000" not in html
    assert 'href="https://example.org/?a=1&amp;b=2"' in html


def test_styled_output_becomes_tree_nodes() -> None:
    tree = parse_marked("[1]\ue000The Prophet\ue001. Available: https://example.org/x.")
    assert tree.plain() == "[1]The Prophet. Available: https://example.org/x."
    kinds = [type(child) for child in tree.children]  # type: ignore[attr-defined]
    assert Emph in kinds and Link in kinds
    link = next(c for c in tree.children if isinstance(c, Link))  # type: ignore[attr-defined]
    assert link.url == "https://example.org/x"  # the sentence's period is not part of the URL


def test_engine_crash_names_style_and_entry(by_key: dict[str, Source]) -> None:
    # citeproc-py 0.11 crashes on this style's text-case handling ('str' has no capitalize_first)
    style_id = "institut-national-de-sante-publique-du-quebec-napp"
    with pytest.raises(RenderError) as caught:
        get_style(style_id).bibliography([by_key["deutscher1963prophet"]])
    message = str(caught.value)
    assert style_id in message and "deutscher1963prophet" in message


def test_dropped_entry_names_style_and_entry(by_key: dict[str, Source]) -> None:
    # this style renders nothing for a graphic with no creator and no date
    style_id = "societe-archeologique-de-bordeaux"
    sources = [by_key["deutscher1963prophet"], by_key["trotsky1918portrait"]]
    with pytest.raises(RenderError) as caught:
        get_style(style_id).bibliography(sources)
    message = str(caught.value)
    assert style_id in message and "trotsky1918portrait" in message and "dropped" in message


def test_citation_needs_a_source() -> None:
    with pytest.raises(RenderError):
        get_style("ieee").cite([])


@pytest.mark.parametrize("seed", [7])
def test_random_styles_render_or_fail_cleanly(records: list[Source], seed: int) -> None:
    """Over a sample of styles, every entry renders or a RenderError says why; no other error."""
    sample = random.Random(seed).sample(sorted(csl_styles()), 12)
    for style_id in sample:
        style = get_style(style_id)
        try:
            entries = style.bibliography(records)
        except RenderError as exc:
            assert style_id in str(exc)
            continue
        assert len(entries) == len(records), style_id
        assert all(entry.plain().strip() for entry in entries), style_id


def test_dropped_entry_in_the_middle_is_the_one_named(records: list[Source]) -> None:
    # the CSL Chicago author-date style renders nothing for a personal communication; citeproc-py
    # skips it silently, so entries must not be matched to sources by position
    email = validate_source(
        {
            "key": "sedova1940email",
            "type": "personal_communication",
            "title": "Message to the author",
            "creators": [{"family": "Sedova", "given": "Natalia"}],
            "issued": "1940-09-01",
        }
    )
    with pytest.raises(RenderError) as caught:
        load_csl_style("chicago-author-date").bibliography([*records, email])
    message = str(caught.value)
    assert "dropped 1 of 22 entries" in message and "sedova1940email" in message
    assert "hansen1994exile" not in message
