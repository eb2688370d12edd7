"""Parse 10,000 BibTeX entries: citekit vs bibtexparser 2 with LaTeX decoding vs pybtex.

Run as ``python tests/benchmarks/bench_bibtex.py [COUNT]``. The library is generated like the
exports people bring (JabRef, Zotero, Better BibTeX): accents as LaTeX, protected words,
``@string`` macros, month macros, URLs with ``~`` and ``%``. Each parser reads the same text;
citekit's time includes validating every record.
"""

from __future__ import annotations

import logging
import statistics
import sys
import time
from collections.abc import Callable

from citekit.formats import bibtex

SURNAMES = ["Deutscher", "Brou{\\'e}", "Service", "{\\v{Z}}i{\\v{z}}ek", "Volkogonov", "Thatcher"]
GIVEN = ["Isaac", "Pierre", "Robert", "Slavoj", "Dmitri", "Ian D."]
TYPES = ["article", "book", "incollection", "online", "phdthesis", "inproceedings"]


def library(count: int) -> str:
    """BibTeX text with ``count`` entries."""
    out = ['@string{jmh = "Journal of Modern History"}', "@string{verso = {Verso}}"]
    months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    for i in range(count):
        kind = TYPES[i % len(TYPES)]
        a, b = i % len(SURNAMES), (i * 7 + 3) % len(SURNAMES)
        out.append(
            f"@{kind}{{key{i},\n"
            f"  author = {{{SURNAMES[a]}, {GIVEN[a]} and von {SURNAMES[b]}, {GIVEN[b]}"
            f" and {{Institute of History {i % 13}}}}},\n"
            f"  title = {{The {{USSR}} and Trotsky's exile in Z{{\\\"u}}rich, 1929--1940:"
            f" part {i}}},\n"
            f"  journal = jmh,\n"
            f"  booktitle = {{Collected {{Works}} {i % 40}}},\n"
            f"  publisher = verso,\n"
            f"  address = {{London \\& New York}},\n"
            f"  school = {{University of Glasgow}},\n"
            f"  year = {1900 + i % 120},\n"
            f"  month = {months[i % 12]},\n"
            f"  volume = {{{i % 60}}},\n"
            f"  number = {{{i % 12 + 1}}},\n"
            f"  pages = {{{i % 300 + 1}--{i % 300 + 25}}},\n"
            f"  doi = {{10.1000/item.{i}}},\n"
            f"  url = {{https://example.org/~archive/{i}?q=a%20b--c}},\n"
            f"  keywords = {{exile, {{Fourth International}}}},\n"
            f"}}\n"
        )
    return "\n".join(out)


def citekit_parse(text: str) -> int:
    result = bibtex.parse(text)
    return len(result.records)


def bibtexparser_decoding(text: str) -> int:
    import bibtexparser
    from bibtexparser import middlewares as m

    library = bibtexparser.parse_string(
        text,
        append_middleware=[
            m.LatexDecodingMiddleware(),
            m.MonthIntMiddleware(True),
            m.SeparateCoAuthors(),
            m.SplitNameParts(),
        ],
    )
    return len(library.entries)


def bibtexparser_bare(text: str) -> int:
    import bibtexparser

    return len(bibtexparser.parse_string(text, parse_stack=[]).entries)


def pybtex_parse(text: str) -> int:
    from pybtex.database import parse_string

    return len(parse_string(text, "bibtex").entries)


def timed(run: Callable[[str], int], text: str, repeat: int) -> tuple[float, int]:
    times = []
    count = 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = run(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times), count


def main() -> None:
    logging.disable(logging.WARNING)
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    text = library(count)
    print(f"{count:,} entries, {len(text) / 1e6:.1f} MB, median of {repeat} runs")
    runs: list[tuple[str, Callable[[str], int]]] = [
        ("citekit bibtex.parse (records validated)", citekit_parse),
        ("bibtexparser 2, bare split (no decoding)", bibtexparser_bare),
        ("bibtexparser 2 + LaTeX-decoding middleware", bibtexparser_decoding),
        ("pybtex parse_string (no LaTeX decoding)", pybtex_parse),
    ]
    results = []
    for name, run in runs:
        try:
            seconds, found = timed(run, text, repeat)
        except ImportError as exc:
            print(f"  {name:<46} skipped: {exc}")
            continue
        results.append((name, seconds))
        print(f"  {name:<46} {seconds:7.2f} s  {found:>6,} entries")
    base = results[0][1]
    print("ratios to citekit:")
    for name, seconds in results[1:]:
        print(f"  {name:<46} {seconds / base:6.2f}×")


if __name__ == "__main__":
    main()
