"""Suggestion quality on the demo article: hit@1 and hit@3 against the curated links.

Run: ``python tests/benchmarks/bench_suggest.py [--verbose]``. Each claim of the demo article
with curated links is one query; a hit@k means one of its linked sources is among the first k
suggestions. "Inferable" links are those whose basis is a caption, a named author or title, or an
event or year a title names: a careful reader finds them from the claim and the records alone,
so all of them should be in the top 3.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections import defaultdict
from pathlib import Path

from citekit.claims.anchor import claims_from_spans
from citekit.claims.article import claim_spans, parse_article
from citekit.claims.links import parse_links, resolve_links
from citekit.claims.suggest import Suggester
from citekit.formats import csljson

DEMO = Path(__file__).resolve().parents[2] / "references" / "trotsky-last-exile"
INFERABLE = {"caption", "named", "event"}


def main(verbose: bool = False) -> dict[str, float]:
    """Print and return hit@1, hit@3 (all linked claims) and recall@3 (inferable links)."""
    text = (DEMO / "article.txt").read_text(encoding="utf-8")
    parsed = parse_article(text)
    claims = [
        c.model_copy(update={"id": str(i)})
        for i, c in enumerate(claims_from_spans("demo", parsed.text, claim_spans(parsed)))
    ]
    sources = csljson.parse((DEMO / "sources.json").read_text(encoding="utf-8")).records
    specs, problems = parse_links((DEMO / "links.json").read_text(encoding="utf-8"))
    links, unresolved = resolve_links(specs, claims, {s.key: s.key for s in sources if s.key})
    for problem in problems + unresolved:
        print(f"link {problem.index}: {problem.reason}: {problem.quote!r}", file=sys.stderr)
    gold: dict[str, set[str]] = defaultdict(set)
    inferable: dict[str, set[str]] = defaultdict(set)
    for link in links:
        gold[link.claim.id or ""].add(link.source_id)
        if link.spec.basis in INFERABLE:
            inferable[link.claim.id or ""].add(link.source_id)
    by_id = {c.id: c for c in claims}
    # the sentence before, within the same paragraph ("The book sold well" needs it)
    previous = {
        c.id: p.text
        for p, c in itertools.pairwise(claims)
        if "\n\n" not in parsed.text[p.anchor.end : c.anchor.start]
    }
    started = time.perf_counter()
    suggester = Suggester(sources)
    ranked = {
        cid: [
            s.source.key
            for s in suggester.suggest(
                by_id[cid].text,
                kind=by_id[cid].kind,
                section=by_id[cid].section,
                previous=previous.get(cid),
            )
        ]
        for cid in gold
    }
    elapsed = time.perf_counter() - started
    hit1 = sum(bool(ranked[c][:1] and ranked[c][0] in gold[c]) for c in gold) / len(gold)
    hit3 = sum(bool(set(ranked[c][:3]) & gold[c]) for c in gold) / len(gold)
    recall3 = sum(inferable[c] <= set(ranked[c][:3]) for c in inferable) / len(inferable)
    inf_hit1 = sum(ranked[c][:1] == [k] for c in inferable for k in inferable[c]) / len(inferable)
    if verbose:
        for cid in gold:
            mark = "ok " if set(ranked[cid][:3]) & gold[cid] else "MISS"
            print(f"{mark} {by_id[cid].text[:70]!r}\n     gold {sorted(gold[cid])}")
            print(f"     got  {ranked[cid][:3]}")
    print(f"claims with links: {len(gold)} ({len(links)} links, {len(sources)} sources)")
    print(f"hit@1: {hit1:.2f}  hit@3: {hit3:.2f}")
    print(f"inferable claims: {len(inferable)}  hit@1: {inf_hit1:.2f}  all in top 3: {recall3:.2f}")
    print(f"time: {elapsed * 1000:.0f} ms for {len(gold)} claims (index included)")
    return {"hit@1": hit1, "hit@3": hit3, "inferable_recall@3": recall3}


if __name__ == "__main__":
    main(verbose="--verbose" in sys.argv)
