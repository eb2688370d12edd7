"""Import and export a generated library: ``bench_import_export.py [N] [DATABASE_URL]``.

Times reading N CSL-JSON records (the demo library's 18, varied), importing them into an empty
database, importing the same file again (every record a duplicate, nothing written) and
exporting the library as CSL-JSON, BibTeX and RIS. Default: 10,000 records, a temporary SQLite
file; pass a PostgreSQL URL to measure that instead.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from citekit import services
from citekit.formats import csljson
from citekit.model import Source
from citekit.storage import make_engine, session_scope

DEMO = Path(__file__).resolve().parents[2] / "references" / "trotsky-last-exile" / "sources.json"


def library(count: int) -> bytes:
    rng = random.Random(7)
    demo = csljson.parse(DEMO.read_text(encoding="utf-8")).records
    records: list[Source] = []
    for number in range(count):
        record = demo[number % len(demo)]
        family = "".join(rng.choice("kalominerusativo") for _ in range(8)).capitalize()
        creators = [
            c.model_copy(update={"family": family}) if c.family else c for c in record.creators
        ]
        records.append(
            record.model_copy(
                update={
                    "key": f"{record.key}{number}",
                    "title": f"{record.title} {number}",
                    "creators": creators,
                }
            )
        )
    return csljson.write(records).encode()


def timed(label: str, func, *args, **kwargs):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = func(*args, **kwargs)
    print(f"{label:<28} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tmp}/bench.db"
        data = library(count)
        print(f"{count} records, {len(data) / 1e6:.1f} MB of CSL-JSON, {url.split(':')[0]}")
        timed("parse only", csljson.parse, data.decode())
        engine = make_engine(url)
        try:
            with session_scope(engine) as session:
                report = timed("import (empty library)", services.import_records,
                               session, data=data, format="csljson")  # fmt: skip
                assert len(report.added) == count, report.failures[:3]
            with session_scope(engine) as session:
                again = timed("import again (duplicates)", services.import_records,
                              session, data=data, format="csljson")  # fmt: skip
                assert len(again.duplicates) == count
            with session_scope(engine) as session:
                for name in ("csljson", "bibtex", "ris"):
                    timed(f"export {name}", services.export_records, session, format=name)
        finally:
            engine.dispose()


if __name__ == "__main__":
    main()
