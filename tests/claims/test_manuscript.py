"""Manuscripts in pandoc's citation syntax rendered with a style; unknown keys reported."""

import pytest

from citekit.claims.manuscript import UnknownKey, render_manuscript
from citekit.model import Source


def _book(key: str, family: str, given: str, title: str, year: str) -> Source:
    return Source.model_validate(
        {
            "id": key.upper(),
            "key": key,
            "type": "book",
            "title": title,
            "creators": [{"family": family, "given": given}],
            "issued": year,
            "publisher": "Oxford University Press",
        }
    )


@pytest.fixture
def library() -> dict[str, Source]:
    books = [
        _book("deutscher1963", "Deutscher", "Isaac", "The Prophet Outcast", "1963"),
        _book("service2010", "Service", "Robert", "Trotsky: A Biography", "2010"),
        _book("a:b.c", "Smith", "Jane", "Keys with Punctuation", "2001"),
    ]
    return {b.key or "": b for b in books}


MANUSCRIPT = """# Draft

He wrote in exile [@deutscher1963, p. 45]. See also [see @deutscher1963, 12–14; @service2010].
@service2010 argues the opposite, and @deutscher1963 [p. 7] agrees.
Write to me@example.com; keep `[@deutscher1963]` and

```
@service2010 in code
```

Odd keys work [@a:b.c]. Missing [@nokey, p. 3] and @gone here.
"""


def test_notes_style(library: dict[str, Source]) -> None:
    result = render_manuscript(MANUSCRIPT, library)
    text = result.text
    assert "He wrote in exile.[^1] See also.[^2]" in text
    assert "Service[^3] argues the opposite, and Deutscher[^4] agrees." in text
    assert "me@example.com" in text and "`[@deutscher1963]`" in text
    assert "@service2010 in code" in text
    assert (
        "[^1]: Isaac Deutscher, *The Prophet Outcast* (Oxford University Press, 1963), 45." in text
    )
    assert "[^2]: See Deutscher, *Prophet Outcast*, 12–14; Robert Service, *Trotsky: A" in text
    assert "[^4]: Deutscher, *Prophet Outcast*, 7." in text
    assert "Odd keys work.[^5]" in text and "[^5]: Jane Smith, *Keys with Punctuation*" in text
    assert text.index("## Bibliography") > text.index("[^5]:")
    assert result.cited == ["deutscher1963", "service2010", "a:b.c"]


def test_unknown_keys_are_reported_and_kept(library: dict[str, Source]) -> None:
    result = render_manuscript(MANUSCRIPT, library)
    assert result.unknown == [UnknownKey("nokey", 11, 34), UnknownKey("gone", 11, 52)]
    assert "Missing [@nokey, p. 3] and @gone here." in result.text


def test_author_date_style(library: dict[str, Source]) -> None:
    result = render_manuscript(MANUSCRIPT, library, style="chicago-author-date")
    text = result.text
    assert "He wrote in exile (Deutscher 1963, 45)." in text
    assert "(see Deutscher 1963, 12–14; Service 2010)" in text
    assert "Service (2010) argues the opposite, and Deutscher (1963, 7) agrees." in text
    assert "## References" in text and "[^" not in text


def test_suppressed_author(library: dict[str, Source]) -> None:
    result = render_manuscript(
        "Deutscher says so [-@deutscher1963, 99].\n", library, style="chicago-author-date"
    )
    assert result.text.startswith("Deutscher says so (1963, 99).")


def test_existing_footnotes_keep_their_labels(library: dict[str, Source]) -> None:
    text = "A claim.[^1] Another [@service2010].\n\n[^1]: The author's own note.\n"
    result = render_manuscript(text, library, bibliography=False)
    assert "Another.[^cite-1]" in result.text
    assert "[^1]: The author's own note." in result.text
    assert "[^cite-1]: Robert Service" in result.text
