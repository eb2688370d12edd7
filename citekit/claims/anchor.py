"""Anchors (web-annotation quote and position selectors) and re-anchoring on a new text.

A claim is found again in a new version of its article in three steps, as annotation tools do:
the same offsets still hold the same quote; else the exact quote occurs elsewhere (the
occurrence whose context matches best, then the nearest, wins); else the best fuzzy candidate
among the new text's claims, scored on quote, prefix, suffix and distance. What cannot be found
is an orphan: kept and reported, never dropped.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from rapidfuzz import fuzz, process

from citekit.claims.article import ClaimSpan, claim_spans, parse_article
from citekit.model.article import Anchor, Claim

CONTEXT = 32
# Weights of the fuzzy score; the quote dominates, the context breaks ties between similar
# sentences, and distance only nudges (paragraphs do move).
QUOTE_WEIGHT = 0.6
PREFIX_WEIGHT = 0.15
SUFFIX_WEIGHT = 0.15
DISTANCE_WEIGHT = 0.1
FUZZY_THRESHOLD = 0.6
MIN_QUOTE_SIMILARITY = 0.5
FUZZY_CANDIDATES = 20  # closest quotes scored in full per lost claim


def make_anchor(text: str, start: int, end: int, context: int = CONTEXT) -> Anchor:
    """The anchor of ``text[start:end]`` with up to ``context`` characters either side."""
    return Anchor(
        exact=text[start:end],
        prefix=text[max(0, start - context) : start],
        suffix=text[end : end + context],
        start=start,
        end=end,
    )


class Method(StrEnum):
    """How a claim was found again."""

    POSITION = "position"
    QUOTE = "quote"
    FUZZY = "fuzzy"
    ORPHAN = "orphan"


@dataclass(frozen=True)
class AnchorMatch:
    """Where an old anchor landed in the new text (``anchor`` is None for an orphan)."""

    old: Anchor
    anchor: Anchor | None
    method: Method
    score: float

    @property
    def found(self) -> bool:
        return self.anchor is not None


@dataclass(frozen=True)
class Reanchoring:
    """The outcome for every old anchor, and the new text's claims that match none of them."""

    matches: list[AnchorMatch]
    new_spans: list[ClaimSpan] = field(default_factory=list)

    @property
    def orphans(self) -> list[AnchorMatch]:
        return [m for m in self.matches if not m.found]

    @property
    def found_share(self) -> float:
        """Share of old anchors found again (1.0 when there were none)."""
        return 1.0 - len(self.orphans) / len(self.matches) if self.matches else 1.0

    def counts(self) -> dict[str, int]:
        """Number of anchors per method, plus ``new`` claims."""
        out = {m.value: 0 for m in Method}
        for match in self.matches:
            out[match.method.value] += 1
        out["new"] = len(self.new_spans)
        return out


def _similarity(a: str, b: str) -> float:
    return fuzz.ratio(a, b) / 100.0 if a or b else 1.0


def _context_score(old: Anchor, text: str, start: int, end: int) -> float:
    """How well the text around ``[start, end)`` matches the old prefix and suffix (0..1)."""
    prefix = text[max(0, start - len(old.prefix)) : start]
    suffix = text[end : end + len(old.suffix)]
    return (_similarity(old.prefix, prefix) + _similarity(old.suffix, suffix)) / 2


class _Taken:
    """Stretches of the new text already given to a claim; overlap checks by bisection."""

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []

    def add(self, start: int, end: int) -> None:
        insort(self._spans, (start, end))

    def overlaps(self, start: int, end: int) -> bool:
        # Claims do not overlap one another, so only the stretches just before ``end`` matter.
        at = bisect_left(self._spans, (end, -1))
        return any(s < end and start < e for s, e in self._spans[max(0, at - 2) : at])


def _by_quote(old: Anchor, text: str, taken: _Taken) -> tuple[int, float] | None:
    """The free occurrence of the exact quote with the best context, then the nearest."""
    best: tuple[float, int, int] | None = None
    at = text.find(old.exact)
    while at != -1:
        if taken.overlaps(at, at + len(old.exact)):
            at = text.find(old.exact, at + 1)
            continue
        context = _context_score(old, text, at, at + len(old.exact))
        rank = (context, -abs(at - old.start), at)
        if best is None or rank > best:
            best = rank
        at = text.find(old.exact, at + 1)
    return (best[2], best[0]) if best else None


def _fuzzy_score(old: Anchor, text: str, span: ClaimSpan) -> float:
    quote = _similarity(old.exact, span.text)
    if quote < MIN_QUOTE_SIMILARITY:
        return 0.0
    prefix = _similarity(old.prefix, text[max(0, span.start - len(old.prefix)) : span.start])
    suffix = _similarity(old.suffix, text[span.end : span.end + len(old.suffix)])
    distance = 1.0 - min(1.0, abs(span.start - old.start) / max(len(text), 1))
    return (
        QUOTE_WEIGHT * quote
        + PREFIX_WEIGHT * prefix
        + SUFFIX_WEIGHT * suffix
        + DISTANCE_WEIGHT * distance
    )


def claims_from_spans(article_id: str, text: str, spans: Sequence[ClaimSpan]) -> list[Claim]:
    """New claims (no id yet) for ``spans`` of ``text``, each anchored."""
    return [
        Claim(
            article_id=article_id,
            section=span.section,
            kind=span.kind,
            text=span.text,
            anchor=make_anchor(text, span.start, span.end),
        )
        for span in spans
    ]


def reanchor(
    anchors: Sequence[Anchor], text: str, spans: Sequence[ClaimSpan] | None = None
) -> Reanchoring:
    """Find every anchor again in ``text``; ``spans`` are its claims (segmented if not given).

    Each new claim span is claimed by at most one old anchor; fuzzy matches are assigned best
    score first, so a reworded sentence does not steal its neighbour's place.
    """
    if spans is None:
        spans = claim_spans(parse_article(text))
    results: dict[int, AnchorMatch] = {}
    taken = _Taken()
    pending: list[int] = []
    for i, old in enumerate(anchors):
        if text[old.start : old.end] == old.exact and old.exact:
            results[i] = AnchorMatch(old, make_anchor(text, old.start, old.end), Method.POSITION, 1)
            taken.add(old.start, old.end)
            continue
        found = _by_quote(old, text, taken) if old.exact else None
        if found is not None:
            at, context = found
            end = at + len(old.exact)
            results[i] = AnchorMatch(old, make_anchor(text, at, end), Method.QUOTE, context)
            taken.add(at, end)
        else:
            pending.append(i)
    free = [s for s in spans if not taken.overlaps(s.start, s.end)]
    texts = [s.text for s in free]
    scored = []
    for i in pending:
        # rapidfuzz picks the spans whose quote is close enough; only those get the full score
        for _, _, j in process.extract(
            anchors[i].exact,
            texts,
            scorer=fuzz.ratio,
            score_cutoff=MIN_QUOTE_SIMILARITY * 100,
            limit=FUZZY_CANDIDATES,
        ):
            score = _fuzzy_score(anchors[i], text, free[j])
            if score >= FUZZY_THRESHOLD:
                scored.append((score, i, j))
    scored.sort(reverse=True)
    used: set[int] = set()
    for score, i, j in scored:
        if i in results or j in used:
            continue
        span = free[j]
        results[i] = AnchorMatch(
            anchors[i], make_anchor(text, span.start, span.end), Method.FUZZY, score
        )
        used.add(j)
        taken.add(span.start, span.end)
    for i in pending:
        results.setdefault(i, AnchorMatch(anchors[i], None, Method.ORPHAN, 0.0))
    new_spans = [s for s in spans if not taken.overlaps(s.start, s.end)]
    return Reanchoring([results[i] for i in range(len(anchors))], new_spans)
