"""Claims: an article's sentences and captions, anchored, linked to sources, annotated.

``parse_article`` / ``claim_spans`` read an article; ``reanchor`` finds claims again in a new
version; ``Suggester`` ranks sources for a claim with reasons; ``annotate`` and
``render_manuscript`` render an article or a pandoc-style manuscript with a citation style.
Pure: no database, no files.
"""

from citekit.claims.anchor import Method, Reanchoring, claims_from_spans, make_anchor, reanchor
from citekit.claims.annotate import Cited, annotate
from citekit.claims.article import ClaimSpan, ParsedArticle, claim_spans, parse_article
from citekit.claims.links import claims_containing, normalise_quote, parse_links, resolve_links
from citekit.claims.manuscript import RenderedManuscript, UnknownKey, render_manuscript
from citekit.claims.segment import split_sentences
from citekit.claims.suggest import Reason, ReasonKind, Suggester, Suggestion, suggest

__all__ = [
    "Cited",
    "ClaimSpan",
    "Method",
    "ParsedArticle",
    "Reanchoring",
    "Reason",
    "ReasonKind",
    "RenderedManuscript",
    "Suggester",
    "Suggestion",
    "UnknownKey",
    "annotate",
    "claim_spans",
    "claims_containing",
    "claims_from_spans",
    "make_anchor",
    "normalise_quote",
    "parse_article",
    "parse_links",
    "reanchor",
    "render_manuscript",
    "resolve_links",
    "split_sentences",
    "suggest",
]
