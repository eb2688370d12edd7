"""Fixtures for the claims tests: the demo article's text."""

from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "references" / "trotsky-last-exile"


@pytest.fixture(scope="session")
def article_text() -> str:
    """The demo article, as shipped."""
    return (DEMO / "article.txt").read_text(encoding="utf-8")
