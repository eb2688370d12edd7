"""Sentence segmentation with character offsets, robust to initials, dates and abbreviations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pysbd

# Abbreviations after which pysbd still splits although the sentence goes on
# ("born c. 1879", "Vol. 2, No. 7", "see fig. 3"). Compared case-folded, without the period.
CONTINUING_ABBREVIATIONS = frozenset(
    {
        "c",
        "ca",
        "cf",
        "ch",
        "chap",
        "col",
        "d",
        "b",
        "ed",
        "eds",
        "fig",
        "figs",
        "fl",
        "fol",
        "fols",
        "n",
        "nn",
        "no",
        "nos",
        "p",
        "pp",
        "r",
        "sec",
        "st",
        "trans",
        "vol",
        "vols",
        "vs",
    }
)
_LAST_WORD = re.compile(r"(?:^|[\s(\[])([A-Za-z]+)\.\s*$")
_OPENING = re.compile(r"^[\s\"'“‘(\[]*")


@dataclass(frozen=True)
class Span:
    """A piece of text and where it sits: ``text == source[start:end]``."""

    text: str
    start: int
    end: int


@cache
def _segmenter() -> pysbd.Segmenter:
    import pysbd  # imported on first use: building its rules is not import-time work

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _continues(previous: str, following: str) -> bool:
    """True when pysbd cut after an abbreviation or before a lower-case word."""
    m = _LAST_WORD.search(previous)
    if m and m[1].casefold() in CONTINUING_ABBREVIATIONS:
        return True
    head = _OPENING.sub("", following)
    return bool(head) and head[0].islower()


def split_sentences(text: str, offset: int = 0) -> list[Span]:
    """Sentences of ``text`` with offsets (plus ``offset``); surrounding whitespace excluded.

    >>> [s.text for s in split_sentences("He was born c. 1879. He left.")]
    ['He was born c. 1879.', 'He left.']
    """
    return [Span(text[start:end], offset + start, offset + end) for start, end in _boundaries(text)]


@lru_cache(maxsize=4096)
def _boundaries(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence (start, end) pairs of a paragraph; cached, as a new version of an article
    mostly repeats the paragraphs of the last one."""
    if not text.strip():
        return ()
    pieces: list[tuple[int, int]] = []
    for seg in _segmenter().segment(text):
        start, end = seg.start, seg.end
        if pieces and _continues(text[pieces[-1][0] : pieces[-1][1]], text[start:end]):
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.append((start, end))
    spans = []
    for start, end in pieces:
        chunk = text[start:end]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk.rstrip())
        if trail > lead:
            spans.append((start + lead, start + trail))
    return tuple(spans)
