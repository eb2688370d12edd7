"""Re-anchoring over randomly edited versions of the demo article: the share of claims found again.

Run: ``python tests/benchmarks/bench_reanchor.py [--versions 200] [--seed 1]``. Each version
applies 1–6 random edits, as a writer revising the article would: a typo made or fixed inside a
sentence, a sentence inserted, a paragraph moved, a sentence reworded (words dropped, a word
added, a clause moved), a sentence deleted. Every claim keeps its identity through the edits, so
a re-anchored claim is right only if it lands on the sentence it became. Deleted claims should
become orphans; they are reported apart and not counted against the share.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from citekit.claims.anchor import make_anchor, reanchor
from citekit.claims.article import BlockKind, claim_spans, parse_article

DEMO = Path(__file__).resolve().parents[2] / "references" / "trotsky-last-exile"
FILLER = ["notably", "in fact", "by then", "it seems", "at last", "once more"]


@dataclass
class Sentence:
    claim: int | None  # the original claim it descends from; None for inserted text
    text: str


@dataclass
class Paragraph:
    kind: BlockKind
    sentences: list[Sentence] = field(default_factory=list)


def model_of(text: str) -> list[Paragraph]:
    """The article as paragraphs of sentences, each sentence tagged with its claim number."""
    parsed = parse_article(text)
    spans = claim_spans(parsed)
    index = {(s.start, s.end): i for i, s in enumerate(spans)}
    out = []
    for block in parsed.blocks:
        para = Paragraph(block.kind)
        if block.kind in (BlockKind.PARAGRAPH, BlockKind.CAPTION):
            para.sentences = [
                Sentence(index[(s.start, s.end)], s.text)
                for s in spans
                if block.start <= s.start and s.end <= block.end
            ]
        else:
            para.sentences = [Sentence(None, block.text)]
        out.append(para)
    return out


def render(model: list[Paragraph]) -> str:
    return "\n\n".join(" ".join(s.text for s in p.sentences) for p in model if p.sentences) + "\n"


def _sentences(model: list[Paragraph]) -> list[tuple[Paragraph, int]]:
    return [
        (p, i)
        for p in model
        if p.kind is BlockKind.PARAGRAPH
        for i, s in enumerate(p.sentences)
        if s.claim is not None
    ]


def typo(model: list[Paragraph], rng: random.Random) -> None:
    para, i = rng.choice(_sentences(model))
    words = para.sentences[i].text.split(" ")
    candidates = [k for k, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not candidates:
        return
    k = rng.choice(candidates)
    w = words[k]
    j = rng.randrange(1, len(w) - 1)
    words[k] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.5 else w[:j] + w[j + 1 :]
    para.sentences[i].text = " ".join(words)


def insert(model: list[Paragraph], rng: random.Random) -> None:
    para, i = rng.choice(_sentences(model))
    new = f"This sentence was added in revision {rng.randrange(10_000)} of the essay."
    para.sentences.insert(i + rng.randrange(2), Sentence(None, new))


def move(model: list[Paragraph], rng: random.Random) -> None:
    paragraphs = [k for k, p in enumerate(model) if p.kind is BlockKind.PARAGRAPH]
    a, b = rng.sample(paragraphs, 2)
    model[a], model[b] = model[b], model[a]


def reword(model: list[Paragraph], rng: random.Random) -> None:
    para, i = rng.choice(_sentences(model))
    words = para.sentences[i].text.split(" ")
    if len(words) < 8:
        return
    for _ in range(rng.randrange(1, 3)):
        del words[rng.randrange(1, len(words) - 1)]
    words.insert(rng.randrange(1, len(words) - 1), rng.choice(FILLER))
    if rng.random() < 0.3 and "," in " ".join(words):
        # move the first clause to the end: "A, B." → "B, a."
        head, _, tail = " ".join(words).partition(", ")
        words = (tail.rstrip(".") + ", " + head[:1].lower() + head[1:] + ".").split(" ")
        words[0] = words[0][:1].upper() + words[0][1:]
    para.sentences[i].text = " ".join(words)


def delete(model: list[Paragraph], rng: random.Random) -> None:
    para, i = rng.choice(_sentences(model))
    if len(para.sentences) > 1:
        del para.sentences[i]


EDITS = [typo, typo, insert, move, reword, reword, delete]


def main(versions: int = 200, seed: int = 1) -> float:
    """Print and return the share of surviving claims re-anchored onto their own sentence."""
    original = render(model_of((DEMO / "article.txt").read_text(encoding="utf-8")))
    spans = claim_spans(parse_article(original))
    anchors = [make_anchor(original, s.start, s.end) for s in spans]
    rng = random.Random(seed)
    right = wrong = lost = surviving = deleted_orphans = deleted = 0
    elapsed = 0.0
    for _ in range(versions):
        model = model_of(original)
        for _ in range(rng.randrange(1, 7)):
            rng.choice(EDITS)(model, rng)
        text = render(model)
        now = {s.claim: s.text for p in model for s in p.sentences if s.claim is not None}
        started = time.perf_counter()
        result = reanchor(anchors, text)
        elapsed += time.perf_counter() - started
        for number, match in enumerate(result.matches):
            if number not in now:
                deleted += 1
                deleted_orphans += match.anchor is None
                continue
            surviving += 1
            if match.anchor is None:
                lost += 1
            elif now[number].startswith(match.anchor.exact) or match.anchor.exact == now[number]:
                right += 1
            else:
                wrong += 1
    share = right / surviving
    print(f"versions: {versions} (seed {seed}), surviving claims: {surviving}")
    print(f"re-anchored onto their own sentence: {share:.1%}")
    print(f"orphaned though still there: {lost}, landed on another sentence: {wrong}")
    print(f"deleted claims reported as orphans: {deleted_orphans} of {deleted}")
    print(f"time: {elapsed / versions * 1000:.1f} ms per version ({len(anchors)} claims)")
    return share


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    main(args.versions, args.seed)
