"""Sentence splitting: citekit's (pysbd plus its abbreviation merge) against a plain regex.

Run: ``python tests/benchmarks/bench_segment.py``. Counts the hand-checked cases each splits
exactly right (initials, dates, abbreviations, quotations, brackets) and times both on the demo
article.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from citekit.claims.article import BlockKind, parse_article
from citekit.claims.segment import split_sentences

DEMO = Path(__file__).resolve().parents[2] / "references" / "trotsky-last-exile"
# The usual regex: a sentence ends at . ! or ? (and closing quotes) before a capital.
REGEX = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)]))\s+(?=[\"'“‘(]?[A-Z])")

CASES: list[list[str]] = [
    ["The finale came on 20 August, 1940, when Ramón Mercader met him.", "He died."],
    ["As J. Arch Getty argues, the purges were chaotic.", "Others disagree."],
    ["He was born c. 1879 in Yanovka.", "He moved to St. Petersburg in 1905."],
    ["Dewey et al. concluded that he was innocent.", "The trials were frameups."],
    ["He wrote: “Stalin seeks my death.”", "Nobody listened."],
    ["It appeared in Vol. 2, No. 7 of the journal.", "It sold well."],
    ["Seva (1926-2023) turned it into a museum.", "Natalia lived until 1962."],
    ["The U.S. government refused.", "Dr. Smith agreed."],
    ["Gen. Trotsky led the army.", "Mr. Smith disagreed."],
    ["As J. R. R. Tolkien wrote, it was long.", "Then it ended."],
    ["The U.S.S.R. collapsed in 1991.", "Few expected it."],
    ["He woke at 6 a.m. and left.", "She stayed."],
    ["“Why?” he asked.", "Nobody answered."],
    ["It grew by 3.5 per cent.", "Prices rose."],
    ["Books, e.g. memoirs, sold well.", "Others did not."],
    ["See pp. 12–14 for the list.", "It is long."],
    ["Trotsky vs. Stalin was the fight.", "It ended badly."],
    ["He arrived in Coyoacán (Mexico City) in Jan. 1937.", "He stayed."],
    ["The report (Dewey et al., 1938) cleared him.", "He was relieved."],
    ["He wrote ‘Stalin Seeks My Death’.", "It appeared in Aug. 1941."],
    ["Lenin died in 1924 [Service, p. 45].", "Stalin rose."],
]


def regex_split(text: str) -> list[str]:
    return [s.strip() for s in REGEX.split(text) if s.strip()]


def main() -> None:
    """Print how many cases each splitter gets right, and their speed on the demo article."""
    ours = sum([s.text for s in split_sentences(" ".join(c))] == c for c in CASES)
    plain = sum(regex_split(" ".join(c)) == c for c in CASES)
    print(f"cases split exactly right: citekit {ours}/{len(CASES)}, regex {plain}/{len(CASES)}")
    for case in CASES:
        if regex_split(" ".join(case)) != case:
            print(f"  regex: {regex_split(' '.join(case))}")
    parsed = parse_article((DEMO / "article.txt").read_text(encoding="utf-8"))
    paragraphs = [b.text for b in parsed.blocks if b.kind is BlockKind.PARAGRAPH]
    for name, split in (("citekit", lambda t: split_sentences(t)), ("regex", regex_split)):
        started = time.perf_counter()
        count = sum(len(split(p)) for p in paragraphs)
        elapsed = (time.perf_counter() - started) * 1000
        print(f"{name}: {count} sentences in the demo article's paragraphs, {elapsed:.0f} ms")


if __name__ == "__main__":
    main()
