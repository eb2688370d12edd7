"""Citation suggestions: for a claim, the sources that may back it, ranked, each with reasons.

Signals (each a :class:`Reason` with its weight): a creator's family name in the claim (fuzzy,
so "Volkogonov" finds "Volkognov"), a title or short title in the claim, a caption matching an
image's title, an event or period shared with a title (word pairs such as "moscow trials",
"asylum mexico") or a year inside the years a title or date covers, and term overlap scored by
BM25 over titles, notes and abstracts.

BM25 is computed here over the postings the candidate picking needs anyway: ``bm25s`` took 3 s
to index 50,000 short records (again after every change to the library) where the postings
take a fraction of that, and a query only reads the postings of the claim's words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from math import log

from anyascii import anyascii
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from citekit.model.article import Claim, ClaimKind
from citekit.model.dates import PartialDate
from citekit.model.names import CreatorRole
from citekit.model.source import IMAGE_TYPES, Source

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very via was we were what when
    where which while who whom why will with would you your s t""".split()
)
# Roles whose names a writer mentions when citing a work ("Service illustrates that ...").
NAMED_ROLES = frozenset(
    {
        CreatorRole.AUTHOR,
        CreatorRole.EDITOR,
        CreatorRole.CONTRIBUTOR,
        CreatorRole.ORIGINAL_AUTHOR,
        CreatorRole.CHAIR,
    }
)


class ReasonKind(StrEnum):
    CREATOR = "creator"
    TITLE = "title"
    CAPTION = "caption"
    EVENT = "event"
    DATE = "date"
    TERMS = "terms"


# How much each signal counts; a title or a caption match outweighs everything else.
WEIGHTS: dict[ReasonKind, float] = {
    ReasonKind.CREATOR: 3.0,
    ReasonKind.TITLE: 4.0,
    ReasonKind.CAPTION: 5.0,
    ReasonKind.EVENT: 1.5,
    ReasonKind.DATE: 1.0,
    ReasonKind.TERMS: 1.5,
}
TITLE_SIMILARITY = 92
MIN_CAPTION_SCORE = 0.34
DATED_SHARE = 0.75  # a source made in the claim's year, against a title naming that year
MIN_TERMS = 0.1  # below this share of the terms weight, word overlap alone suggests nothing
BM25_K1 = 1.5
BM25_B = 0.75
PREVIOUS_SHARE = 0.75  # a work named in the sentence before, when the claim says "the book"
TERMS_HALF = 2.0  # the BM25 score that earns half the terms weight
_WORD = re.compile(r"[a-z0-9]+")
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z'-]{2,}")
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
_YEAR_RANGE = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\s*[-–—/]\s*([0-9]{2,4})\b")
# A claim that refers back to a work named in the sentence before it.
_WORK_REFERENCE = re.compile(
    r"\b(?:the|this|that|his|her|their|its)\s+(?:book|report|work|article|diary|memoirs?|"
    r"biography|study|essay|pamphlet|volume|letter|autobiography|verdict|findings)\b",
    re.IGNORECASE,
)
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_TITLE_PARTS = re.compile(r"\s*(?::|\s[-–—]\s|-\s|\.\s)\s*")


@dataclass(frozen=True)
class Reason:
    """Why a source was suggested: ``Reason(ReasonKind.TITLE, "The Revolution Betrayed", 4.0)``."""

    kind: ReasonKind
    detail: str
    weight: float


@dataclass(frozen=True)
class Suggestion:
    """A candidate source for a claim, its score and the reasons behind it."""

    source: Source
    score: float
    reasons: tuple[Reason, ...]


def fold(text: str) -> str:
    """Lower case ASCII: ``“Trotsky’s Ramón”`` → ``"trotsky's ramon"``."""
    return anyascii(text).casefold()


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """Plural and possessive endings off, so "trials" meets "trial"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Content words of ``text``, folded and stemmed, in order."""
    return [_stem(w) for w in _WORD.findall(fold(text)) if w not in STOPWORDS]


def _same_name(name: str, word: str) -> bool:
    """Equal, or one typo apart in a long name ("volkogonov" ~ "volkognov", not "serge")."""
    if name == word:
        return True
    allowed = 2 if len(name) >= 10 else 1 if len(name) >= 6 else 0
    return allowed > 0 and Levenshtein.distance(name, word, score_cutoff=allowed) <= allowed


def _pairs(words: Sequence[str]) -> set[tuple[str, str]]:
    return set(pairwise(words))


def _title_phrases(source: Source) -> list[str]:
    """Title, short title, and the title's main part and subtitle (split at a colon or dash)."""
    phrases = [t for t in (source.title, source.title_short) if t]
    if source.title:
        parts = _TITLE_PARTS.split(source.title, maxsplit=1)
        if len(parts) == 2:
            phrases += [p for p in parts if p]
    return phrases


def year_spans(text: str) -> list[tuple[int, int, str]]:
    """Year spans a text names ("1929-1940", "1933-35", "1935"), with the words naming them."""
    spans = []
    for m in _YEAR_RANGE.finditer(text):
        start, end_text = int(m[1]), m[2]
        end = int(m[1][: 4 - len(end_text)] + end_text)
        if end >= start:
            spans.append((start, end, m[0]))
    if not spans:
        spans = [(int(y), int(y), y) for y in _YEAR.findall(text)]
    return spans


def _source_text(source: Source) -> str:
    """What term overlap is scored on."""
    keywords = source.extra.get("keywords") or source.extra.get("keyword")
    parts: Iterable[object] = (
        source.title,
        source.title_short,
        source.container_title,
        source.collection_title,
        source.event_title,
        source.genre,
        source.abstract,
        source.note,
        keywords if isinstance(keywords, str) else None,
    )
    return " ".join(str(p) for p in parts if p)


def is_image(source: Source) -> bool:
    """An image source, by group or by type."""
    return source.group == "image" or source.type in IMAGE_TYPES


class Suggester:
    """Ranks a library's sources for claims; build once per library, ask per claim."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self.sources = list(sources)
        self._terms = [terms(_source_text(s)) for s in self.sources]
        self._title_terms = [terms(s.title or "") for s in self.sources]
        # Each source's named creators with their folded family names, worked out once.
        self._names = [
            [(n, fold(n.family_full())) for n in self._named(source)] for source in self.sources
        ]
        families: Counter[str] = Counter()
        for named in self._names:
            families.update({family for _, family in named})
        self._family_count = families
        title_words = Counter(w for ws in self._title_terms for w in set(ws))
        # A name most titles carry is the library's subject, not a pointer to one work.
        self._subjects = {f for f in families if title_words[_stem(f)] >= 2}
        self._subject_words = {
            _stem(w)
            for named in self._names
            for n, family in named
            if family in self._subjects
            for w in terms(n.display())
        }
        images = [i for i, s in enumerate(self.sources) if is_image(s)]
        self._images = images
        image_df = Counter(w for i in images for w in set(self._title_terms[i]))
        self._image_idf = {w: log(1 + len(images) / df) for w, df in image_df.items()}
        # Indexes that pick the few sources worth scoring for a claim.
        # word → [(source index, occurrences)]: BM25 and candidate picking both read it.
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for index, words in enumerate(self._terms):
            for word, count in Counter(words).items():
                self._postings.setdefault(word, []).append((index, count))
        self._lengths = [len(words) for words in self._terms]
        self._mean_length = sum(self._lengths) / len(self._lengths) if self._lengths else 0.0
        self._by_family: dict[str, list[int]] = {}
        for index, named in enumerate(self._names):
            for _, family in named:
                self._by_family.setdefault(family, []).append(index)
        self._single_families = [f for f in self._by_family if " " not in f]
        self._phrase_families = [f for f in self._by_family if " " in f]
        self._titled_years = [i for i, s in enumerate(self.sources) if year_spans(s.title or "")]
        self._by_year: dict[int, list[int]] = {}
        for index, source in enumerate(self.sources):
            for _, date in self._dates(source):
                if date is not None and date.year is not None:
                    self._by_year.setdefault(date.year, []).append(index)

    @staticmethod
    def _named(source: Source) -> list:
        return [c for c in source.creators if c.role in NAMED_ROLES and (c.family or c.literal)]

    def _term_scores(self, words: list[str]) -> dict[int, float]:
        """BM25 (Lucene's variant, k1 1.5, b 0.75) of each source sharing a word, squashed to
        0..1; only the postings of the claim's words are read, so a query costs what it hits."""
        scores: dict[int, float] = {}
        total = len(self.sources)
        for word in dict.fromkeys(words):
            posting = self._postings.get(word)
            if not posting or word in self._subject_words:
                continue
            idf = log(1 + (total - len(posting) + 0.5) / (len(posting) + 0.5))
            for index, count in posting:
                norm = BM25_K1 * (1 - BM25_B + BM25_B * self._lengths[index] / self._mean_length)
                scores[index] = scores.get(index, 0.0) + idf * count * (BM25_K1 + 1) / (
                    count + norm
                )
        # Saturating, not divided by the best score: one weak shared word stays weak.
        return {i: s / (s + TERMS_HALF) for i, s in scores.items()}

    def _candidates(
        self, words: list[str], names: set[str], folded: str, years: set[int], caption: bool
    ) -> set[int]:
        """Sources that can have a reason: a shared word, a named creator, a year; images."""
        # A word most sources hold picks nothing out (it still counts in BM25 for the others).
        common = max(50, len(self.sources) // 20)
        found: set[int] = set()
        for word in set(words):
            posting = self._postings.get(word, ())
            if len(posting) <= common:
                found.update(index for index, _ in posting)
        for name in names:
            for family, _, _ in process.extract(
                name,
                self._single_families,
                scorer=Levenshtein.distance,
                score_cutoff=2,
                limit=None,
            ):
                found.update(self._by_family[family])
        for family in self._phrase_families:
            if family in folded:
                found.update(self._by_family[family])
        for year in years:
            found.update(self._by_year.get(year, ()))
        found.update(self._titled_years)
        if caption:
            found.update(self._images)
        return found

    def _creator_reasons(self, index: int, names: set[str], folded: str) -> list[Reason]:
        reasons = []
        for name, family in self._names[index]:
            if family in self._subjects or len(family) < 3:
                continue
            if name.literal or " " in family:
                hit = family if re.search(rf"\b{re.escape(family)}\b", folded) else None
            else:
                hit = next((w for w in names if _same_name(family, w)), None)
            if hit is None:
                continue
            weight = WEIGHTS[ReasonKind.CREATOR] / self._family_count[family]
            given = fold(name.given or "")
            if given and given.split()[0] in folded:
                weight *= 1.25
            detail = name.display() if hit == family else f"{name.display()} (as {hit!r})"
            reasons.append(Reason(ReasonKind.CREATOR, detail, weight))
        return reasons[:1]

    def _title_reasons(
        self, source: Source, text: str, folded: str, words: list[str]
    ) -> list[Reason]:
        for phrase in _title_phrases(source):
            key = terms(phrase)
            if not key or (key[0] in self._subject_words and len(key) == 1):
                continue
            bare = _LEADING_ARTICLE.sub("", phrase.strip(" .'\"‘’“”"))
            plain = fold(bare)
            if len(key) == 1:
                # "My Life", "Memoirs": only as written, capitals and all, so that "my life"
                # in a sentence is not taken for the book.
                if len(plain) >= 6 and re.search(rf"\b{re.escape(bare)}\b", text):
                    return [Reason(ReasonKind.TITLE, phrase, WEIGHTS[ReasonKind.TITLE])]
                continue
            if re.search(rf"\b{re.escape(plain)}\b", folded) or (
                len(plain) >= 12 and fuzz.partial_ratio(plain, folded) >= TITLE_SIMILARITY
            ):
                return [Reason(ReasonKind.TITLE, phrase, WEIGHTS[ReasonKind.TITLE])]
            n = len(key)
            if any(words[i : i + n] == key for i in range(len(words) - n + 1)):
                return [Reason(ReasonKind.TITLE, phrase, WEIGHTS[ReasonKind.TITLE])]
        return []

    def _caption_reason(self, index: int, words: list[str]) -> list[Reason]:
        title = self._title_terms[index]
        if not title:
            return []
        present = set(words)
        total = sum(self._image_idf.get(w, 0.0) for w in title)
        hit = sum(
            self._image_idf.get(w, 0.0)
            for w in title
            if w in present or any(fuzz.ratio(w, p) >= 80 for p in present)
        )
        score = hit / total if total else 0.0
        if score < MIN_CAPTION_SCORE:
            return []
        source = self.sources[index]
        return [Reason(ReasonKind.CAPTION, source.title or "", WEIGHTS[ReasonKind.CAPTION] * score)]

    def _event_reasons(
        self,
        index: int,
        words: list[str],
        years: set[int],
        periods: Sequence[tuple[int, int, str]],
    ) -> list[Reason]:
        reasons = []
        shared = {
            p
            for p in _pairs(words) & _pairs(self._title_terms[index])
            if not self._subject_words.intersection(p)
        }
        if shared:
            detail = ", ".join(sorted(" ".join(p) for p in shared))
            weight = WEIGHTS[ReasonKind.EVENT] * len(shared)
            reasons.append(Reason(ReasonKind.EVENT, detail, weight))
        for start, end, named in year_spans(self.sources[index].title or ""):
            inside = sorted(y for y in years if start <= y <= end)
            # The section's period counts for less than a year the claim itself names.
            around = [f"{a}-{b}" for a, b, _ in periods if a <= end and start <= b]
            if inside or around:
                share = 1.0 if inside else 0.5
                weight = share * WEIGHTS[ReasonKind.DATE] / (1 + (end - start) / 3)
                shown = ", ".join([*map(str, inside), *(f"section {p}" for p in around)])
                reasons.append(Reason(ReasonKind.DATE, f"{shown} in {named}", weight))
                break
        if not any(r.kind is ReasonKind.DATE for r in reasons):
            reasons += self._dated(self.sources[index], years)
        return reasons

    @staticmethod
    def _dates(source: Source) -> list[tuple[str, PartialDate | None]]:
        """When the source was made: a document, letter or photograph of that year. A
        secondary work's publication year says nothing about its subject."""
        dates = [("original date", source.original_date)]
        if source.group in ("primary", "image") or is_image(source):
            dates.append(("date", source.issued))
        return dates

    def _dated(self, source: Source, years: set[int]) -> list[Reason]:
        """A year of the claim when the source was made."""
        for label, date in self._dates(source):
            if date is not None and date.year in years:
                weight = WEIGHTS[ReasonKind.DATE] * DATED_SHARE
                return [Reason(ReasonKind.DATE, f"{label} {date.year}", weight)]
        return []

    def _with_previous(
        self,
        text: str,
        previous: str,
        *,
        kind: ClaimKind,
        section: str | None,
        limit: int | None,
    ) -> list[Suggestion]:
        own = self.suggest(text, kind=kind, section=section, limit=None)
        borrowed = self.suggest(previous, section=section, limit=None)
        merged = _merge(own, borrowed)
        return merged[:limit] if limit is not None else merged

    def suggest(
        self,
        text: str,
        *,
        kind: ClaimKind = ClaimKind.SENTENCE,
        section: str | None = None,
        previous: str | None = None,
        limit: int | None = 5,
    ) -> list[Suggestion]:
        """Candidates for a claim's text, best first; sources with no reason are left out.

        ``section`` is the claim's section heading; the period it names ("France, 1933-35")
        counts, at half weight, as a date of the claim. ``previous`` is the sentence before:
        when the claim refers back to a work ("The book sold well"), the authors and titles
        named there count too.
        """
        if previous and _WORK_REFERENCE.search(text):
            return self._with_previous(text, previous, kind=kind, section=section, limit=limit)
        periods = year_spans(section) if section else []
        folded = fold(text)
        words = terms(text)
        years = {int(y) for y in _YEAR.findall(text)}
        # On ASCII text so "Ramón" is one word; possessives off ("Deutscher's" → deutscher).
        names = {fold(w).removesuffix("'s") for w in _CAPITALISED.findall(anyascii(text))}
        term_scores = self._term_scores(words)
        candidates = self._candidates(words, names, folded, years, kind is ClaimKind.CAPTION)
        candidates.update(i for i, score in term_scores.items() if score >= MIN_TERMS)
        out = []
        for index in sorted(candidates):
            source = self.sources[index]
            reasons = self._creator_reasons(index, names, folded)
            reasons += self._title_reasons(source, text, folded, words)
            if kind is ClaimKind.CAPTION and is_image(source):
                reasons += self._caption_reason(index, words)
            reasons += self._event_reasons(index, words, years, periods)
            if term_scores.get(index, 0.0) >= MIN_TERMS:
                weight = WEIGHTS[ReasonKind.TERMS] * term_scores[index]
                shared = sorted((set(words) & set(self._terms[index])) - self._subject_words)
                reasons.append(Reason(ReasonKind.TERMS, ", ".join(shared), weight))
            if not reasons:
                continue
            score = sum(r.weight for r in reasons)
            # A caption describes an image; a sentence is rarely backed by one.
            if (kind is ClaimKind.CAPTION) != is_image(source):
                score /= 3
            out.append(Suggestion(source, round(score, 4), tuple(reasons)))
        out.sort(key=lambda s: (-s.score, s.source.key or s.source.title or ""))
        return out[:limit] if limit is not None else out


def _merge(own: list[Suggestion], borrowed: list[Suggestion]) -> list[Suggestion]:
    """The claim's own suggestions plus the named works of the sentence before, weighed less."""
    by_source = {id(s.source): s for s in own}
    for s in borrowed:
        reasons = tuple(
            Reason(r.kind, f"{r.detail} (sentence before)", r.weight * PREVIOUS_SHARE)
            for r in s.reasons
            if r.kind in (ReasonKind.CREATOR, ReasonKind.TITLE)
        )
        if not reasons:
            continue
        mine = by_source.get(id(s.source))
        if mine is None:
            score = sum(r.weight for r in reasons)
            by_source[id(s.source)] = Suggestion(s.source, round(score, 4), reasons)
        else:
            score = mine.score + sum(r.weight for r in reasons)
            by_source[id(s.source)] = Suggestion(s.source, round(score, 4), mine.reasons + reasons)
    return sorted(by_source.values(), key=lambda s: (-s.score, s.source.key or ""))


def suggest(claim: Claim, sources: Sequence[Source], *, limit: int = 5) -> list[Suggestion]:
    """Ranked candidate sources for one claim (see :class:`Suggester`)."""
    return Suggester(sources).suggest(
        claim.text, kind=claim.kind, section=claim.section, limit=limit
    )
