"""Backends: plain text, escaped HTML, escaped Markdown."""

from __future__ import annotations

import pytest

from citekit.errors import UnsupportedFormat
from citekit.render import render
from citekit.render.backends import get_backend
from citekit.render.text import emph, join, link, quoted, smallcaps, strong


def test_html_escapes_text() -> None:
    node = join(["<script>alert('x')</script>", emph("A & B")], ". ", end=".")
    html = render(node, "html")
    assert "<script>" not in html
    assert html == "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;. <i>A &amp; B</i>."


def test_html_links_are_escaped_and_only_for_safe_schemes() -> None:
    url = 'https://example.org/?a=1&b="2"'
    assert render(link(url), "html") == (
        '<a href="https://example.org/?a=1&amp;b=&quot;2&quot;">'
        "https://example.org/?a=1&amp;b=&quot;2&quot;</a>"
    )
    assert render(link("javascript:alert(1)", "click"), "html") == "click"


def test_html_markup() -> None:
    assert render(strong("b"), "html") == "<b>b</b>"
    assert render(smallcaps("sc"), "html") == '<span style="font-variant:small-caps">sc</span>'
    assert render(quoted("q"), "html") == "“q”"


def test_markdown_escapes_specials() -> None:
    node = join(["Trotsky_Portrait *1918* [sic]", emph("My Life")], ". ", end=".")
    assert render(node, "markdown") == r"Trotsky\_Portrait \*1918\* \[sic\]. *My Life*."


def test_markdown_line_start_is_no_list() -> None:
    assert render(join(["1984.", "Novel"], " "), "markdown") == r"1984\. Novel"
    assert render(join(["- dash"], " "), "markdown") == r"\- dash"


def test_markdown_links() -> None:
    url = "https://commons.wikimedia.org/wiki/File:Trotsky_(1919).jpg"
    assert render(link(url), "markdown") == (
        "<https://commons.wikimedia.org/wiki/File:Trotsky_%281919%29.jpg>"
    )
    assert render(link("https://x.org", "X"), "markdown") == "[X](https://x.org)"


def test_text_backend_shows_link_targets() -> None:
    assert render(link("https://x.org", "X"), "text") == "X (https://x.org)"
    assert render(emph("My Life"), "text") == "My Life"


def test_nested_quotes_alternate() -> None:
    for fmt in ("text", "html", "markdown"):
        assert render(quoted("a ", quoted("b ", quoted("c"))), fmt) == "“a ‘b “c”’”"


@pytest.mark.parametrize("name", ["text", "TXT", "html", "md", "markdown", "plain"])
def test_backend_names(name: str) -> None:
    assert get_backend(name).name in ("text", "html", "markdown")


def test_unknown_backend() -> None:
    with pytest.raises(UnsupportedFormat, match="rtf"):
        get_backend("rtf")
