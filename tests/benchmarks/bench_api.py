"""REST API throughput against a minimal FastAPI endpoint on the same server stack.

    python tests/benchmarks/bench_api.py [--sources 50000] [--claims 200000] [--seconds 5]
        [--rounds 3] [--connections 16] [--database-url URL]

Builds a library of 50,000 sources and 200,000 claims (each citing one to three sources) in a
fresh SQLite file (or the PostgreSQL database named by ``--database-url``), starts the citekit
API (twice: as configured, and with no searches kept, ``CITEKIT_SEARCH_CACHE_SIZE=0``) and
a minimal FastAPI app in uvicorn subprocesses on 127.0.0.1 (one worker each, same
uvicorn/uvloop/httptools stack), and drives them from a separate load-generator process with 16
keep-alive connections: the minimal endpoint, ``GET /claims/{id}`` (the claim with its citations
and sources) and ``GET /sources?q=`` (search for one of 60 words, each in 11-40% of the
library), in interleaved rounds. Prints the median requests per second, p50 and p99 latency, and
the ratio to the minimal endpoint (target: at least 0.5, p99 under 20 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI

ROOT = Path(__file__).resolve().parents[2]

# The minimal endpoint: served by `uvicorn bench_api:minimal_app` from this folder.
minimal_app = FastAPI()


@minimal_app.get("/hello")
def hello() -> dict[str, str]:
    """A sync route, like citekit's, so both go through the same thread pool."""
    return {"hello": "world"}


WORDS = (
    "revolution exile history trotsky mexico stalin moscow trial commission asylum biography "
    "prophet outcast armed unarmed letters diary assassination coyoacan norway turkey prinkipo "
    "france kazakhstan alma ata fourth international soviet bureaucracy party opposition kahlo "
    "rivera natalia sedova lev sedov writings archive harvard hoover papers memoir life times"
).split()
FAMILIES = (
    "Deutscher Service Volkogonov Broue Thatcher Swain Patenaude Howe Knei-Paz Wistrich Mandel "
    "Sedova Serge Dewey Breton Rivera Kahlo Hansen Glotzer Cannon Shachtman Novack Wolfe Payne"
).split()


def build_library(url: str, n_sources: int, n_claims: int) -> tuple[list[str], list[str]]:
    """Fill an empty database; returns claim ids and search words to request."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, insert, select

    from citekit.model import Source
    from citekit.storage import make_engine, session_scope
    from citekit.storage import repository as repo
    from citekit.storage.tables import ArticleRow, CitationRow, ClaimRow, SourceRow, utcnow

    rng = random.Random(1940)
    engine = make_engine(url)
    with engine.connect() as connection:
        # A library built by an earlier run (same --database-url) is used as it is.
        stored = connection.execute(select(func.count()).select_from(SourceRow)).scalar_one()
        if stored >= n_sources:
            ids = list(connection.execute(select(ClaimRow.id).limit(20_000)).scalars())
            print(f"  using the {stored:,} sources stored already")
            engine.dispose()
            return ids, WORDS
    started = time.perf_counter()
    source_ids: list[str] = []
    with session_scope(engine) as session:
        batch: list[dict[str, Any]] = []
        for i in range(n_sources):
            family = rng.choice(FAMILIES)
            year = rng.randint(1880, 2024)
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 8))).capitalize()
            source = Source.model_validate(
                {
                    "type": "book" if i % 3 else "article-journal",
                    "key": f"{family.lower()}{year}x{i}",
                    "title": title,
                    "container-title": "Journal of Exile Studies" if i % 3 == 0 else None,
                    "creators": [{"family": family, "given": rng.choice(["Isaac", "Leon", "Ana"])}],
                    "issued": year,
                    "publisher": "Harvest Press",
                    "group": rng.choice(["primary", "secondary", "secondary"]),
                }
            )
            row = repo.source_to_row(source)
            source_ids.append(row.id)
            batch.append(row.model_dump())
            if len(batch) == 5000:
                session.execute(insert(SourceRow), batch)
                batch = []
        if batch:
            session.execute(insert(SourceRow), batch)
    print(f"  {n_sources:,} sources stored in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    claim_ids: list[str] = []
    per_article = 2000
    now = utcnow()
    stamps = {"version": 1, "created": now, "modified": now}
    with session_scope(engine) as session:
        articles = [
            {
                "id": repo.new_id(),
                "title": f"Article {a}",
                "text": f"Article {a}\n\n" + "Trotsky went into exile. " * 50,
                "text_hash": "x",
                **stamps,
            }
            for a in range((n_claims + per_article - 1) // per_article)
        ]
        session.execute(insert(ArticleRow), articles)
        claims: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        for c in range(n_claims):
            # Counters, not repo.new_id(): 40 random bits collide within 400,000 rows.
            claim_id = f"c{c:07d}"
            claim_ids.append(claim_id)
            sentence = f"Claim {c}: " + " ".join(rng.choice(WORDS) for _ in range(12)) + "."
            # Plain rows through SQLAlchemy core: validating 200,000 models would take minutes.
            claims.append(
                {
                    "id": claim_id,
                    "article_id": articles[c // per_article]["id"],
                    "position": c % per_article,
                    "section": "Exile",
                    "kind": "sentence",
                    "text": sentence,
                    "exact": sentence,
                    "prefix": "",
                    "suffix": "",
                    "start": 0,
                    "end": len(sentence),
                    "orphan": False,
                    **stamps,
                }
            )
            links += [
                {
                    "id": f"l{c:07d}{n}",
                    "claim_id": claim_id,
                    "source_id": source_id,
                    "locator_label": "page",
                    "locator_value": str(rng.randint(1, 500)),
                    "relation": "supports",
                    "rank": "normal",
                    "provenance": "manual",
                    **stamps,
                }
                for n, source_id in enumerate(rng.sample(source_ids, rng.randint(1, 3)))
            ]
            if len(claims) == 10000:
                session.execute(insert(ClaimRow), claims)
                session.execute(insert(CitationRow), links)
                claims, links = [], []
        if claims:
            session.execute(insert(ClaimRow), claims)
            session.execute(insert(CitationRow), links)
    took = time.perf_counter() - started
    print(f"  {n_claims:,} claims and their citations stored in {took:.1f} s")
    engine.dispose()
    return claim_ids, WORDS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(target: str, port: int, env: dict[str, str], app_dir: Path) -> subprocess.Popen:
    """uvicorn in a subprocess; returns once it answers."""
    command = [
        sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port),
        "--no-access-log", "--log-level", "warning", "--app-dir", str(app_dir),
    ]  # fmt: skip
    if target.startswith("api."):
        command.append("--factory")
    process = subprocess.Popen(command, env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{target} did not start on port {port}")


# -- the load generator (runs in its own process) -----------------------------------------------


async def _connection(
    port: int, paths: list[str], stop_at: float, latencies: list[float], errors: list[str]
) -> None:
    rng = random.Random()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as exc:
        errors.append(f"connect: {exc}")
        return
    try:
        while time.perf_counter() < stop_at:
            path = rng.choice(paths)
            request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n"
            sent = time.perf_counter()
            writer.write(request.encode())
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - sent)
            if status != 200:
                errors.append(f"{status} {path}")
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        # Counted, not fatal: the run reports how many requests failed and why.
        errors.append(f"connection lost: {exc!r}")
    finally:
        writer.close()


async def _drive(port: int, paths: list[str], seconds: float, connections: int) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[str] = []
    warm_until = time.perf_counter() + 1.0
    await asyncio.gather(
        *(_connection(port, paths, warm_until, [], []) for _ in range(connections))
    )
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(
        *(_connection(port, paths, stop_at, latencies, errors) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [float("nan")]
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000,
        "requests": len(latencies),
        "errors": errors[:5],
        "error_count": len(errors),
    }


def _client(port: int, paths: list[str], seconds: float, connections: int, out: Any) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    try:
        out.put(asyncio.run(_drive(port, paths, seconds, connections)))
    except BaseException as exc:  # the parent must hear back, whatever happened
        out.put({"failed": repr(exc)})
        raise


def measure(port: int, paths: list[str], seconds: float, connections: int) -> dict[str, Any]:
    """Drive ``paths`` from a separate process and return its figures."""
    queue: Any = multiprocessing.Queue()
    process = multiprocessing.Process(
        target=_client, args=(port, paths, seconds, connections, queue)
    )
    process.start()
    result = queue.get(timeout=seconds + 120)
    process.join()
    if "failed" in result:
        raise RuntimeError(f"the load generator failed: {result['failed']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=50_000)
    parser.add_argument("--claims", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default=None, help="an empty database (default: SQLite)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="citekit-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    print(f"building the library in {url.split('@')[-1]} ...")
    claim_ids, words = build_library(url, args.sources, args.claims)

    env = {
        **os.environ,
        "CITEKIT_DATABASE_URL": url,
        "CITEKIT_LOAD_DEMO": "0",
        "PYTHONPATH": str(ROOT),
    }
    api_port, cold_port, minimal_port = free_port(), free_port(), free_port()
    api = start_server("api.main:create_app", api_port, env, ROOT)
    # The same API with every search computed afresh (nothing kept per library version).
    cold_env = {**env, "CITEKIT_SEARCH_CACHE_SIZE": "0"}
    cold = start_server("api.main:create_app", cold_port, cold_env, ROOT)
    minimal = start_server("bench_api:minimal_app", minimal_port, env, Path(__file__).parent)
    rng = random.Random(7)
    searches = [f"/sources?q={w}" for w in words]
    runs = {
        "GET /hello (minimal)": (minimal_port, ["/hello"]),
        "GET /claims/{id}": (api_port, [f"/claims/{c}" for c in rng.sample(claim_ids, 2000)]),
        "GET /sources?q=": (api_port, searches),
        "  (nothing kept)": (cold_port, searches),
    }
    # Rounds interleave the endpoints, so that a slower spell of the machine hits them alike;
    # each figure is the median over the rounds.
    rounds: dict[str, list[dict[str, Any]]] = {name: [] for name in runs}
    try:
        for _ in range(args.rounds):
            for name, (port, paths) in runs.items():
                rounds[name].append(measure(port, paths, args.seconds, args.connections))
    finally:
        for process in (api, cold, minimal):
            process.terminate()
            process.wait()
    results = {
        name: {
            figure: statistics.median(r[figure] for r in taken)
            for figure in ("rps", "p50", "p99", "error_count")
        }
        | {"errors": [e for r in taken for e in r["errors"]][:5]}
        for name, taken in rounds.items()
    }
    baseline = results["GET /hello (minimal)"]["rps"]
    print(
        f"\n{args.connections} connections, {args.rounds} rounds of {args.seconds:.0f} s, "
        "one uvicorn worker each; medians over the rounds"
    )
    print(f"{'endpoint':24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}  errors")
    for name, r in results.items():
        print(
            f"{name:24} {r['rps']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} "
            f"{r['rps'] / baseline:6.2f}  {r['error_count']:.0f} {' '.join(r['errors'])}"
        )


if __name__ == "__main__":
    main()
