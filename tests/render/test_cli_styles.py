"""The rendering commands: citekit bib, citekit cite, citekit styles (on a demo library)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citekit import services
from citekit.cli import app
from citekit.config import get_settings
from citekit.storage import make_engine, session_scope


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CLI runner on a SQLite library of its own holding the demo library."""
    monkeypatch.setenv("CITEKIT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    engine = make_engine()
    with session_scope(engine) as session:
        assert services.load_demo_library(session) == 18
    engine.dispose()
    yield CliRunner()
    get_settings.cache_clear()


def test_bib_grouped_in_chicago_author_date(runner: CliRunner) -> None:
    result = runner.invoke(app, ["bib", "--style", "chicago-author-date", "--grouped"])
    assert result.exit_code == 0, result.output
    blocks = result.stdout.split("\n\n")
    assert blocks[0] == "Images" and "Primary" in blocks and "Secondary" in blocks
    assert "Deutscher, Isaac. 1963. The Prophet Outcast: Trotsky 1929–1940." in result.stdout


def test_bib_one_group_as_html_and_to_a_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "refs.html"
    result = runner.invoke(
        app, ["bib", "-s", "apa", "--group", "secondary", "-f", "html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.count('class="csl-entry"') == 5
    assert "Deutscher, I. (1963). <i>The Prophet Outcast" in html


def test_bib_through_the_csl_fallback(runner: CliRunner) -> None:
    result = runner.invoke(app, ["bib", "-s", "ieee", "--group", "primary"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("[1]")
    assert len(result.stdout.strip().splitlines()) == 7


def test_cite_in_each_kind_of_style(runner: CliRunner) -> None:
    def cite(*args: str) -> str:
        result = runner.invoke(app, ["cite", "deutscher1963prophet", *args])
        assert result.exit_code == 0, result.output
        return result.stdout.strip()

    assert cite("-l", "p. 45", "-s", "chicago-author-date") == "(Deutscher 1963, 45)"
    assert cite("-l", "pp. 45-47", "-s", "apa") == "(Deutscher, 1963, pp. 45–47)"
    assert cite("-l", "45", "-s", "mla") == "(Deutscher 45)"
    assert cite("-l", "chap. 4", "-s", "harvard-cite-them-right") == "(Deutscher, 1963, chap. 4)"
    assert cite("-l", "45").startswith("Isaac Deutscher, The Prophet Outcast")
    assert cite("-l", "45", "--short") == "Deutscher, Prophet Outcast, 45."


def test_errors_are_messages_not_tracebacks(runner: CliRunner) -> None:
    unknown_key = runner.invoke(app, ["cite", "nosuchkey"])
    assert unknown_key.exit_code == 1 and "nosuchkey" in unknown_key.output
    unknown_style = runner.invoke(app, ["cite", "deutscher1963prophet", "-s", "no-such-style"])
    assert unknown_style.exit_code == 1 and "unknown citation style" in unknown_style.output
    bad_format = runner.invoke(app, ["bib", "-f", "docx"])
    assert bad_format.exit_code == 1 and "docx" in bad_format.output
    # a CSL style citeproc-py crashes on: the style and the entry are named
    crash = runner.invoke(app, ["bib", "-s", "institut-national-de-sante-publique-du-quebec-napp"])
    assert crash.exit_code == 1 and "crashed on entry" in crash.output
    assert "Traceback" not in crash.output


def test_styles_lists_native_and_csl(runner: CliRunner) -> None:
    data = json.loads(runner.invoke(app, ["styles", "--json"]).stdout)
    native = {s["id"] for s in data["native"]}
    assert {"apa", "modern-language-association", "chicago-author-date"} <= native
    csl = {s["id"] for s in data["csl"]}
    assert {"ieee", "nature", "harvard-cite-them-right"} <= csl
    assert not native & csl  # a native id renders natively, so it is not listed twice
    found = runner.invoke(app, ["styles", "--search", "harvard-cite-them"])
    assert found.exit_code == 0 and "harvard-cite-them-right\t" in found.stdout
    only = json.loads(runner.invoke(app, ["styles", "--native", "--json"]).stdout)
    assert only["csl"] == []
