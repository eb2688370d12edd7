"""The claims commands: import, list, show, find, link/unlink, suggest, coverage, update."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citekit import services
from citekit.cli import app
from citekit.config import get_settings
from citekit.storage import make_engine, session_scope

DEMO = Path(__file__).resolve().parents[2] / "references" / "trotsky-last-exile"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CLI runner on a SQLite library of its own, with the demo article imported."""
    monkeypatch.setenv("CITEKIT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    runner = CliRunner()
    result = runner.invoke(app, ["article", "import", str(DEMO / "article.txt")])
    assert result.exit_code == 0, result.output
    assert "80 claims (5 captions) in 7 sections" in result.output
    yield runner
    get_settings.cache_clear()


def test_list_show_find(runner: CliRunner) -> None:
    listed = json.loads(runner.invoke(app, ["claims", "list", "--json"]).stdout)
    assert len(listed) == 80 and all(c["citations"] == 0 for c in listed)
    shown = runner.invoke(app, ["claims", "show", "Trotsky in 1918."])
    assert shown.exit_code == 0 and "Background, caption" in shown.output
    assert "no citations" in shown.output
    found = json.loads(runner.invoke(app, ["claims", "find", "Trotsky's study", "--json"]).stdout)
    assert [c["text"] for c in found] == ["Trotsky’s study, where he was assassinated."]
    missing = runner.invoke(app, ["claims", "find", "no such words"])
    assert missing.exit_code == 1 and "no claim contains" in missing.output


def test_link_unlink_coverage(runner: CliRunner) -> None:
    engine = make_engine()
    with session_scope(engine) as session:
        services.add_source(
            session, data={"key": "t1918", "type": "graphic", "title": "Trotsky in 1918"}
        )
    engine.dispose()
    suggested = json.loads(runner.invoke(app, ["suggest", "Trotsky in 1918.", "--json"]).stdout)
    assert suggested[0]["source"] == "t1918"
    assert {r["kind"] for r in suggested[0]["reasons"]} >= {"caption", "title"}
    linked = runner.invoke(
        app,
        ["link", "Trotsky in 1918.", "t1918", "--relation", "illustrates", "--locator", "fig. 1"],
    )
    assert linked.exit_code == 0, linked.output
    listed = json.loads(runner.invoke(app, ["claims", "list", "--json"]).stdout)
    assert [c["text"] for c in listed if c["citations"]] == ["Trotsky in 1918."]
    again = runner.invoke(app, ["link", "Trotsky in 1918.", "t1918", "--locator", "fig. 1"])
    assert again.exit_code == 1 and "already cites" in again.output
    bad = runner.invoke(app, ["link", "Trotsky", "t1918"])
    assert bad.exit_code == 1 and "quote more" in bad.output and "Traceback" not in bad.output
    cov = json.loads(runner.invoke(app, ["coverage", "--json"]).stdout)
    assert cov["total"]["supported"] == 1 and cov["total"]["claims"] == 80
    assert cov["uncited_sources"] == []
    unsupported = json.loads(
        runner.invoke(app, ["claims", "list", "--unsupported", "--json"]).stdout
    )
    assert len(unsupported) == 79
    assert runner.invoke(app, ["unlink", "Trotsky in 1918.", "t1918"]).exit_code == 0
    assert runner.invoke(app, ["unlink", "Trotsky in 1918.", "t1918"]).exit_code == 1


def test_update_reports_reanchoring(runner: CliRunner, tmp_path: Path) -> None:
    text = (DEMO / "article.txt").read_text("utf-8")
    edited = tmp_path / "edited.txt"
    edited.write_text(
        text.replace("Trotsky in 1918.", "Trotsky in 1918, in uniform.").replace(
            "Sergei was accused of attempting to poison workers and was likely executed.",
            "Kirov's death gave Stalin his pretext.",
        ),
        "utf-8",
    )
    result = runner.invoke(app, ["article", "update", str(edited)])
    assert result.exit_code == 0, result.output
    assert "1 changed, 1 orphaned, 1 new" in result.output
    assert "orphan" in result.output and "Kirov's death" in result.output


def test_unreadable_file_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Titre\n\nUn café à Coyoacán. Il est parti.\n".encode("latin-1"))
    result = runner.invoke(app, ["article", "import", str(latin1)])
    assert result.exit_code == 1 and "not UTF-8" in result.output
    assert runner.invoke(app, ["article", "import", str(tmp_path / "nope.txt")]).exit_code == 1


def test_annotate_and_render(runner: CliRunner, tmp_path: Path) -> None:
    engine = make_engine()
    with session_scope(engine) as session:
        services.add_source(
            session,
            data={
                "key": "deutscher1963",
                "type": "book",
                "title": "The Prophet Outcast",
                "creators": [{"family": "Deutscher", "given": "Isaac"}],
                "issued": "1963",
            },
        )
        services.add_citation(
            session, claim="Trotsky gained asylum in France", source="deutscher1963", locator="12"
        )
    engine.dispose()
    out = tmp_path / "annotated.html"
    result = runner.invoke(app, ["annotate", "--format", "html", "--output", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert '<li id="fn-1">Isaac Deutscher, <i>The Prophet Outcast</i> (1963), 12.' in html
    assert "<h2>Bibliography</h2>" in html and "<h3>Secondary</h3>" in html
    in_text = runner.invoke(app, ["annotate", "--style", "chicago-author-date"]).stdout
    assert "markedly more tense" in in_text and "(Deutscher 1963, 12)" in in_text
    manuscript = tmp_path / "draft.md"
    manuscript.write_text("As shown [@deutscher1963, 45] and by @missing.\n", "utf-8")
    rendered = runner.invoke(app, ["render", str(manuscript)])
    assert rendered.exit_code == 0
    assert "As shown[^1] and by @missing." in rendered.stdout
    assert "draft.md:1:38: no source with key 'missing'" in rendered.stderr
    assert runner.invoke(app, ["render", str(manuscript), "--strict"]).exit_code == 1


def test_import_with_bibliography(runner: CliRunner) -> None:
    result = runner.invoke(
        app, ["article", "import", str(DEMO / "article.txt"), "--with-bibliography"]
    )
    assert result.exit_code == 0, result.output
    assert "bibliography: 18 sources added, 0 in the library already" in result.output
    cov = json.loads(runner.invoke(app, ["coverage", "--json"]).stdout)
    assert len(cov["uncited_sources"]) == 18
