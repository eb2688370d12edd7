"""Citation keys: generated shape, ASCII folding, uniqueness suffixes."""

from __future__ import annotations

import pytest

from citekit.model import Source, base_key, make_key, unique_key


@pytest.mark.parametrize(
    ("record", "key"),
    [
        (
            {
                "type": "book",
                "title": "The Prophet Outcast",
                "issued": "1963",
                "creators": [{"family": "Deutscher", "given": "Isaac"}],
            },
            "deutscher1963prophet",
        ),
        (
            {
                "type": "book",
                "title": "Ma vie",
                "issued": "1930",
                "creators": [{"family": "Trotski", "given": "Léon"}],
            },
            "trotski1930ma",
        ),
        (
            {
                "type": "book",
                "title": "Моя жизнь",
                "issued": "1930",
                "creators": [{"family": "Троцкий", "given": "Лев"}],
            },
            "trotskiy1930moya",
        ),
        ({"type": "book", "title": "Études", "creators": [{"family": "Ñúñez"}]}, "nunezetudes"),
        ({"type": "graphic", "title": "Trotsky in 1918"}, "trotsky1918"),
        (
            {
                "type": "report",
                "title": "Not Guilty",
                "issued": "1938",
                "creators": [{"literal": "Commission of Inquiry"}],
            },
            "commission1938not",
        ),
        (
            {
                "type": "book",
                "title": "A Book",
                "issued": "1999",
                "creators": [{"family": "Ed", "role": "editor"}, {"family": "Au"}],
            },
            "au1999book",
        ),
        ({"type": "book", "title": "The"}, "the"),
    ],
)
def test_base_key(record: dict, key: str) -> None:
    assert base_key(Source.model_validate(record)) == key


def test_unique_key_suffixes() -> None:
    taken = {"a2000b", "a2000ba"}
    assert unique_key("a2000b", taken) == "a2000bb"
    assert unique_key("free", taken) == "free"
    many = {"k"} | {f"k{c}" for c in "abcdefghijklmnopqrstuvwxyz"}
    assert unique_key("k", many) == "kaa"


def test_given_key_is_kept() -> None:
    source = Source(type="book", title="x", key="Mine:2020")
    assert make_key(source, {"Mine:2020"}) == "Mine:2020"
