"""Integrity checks and duplicate detection on a generated library (default 50,000 records).

Run: ``python tests/benchmarks/bench_integrity.py [N]``. The library mixes books, journal
articles and web pages in random order with planted defects (one record in 20 is a near-copy of
another, one in 10 has a hyphen for a colon) and prints the CPU time per stage and what was
found, so a regression in speed or in recall shows at a glance.
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter

from citekit.duplicates import clusters, find_duplicates
from citekit.integrity import Summary, check_sources
from citekit.model import Source, validate_source

FAMILIES = ["Trotsky", "Deutscher", "Service", "Volkogonov", "Serge", "Sedov", "Carr", "Pipes"]
WORDS = "revolution exile prophet armed unarmed outcast life death diary trials asylum".split()


def generate(n: int, seed: int = 7) -> tuple[list[Source], int, int]:
    """``n`` records; returns them, the number of planted duplicates and of planted text slips."""
    rng = random.Random(seed)
    records: list[Source] = []
    planted_dups = planted_text = 0
    for i in range(n):
        if records and i % 20 == 0:
            original = rng.choice(records)
            data = original.model_dump(by_alias=True, exclude_none=True)
            data["key"] = f"dup{i}"
            data["title"] = (original.title or "").upper()
            records.append(validate_source(data))
            planted_dups += 1
            continue
        title = " ".join(rng.choice(WORDS) for _ in range(4)).capitalize() + f" {i}"
        if i % 10 == 3:
            title = title.replace(" ", "- ", 1)
            planted_text += 1
        data = {
            "key": f"k{i}",
            "type": rng.choice(["book", "article-journal", "webpage"]),
            "title": title,
            "creators": [{"family": rng.choice(FAMILIES), "given": "A."}],
            "issued": str(rng.randint(1900, 2020)),
            "publisher": "Press",
            "publisher-place": "London",
            "container-title": "Journal",
            "volume": "3",
            "URL": f"https://example.org/{i}",
            "accessed": "2024-12-18",
        }
        records.append(validate_source(data))
    return records, planted_dups, planted_text


def main(n: int = 50_000) -> None:
    """Print timings and counts for ``n`` generated records."""
    t0 = time.process_time()
    records, planted_dups, planted_text = generate(n)
    t1 = time.process_time()
    pairs = find_duplicates(records)
    t2 = time.process_time()
    findings = check_sources(records)
    t3 = time.process_time()
    by_check = Counter(f.check for f in findings)
    print(f"{n} records generated in {t1 - t0:.2f} s")
    print(
        f"duplicates: {t2 - t1:.2f} s, {len(pairs)} pairs in {len(clusters(pairs))} clusters "
        f"({planted_dups} planted)"
    )
    print(
        f"checks: {t3 - t2:.2f} s ({(t3 - t2) / n * 1e6:.0f} µs/record), {Summary.of(findings)}; "
        f"hyphen-for-colon {by_check['hyphen-for-colon']} ({planted_text} planted, more in copies)"
    )
    print("by check:", dict(by_check.most_common()))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
