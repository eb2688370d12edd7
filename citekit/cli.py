"""The ``citekit`` command: a thin adapter over citekit.services (rich tables, or --json)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import Session

from citekit import __version__, services
from citekit.errors import CitekitError, InvalidRecord
from citekit.model import Source
from citekit.render import ordered_groups

app = typer.Typer(
    name="citekit",
    help="Source-citation and bibliography manager: records, claim links, exports, styles.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
sources_app = typer.Typer(help="Add, list, show and remove sources.", no_args_is_help=True)
app.add_typer(sources_app, name="sources")

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")

JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error on stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn citekit errors into a clear message and a non-zero exit, never a traceback."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except InvalidRecord as exc:
            err_console.print("[bold red]error:[/] invalid record", highlight=False)
            for error in exc.errors:
                err_console.print(f"  {error.path}: {error.msg}", highlight=False, markup=False)
            raise typer.Exit(1) from None
        except CitekitError as exc:
            raise fail(exc.detail) from None

    return wrapper


@contextmanager
def open_session() -> Iterator[Session]:
    """A session on the configured database (migrated on first use); commits on success."""
    from citekit.storage import make_engine, session_scope

    try:
        engine = make_engine()
    except Exception as exc:  # a bad URL or an unreachable server: say so, no traceback
        raise fail(f"cannot open the database: {exc}") from None
    try:
        with session_scope(engine) as session:
            yield session
    finally:
        engine.dispose()


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8, for scripts."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def source_json(source: Source) -> dict[str, Any]:
    data = source.model_dump(mode="json", by_alias=True, exclude_none=True)
    if not data.get("extra"):
        data.pop("extra", None)
    return data


def _creators(source: Source) -> str:
    return "; ".join(c.inverted() for c in source.creators if c.role == "author") or "; ".join(
        f"{c.inverted()} ({c.role})" for c in source.creators
    )


def _version(value: bool) -> None:
    if value:
        console.print(f"citekit {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """citekit: validated sources, claims linked to them, and exports in the styles you need."""


@app.command()
@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (PostgreSQL for more than 1).")
    ] = 1,
    demo: Annotated[
        bool, typer.Option(help="Load the demo library into an empty database.")
    ] = True,
) -> None:
    """Run the REST API (OpenAPI at /docs); an empty database gets the demo library first."""
    import uvicorn

    if demo:
        with open_session() as session:
            added = services.load_demo_library(session)
        if added:
            err_console.print(f"loaded the demo library: {added} sources")
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers)


@sources_app.command("list")
@handle_errors
def sources_list(
    q: Annotated[
        str | None, typer.Option("--q", "-q", help="Search title, creators, DOI...")
    ] = None,
    group: Annotated[str | None, typer.Option(help="Only this group.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="Only this CSL type.")] = None,
    year_from: Annotated[int | None, typer.Option(help="Issued in or after this year.")] = None,
    year_to: Annotated[int | None, typer.Option(help="Issued in or before this year.")] = None,
    creator: Annotated[str | None, typer.Option(help="A creator's name contains this.")] = None,
    sort: Annotated[str, typer.Option(help="key, title, year, creator, type, group...")] = "key",
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List sources, grouped by source group."""
    with open_session() as session:
        rows, total = services.list_sources(
            session,
            q=q,
            group=group,
            type=type,
            year_from=year_from,
            year_to=year_to,
            creator=creator,
            sort=sort,
            limit=limit,
        )
    if as_json:
        print_json({"count": total, "data": [source_json(s) for s in rows]})
        return
    if not rows:
        console.print("no sources")
        return
    groups: dict[str, list[Source]] = {}
    for source in rows:
        groups.setdefault(source.group or "", []).append(source)
    for name in ordered_groups(groups):
        members = groups[name]
        table = Table(title=f"{name.capitalize()} ({len(members)})", title_justify="left")
        for column in ("key", "type", "year", "creators", "title"):
            table.add_column(column, overflow="fold")
        for s in members:
            year = s.issued.edtf() if s.issued else ""
            table.add_row(s.key, s.type.value, year, _creators(s), s.title or "")
        console.print(table)
    console.print(f"{total} sources in {len(groups)} group{'s' if len(groups) != 1 else ''}")


@sources_app.command("show")
@handle_errors
def sources_show(
    ref: Annotated[str, typer.Argument(help="Source id or citation key.")],
    as_json: JsonOption = False,
) -> None:
    """Show one source with all its fields."""
    with open_session() as session:
        source = services.get_source(session, ref=ref)
    data = source_json(source)
    if as_json:
        print_json(data)
        return
    table = Table(show_header=False, title=f"{source.key} ({source.id})", title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name, value in data.items():
        if name == "creators":
            value = "\n".join(f"{c.inverted()} ({c.role})" for c in source.creators)
        elif name in ("issued", "accessed", "original-date"):
            value = getattr(source, name.replace("-", "_")).edtf()
        elif not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False)
        table.add_row(name, value)
    console.print(table)


@sources_app.command("add")
@handle_errors
def sources_add(
    type: Annotated[str | None, typer.Option("--type", help="CSL type: book, webpage...")] = None,
    title: Annotated[str | None, typer.Option(help="Title.")] = None,
    author: Annotated[
        list[str] | None, typer.Option(help='"Family, Given" (repeat for several).')
    ] = None,
    issued: Annotated[str | None, typer.Option(help="Date: 1937, 1941-08, 1932/1933.")] = None,
    group: Annotated[str | None, typer.Option(help="primary, secondary, image, or yours.")] = None,
    key: Annotated[str | None, typer.Option(help="Citation key (generated if omitted).")] = None,
    field: Annotated[
        list[str] | None, typer.Option("--field", "-f", help="Any CSL field: NAME=VALUE.")
    ] = None,
    from_json: Annotated[
        Path | None, typer.Option("--from-json", help="Read the record (CSL names) from a file.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Add a source from options or from a JSON file; prints its key."""
    data: dict[str, Any] = {}
    if from_json is not None:
        try:
            data = json.loads(from_json.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise fail(f"cannot read {from_json}: {exc}") from None
        if not isinstance(data, dict):
            raise fail(f"{from_json} must hold one JSON object")
    for name, value in (
        ("type", type),
        ("title", title),
        ("issued", issued),
        ("group", group),
        ("key", key),
    ):
        if value is not None:
            data[name] = value
    if author:
        data["creators"] = [_parse_author(a) for a in author]
    for item in field or []:
        name, sep, value = item.partition("=")
        if not sep:
            raise fail(f"--field needs NAME=VALUE, got {item!r}")
        data[name.strip()] = value
    data.setdefault("type", "book")
    with open_session() as session:
        source = services.add_source(session, data=data)
    if as_json:
        print_json(source_json(source))
    else:
        console.print(f"added [bold]{source.key}[/] ({source.id})")


def _parse_author(text: str) -> dict[str, str]:
    family, sep, given = text.partition(",")
    if not sep:
        return {"literal": text.strip()}
    return {"family": family.strip(), "given": given.strip()}


@sources_app.command("rm")
@handle_errors
def sources_rm(
    ref: Annotated[str, typer.Argument(help="Source id or citation key.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
) -> None:
    """Remove a source (and the claim links that cite it)."""
    with open_session() as session:
        source = services.get_source(session, ref=ref)
        if not yes and not typer.confirm(f"remove {source.key} ({source.title})?"):
            raise typer.Exit(1)
        services.delete_source(session, ref=source.id or ref)
    console.print(f"removed {source.key}")


# ---------------------------------------------------------------------------------------------
# API keys
# ---------------------------------------------------------------------------------------------

keys_app = typer.Typer(help="Create, list and revoke REST API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _key_json(key: services.ApiKey) -> dict[str, Any]:
    return key.model_dump(mode="json")


@keys_app.command("create")
@handle_errors
def keys_create(
    scope: Annotated[str, typer.Option(help="read (GET only) or write (everything).")] = "read",
    name: Annotated[str, typer.Option(help="What the key is for, e.g. 'Zotero plugin'.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Create a key; its token is shown once (only a hash of it is stored)."""
    with open_session() as session:
        key, token = services.create_api_key(session, scope=scope, name=name)
    if as_json:
        print_json({**_key_json(key), "token": token})
        return
    console.print(f"created {key.scope} key {key.id} ({key.name or 'no name'})")
    console.print("token (shown once, keep it safe):", highlight=False)
    sys.stdout.write(token + "\n")
    console.print("send it as: Authorization: Bearer <token>", highlight=False)


@keys_app.command("list")
@handle_errors
def keys_list(as_json: JsonOption = False) -> None:
    """List keys (never their tokens)."""
    with open_session() as session:
        keys = services.list_api_keys(session)
    if as_json:
        print_json([_key_json(k) for k in keys])
        return
    if not keys:
        console.print("no API keys; create one with: citekit keys create --scope write")
        return
    table = Table()
    for column in ("id", "prefix", "scope", "name", "created", "last used", "state"):
        table.add_column(column)
    for k in keys:
        last = k.last_used.strftime("%Y-%m-%d %H:%M") if k.last_used else "never"
        state = "revoked" if k.revoked else "active"
        table.add_row(
            k.id, f"{k.prefix}…", k.scope, k.name, k.created.strftime("%Y-%m-%d"), last, state
        )
    console.print(table)


@keys_app.command("revoke")
@handle_errors
def keys_revoke(
    ref: Annotated[str, typer.Argument(help="The key's id or its prefix (ck_…).")],
) -> None:
    """Revoke a key: requests with it get 401 from then on."""
    with open_session() as session:
        key = services.revoke_api_key(session, ref=ref)
    console.print(f"revoked {key.scope} key {key.id} ({key.prefix}…)")


# ---------------------------------------------------------------------------------------------
# Integrity checks, duplicates and merging (issue 3)
# ---------------------------------------------------------------------------------------------

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _print_findings(findings: list[Any], what: str) -> None:
    from citekit.integrity import Summary

    if not findings:
        console.print(f"{what}: no problems found")
        return
    table = Table(title=f"{what}: {Summary.of(findings)}", title_justify="left")
    for column in ("severity", "record", "field", "problem", "suggested fix"):
        table.add_column(column, overflow="fold")
    for f in findings:
        fix = "; ".join(
            f"{name} = {json.dumps(value, ensure_ascii=False)}"
            for name, value in (f.fix or {}).items()
            if name != "creators"
        ) or ("creators updated" if f.fix else "")
        table.add_row(
            f"[{_SEVERITY_STYLE[f.severity.value]}]{f.severity.value}[/]",
            f.where,
            f.field or "",
            f.message,
            fix,
        )
    console.print(table)


@app.command()
@handle_errors
def check(
    file: Annotated[
        Path | None,
        typer.Argument(help="Check this file instead of the library (nothing is imported)."),
    ] = None,
    format: Annotated[
        str | None, typer.Option("--format", help="The file's format (else from its suffix).")
    ] = None,
    article: Annotated[
        str | None,
        typer.Option(help="Compare creators' names with this article (a stored id or a file)."),
    ] = None,
    style: Annotated[
        str, typer.Option(help="The style whose needed fields are checked.")
    ] = "chicago",
    strict: Annotated[bool, typer.Option(help="Exit non-zero on warnings too.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Integrity checks: identifiers, URLs, dates, fields the style needs, typing slips, names,
    order. Exit status 1 when an error is found (with --strict, a warning too)."""
    article_text = None
    if article is not None and Path(article).is_file():
        article_text = Path(article).read_text(encoding="utf-8")
    if file is not None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise fail(f"cannot read {file}: {exc}") from None
        findings = services.check_file(
            data=data, format=format, filename=file.name, article_text=article_text, style=style
        )
        what = str(file)
    else:
        stored_article = article if article_text is None else None
        with open_session() as session:
            findings = services.check_library(
                session, article=stored_article, article_text=article_text, style=style
            )
        what = "library"
    if as_json:
        print_json([f.as_dict() for f in findings])
    else:
        _print_findings(findings, what)
    failing = {"error", "warning"} if strict else {"error"}
    if any(f.severity.value in failing for f in findings):
        raise typer.Exit(1)


@app.command()
@handle_errors
def duplicates(as_json: JsonOption = False) -> None:
    """List likely duplicates (same DOI or ISBN, or same title, year ±1 and creator)."""
    with open_session() as session:
        matches = services.find_duplicates(session)
    if as_json:
        print_json(
            [{"first": m.first.key, "second": m.second.key, "reasons": m.reasons} for m in matches]
        )
        return
    if not matches:
        console.print("no duplicates found")
        return
    plural = "s" if len(matches) != 1 else ""
    table = Table(title=f"{len(matches)} likely duplicate pair{plural}", title_justify="left")
    for column in ("keep", "merge", "title", "why"):
        table.add_column(column, overflow="fold")
    for m in matches:
        table.add_row(m.first.key, m.second.key, m.first.title or "", "; ".join(m.reasons))
    console.print(table)
    console.print("merge one pair with: citekit merge KEEP OTHER")


@app.command()
@handle_errors
def merge(
    keep: Annotated[str, typer.Argument(help="The source that stays (id or key).")],
    other: Annotated[str, typer.Argument(help="The source merged into it and removed.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Merge OTHER into KEEP: no value is lost, claim links move to KEEP, OTHER is removed."""
    with open_session() as session:
        survivor = services.get_source(session, ref=keep)
        goner = services.get_source(session, ref=other)
        if not yes and not typer.confirm(f"merge {goner.key} into {survivor.key}?"):
            raise typer.Exit(1)
        report = services.merge_sources(session, keep=keep, other=other)
    if as_json:
        print_json(report.model_dump(mode="json", by_alias=True, exclude_none=True))
        return
    console.print(
        f"merged {report.removed} into [bold]{report.source.key}[/]: "
        f"{report.links_moved} claim links moved, {report.links_dropped} already there"
    )
    if report.filled:
        console.print(f"  filled from {report.removed}: {', '.join(report.filled)}")
    if report.added_creators:
        console.print(f"  creators added: {', '.join(report.added_creators)}")
    for c in report.conflicts:
        console.print(
            f"  conflict in {c['field']}: kept {c['kept']!r}, "
            f"{report.removed}'s {c['other']!r} saved in extra.{c['saved_as']}",
            markup=False,
        )


# ---------------------------------------------------------------------------------------------
# Bibliographies, citations and styles (issue 4)
# ---------------------------------------------------------------------------------------------

StyleOption = Annotated[
    str, typer.Option("--style", "-s", help="Style id or alias; see `citekit styles`.")
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="text, html or markdown.")]


@app.command()
@handle_errors
def bib(
    style: StyleOption = "chicago-notes-bibliography",
    group: Annotated[str | None, typer.Option(help="Only this group (image, primary …).")] = None,
    grouped: Annotated[
        bool, typer.Option("--grouped", help="Under group headings: Images, Primary, Secondary.")
    ] = False,
    fmt: FormatOption = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
) -> None:
    """The bibliography of the library in a style (native Chicago, APA, MLA, or any CSL id)."""
    with open_session() as session:
        text = services.bibliography(session, style=style, format=fmt, group=group, grouped=grouped)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {output}", highlight=False)
    else:
        sys.stdout.write(text)


@app.command()
@handle_errors
def cite(
    key: Annotated[str, typer.Argument(help="Citation key (or id) of the source.")],
    locator: Annotated[
        str | None, typer.Option("--locator", "-l", help='Where in the source: "p. 45", "fig. 3".')
    ] = None,
    style: StyleOption = "chicago-notes-bibliography",
    short: Annotated[
        bool, typer.Option("--short", help="A short (subsequent) note in a notes style.")
    ] = False,
    fmt: FormatOption = "text",
) -> None:
    """A note or in-text citation of one source: `citekit cite deutscher1963 -l "p. 45"`."""
    with open_session() as session:
        text = services.cite_source(
            session, ref=key, style=style, locator=locator, short=short, format=fmt
        )
    sys.stdout.write(text + "\n")


@app.command()
@handle_errors
def styles(
    native: Annotated[
        bool, typer.Option("--native", help="Only citekit's own styles, not the CSL ones.")
    ] = False,
    search: Annotated[
        str | None, typer.Option("--search", help="Only styles whose id or title holds this.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The styles: citekit's native ones, then every CSL style citeproc-py can render."""
    from citekit.render import list_styles
    from citekit.render.styles.csl import csl_styles

    needle = (search or "").casefold()

    def wanted(style_id: str, title: str) -> bool:
        return needle in style_id.casefold() or needle in title.casefold()

    everything = list_styles()
    own = [s for s in everything if wanted(str(s["id"]), str(s["title"]))]
    # a CSL id that a native style also has renders natively, so it is listed once
    taken = {str(s["id"]) for s in everything}
    csl = [
        {"id": i, "title": t}
        for i, t in ([] if native else csl_styles().items())
        if i not in taken and wanted(i, t)
    ]
    if as_json:
        print_json({"native": own, "csl": csl})
        return
    table = Table(title="native styles")
    for column in ("id", "title", "kind", "aliases"):
        table.add_column(column)
    for s in own:
        aliases = s["aliases"] if isinstance(s["aliases"], list) else []
        table.add_row(str(s["id"]), str(s["title"]), str(s["kind"]), ", ".join(aliases))
    console.print(table)
    if csl:
        # plain lines: thousands of rows are faster to print (and to grep) than a table
        sys.stdout.write(f"\nCSL styles through citeproc-py ({len(csl)}):\n")
        sys.stdout.write("".join(f"{s['id']}\t{s['title']}\n" for s in csl))


# ---------------------------------------------------------------------------------------------
# Articles, claims and their links to sources
# ---------------------------------------------------------------------------------------------

article_app = typer.Typer(help="Import an article and update its text.", no_args_is_help=True)
app.add_typer(article_app, name="article")
claims_app = typer.Typer(help="List, show and find an article's claims.", no_args_is_help=True)
app.add_typer(claims_app, name="claims")

ArticleOption = Annotated[
    str | None, typer.Option("--article", help="Article id (default: the latest one).")
]


def _read_text(path: Path) -> str:
    """A text file as UTF-8 (a BOM is fine); anything else is a clear error."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise fail(f"{path} is not UTF-8 text (byte {exc.start}): save it as UTF-8") from None


def _claim_json(claim: Any) -> dict[str, Any]:
    return claim.model_dump(mode="json", exclude={"created", "modified"})


def _short(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@article_app.command("import")
@handle_errors
def article_import(
    file: Annotated[Path, typer.Argument(help="Plain-text or Markdown article.")],
    title: Annotated[str | None, typer.Option(help="Title (default: the first line).")] = None,
    with_bibliography: Annotated[
        bool,
        typer.Option(
            "--with-bibliography", help="Also import the article's bibliography as sources."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import an article: its sentences and captions become claims, by section."""
    text = _read_text(file)
    with open_session() as session:
        result = services.import_article(
            session, text=text, title=title, import_bibliography=with_bibliography
        )
    if as_json:
        print_json(result.model_dump(mode="json", exclude={"article": {"text"}}))
        return
    article = result.article
    console.print(f"imported article {article.id}: {article.title}", highlight=False)
    console.print(
        f"{result.claims} claims ({result.captions} captions) in {len(result.sections)} sections"
    )
    report = result.sources
    if report is not None:
        console.print(
            f"bibliography: {len(report.added)} sources added, {len(report.duplicates)} in the "
            f"library already, {len(report.failures)} entries not read"
        )
        for failure in report.failures:
            err_console.print(
                f"  line {failure.line}: {failure.reason}", markup=False, highlight=False
            )
    elif result.bibliography:
        console.print("bibliography split off; --with-bibliography imports its entries as sources")


@article_app.command("list")
@handle_errors
def article_list(as_json: JsonOption = False) -> None:
    """List the articles."""
    with open_session() as session:
        articles = services.list_articles(session)
    if as_json:
        print_json([a.model_dump(mode="json", exclude={"text"}) for a in articles])
        return
    table = Table()
    for column in ("id", "version", "title", "author"):
        table.add_column(column, overflow="fold")
    for a in articles:
        table.add_row(a.id, str(a.version), a.title, a.author or "")
    console.print(table if articles else "no articles")


@article_app.command("update")
@handle_errors
def article_update(
    file: Annotated[Path, typer.Argument(help="The article's new text.")],
    article: ArticleOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replace an article's text; every claim is anchored again and the outcome reported."""
    text = _read_text(file)
    with open_session() as session:
        report = services.replace_article_text(session, ref=article, text=text)
    if as_json:
        print_json(report.model_dump(mode="json", exclude={"article": {"text"}}))
        return
    counts = report.counts
    console.print(
        f"re-anchored {report.found_share:.0%}: {counts['position']} in place, "
        f"{counts['quote']} moved, {counts['fuzzy']} changed, {counts['orphan']} orphaned, "
        f"{counts['new']} new"
    )
    for claim in report.fuzzy:
        console.print(f"  changed  {claim.id}  {_short(claim.text)}", highlight=False)
    for claim in report.orphans:
        console.print(f"  [yellow]orphan[/]   {claim.id}  {_short(claim.text)}", highlight=False)
    for claim in report.new_claims:
        console.print(f"  new      {claim.id}  {_short(claim.text)}", highlight=False)


@claims_app.command("list")
@handle_errors
def claims_list(
    unsupported: Annotated[
        bool, typer.Option("--unsupported", help="Only claims no citation backs.")
    ] = False,
    section: Annotated[str | None, typer.Option(help="Only this section.")] = None,
    article: ArticleOption = None,
    as_json: JsonOption = False,
) -> None:
    """List an article's claims in text order, with their number of citations."""
    with open_session() as session:
        claims = services.list_claims(
            session, article=article, unsupported=unsupported, section=section
        )
        counts = services.citation_counts(session, article=article)
    if as_json:
        print_json([{**_claim_json(c), "citations": counts.get(c.id or "", 0)} for c in claims])
        return
    if not claims:
        console.print("no claims")
        return
    table = Table()
    for column in ("id", "section", "kind", "cites", "text"):
        table.add_column(column, overflow="fold")
    for c in claims:
        kind = c.kind.value + (" (orphan)" if c.orphan else "")
        cites = str(counts.get(c.id or "", 0))
        table.add_row(c.id, c.section or "", kind, cites, _short(c.text, 100))
    console.print(table)
    console.print(f"{len(claims)} claims")


@claims_app.command("show")
@handle_errors
def claims_show(
    claim: Annotated[str, typer.Argument(help="Claim id, or a quote from it.")],
    as_json: JsonOption = False,
) -> None:
    """Show a claim and the sources that back it."""
    with open_session() as session:
        found = services.get_claim(session, ref=claim)
        support = services.sources_for_claim(session, claim=found.id or "")
    if as_json:
        print_json(
            {
                **_claim_json(found),
                "citations": [
                    {
                        **s.citation.model_dump(mode="json", exclude={"created", "modified"}),
                        "source_key": s.source.key,
                    }
                    for s in support
                ],
            }
        )
        return
    where = f"{found.section or '(no section)'}, {found.kind.value}"
    console.print(
        f"[bold]{found.id}[/] ({where}, characters {found.anchor.start}–"
        f"{found.anchor.end}){' [yellow]orphan[/]' if found.orphan else ''}"
    )
    console.print(found.text, highlight=False, markup=False)
    if not support:
        console.print("no citations: try `citekit suggest " + (found.id or "") + "`")
    for s in support:
        c = s.citation
        locator = f", {c.locator.label.value} {c.locator.value}" if c.locator else ""
        console.print(
            f"  {c.relation.value} ← {s.source.key}{locator} [{c.rank.value}] "
            f"({c.id}): {_short(s.source.title or '', 70)}",
            highlight=False,
            markup=False,
        )


@claims_app.command("find")
@handle_errors
def claims_find(
    quote: Annotated[str, typer.Argument(help="Text from the article (quotes, spaces may vary).")],
    article: ArticleOption = None,
    as_json: JsonOption = False,
) -> None:
    """Find the claims that contain a quote, and the sources that back them."""
    with open_session() as session:
        claims = services.find_claims(session, quote=quote, article=article)
        support = {c.id: services.sources_for_claim(session, claim=c.id or "") for c in claims}
    if as_json:
        print_json(
            [{**_claim_json(c), "sources": [s.source.key for s in support[c.id]]} for c in claims]
        )
        return
    if not claims:
        raise fail(f"no claim contains {quote!r}")
    for c in claims:
        keys = ", ".join(s.source.key or "" for s in support[c.id]) or "no citations"
        console.print(f"[bold]{c.id}[/] ({c.section or '-'}): {keys}", highlight=False)
        console.print(f"  {c.text}", highlight=False, markup=False)


@claims_app.command("by-source")
@handle_errors
def claims_by_source(
    source: Annotated[str, typer.Argument(help="Source id or citation key.")],
    as_json: JsonOption = False,
) -> None:
    """The claims a source is cited for."""
    with open_session() as session:
        uses = services.claims_for_source(session, source=source)
    if as_json:
        print_json([{**_claim_json(u.claim), "relation": u.citation.relation.value} for u in uses])
        return
    if not uses:
        console.print(f"no claim cites {source}")
    for u in uses:
        console.print(
            f"{u.claim.id} {u.citation.relation.value}: {_short(u.claim.text)}",
            highlight=False,
            markup=False,
        )


@app.command()
@handle_errors
def link(
    claim: Annotated[str, typer.Argument(help="Claim id, or a quote from it.")],
    source: Annotated[str, typer.Argument(help="Source id or citation key.")],
    locator: Annotated[
        str | None, typer.Option(help='Where in the source: "p. 45", "fig. 3", "fol. 12r".')
    ] = None,
    relation: Annotated[
        str, typer.Option(help="supports, contradicts, mentions or illustrates.")
    ] = "supports",
    rank: Annotated[str, typer.Option(help="preferred, normal or deprecated.")] = "normal",
    quotation: Annotated[str | None, typer.Option(help="The source's own words.")] = None,
    note: Annotated[str | None, typer.Option(help="A note on this citation.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Cite a source for a claim."""
    with open_session() as session:
        citation = services.add_citation(
            session,
            claim=claim,
            source=source,
            locator=locator,
            relation=relation,
            rank=rank,
            quotation=quotation,
            note=note,
        )
    if as_json:
        print_json(citation.model_dump(mode="json"))
        return
    console.print(f"linked: citation {citation.id}", highlight=False)


@app.command()
@handle_errors
def unlink(
    claim: Annotated[str, typer.Argument(help="Claim id, or a quote from it.")],
    source: Annotated[str, typer.Argument(help="Source id or citation key.")],
) -> None:
    """Remove the citations of a source by a claim."""
    with open_session() as session:
        removed = services.unlink(session, claim=claim, source=source)
    console.print(f"removed {removed} citation{'s' if removed != 1 else ''}")


@app.command()
@handle_errors
def suggest(
    claim: Annotated[str, typer.Argument(help="Claim id, or a quote from it.")],
    limit: Annotated[int, typer.Option(help="At most this many.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """Suggest sources for a claim, with the reasons for each."""
    with open_session() as session:
        found = services.get_claim(session, ref=claim)
        suggestions = services.suggest_sources(session, claim=found.id or "", limit=limit)
    if as_json:
        print_json(
            [
                {
                    "source": s.source.key,
                    "score": s.score,
                    "reasons": [
                        {"kind": r.kind.value, "detail": r.detail, "weight": round(r.weight, 3)}
                        for r in s.reasons
                    ],
                }
                for s in suggestions
            ]
        )
        return
    console.print(found.text, highlight=False, markup=False)
    if not suggestions:
        console.print("no suggestion")
    for s in suggestions:
        reasons = "; ".join(f"{r.kind.value}: {r.detail}" for r in s.reasons)
        console.print(
            f"  {s.score:5.2f}  {s.source.key}  {_short(reasons, 100)}",
            highlight=False,
            markup=False,
        )


@app.command()
@handle_errors
def coverage(article: ArticleOption = None, as_json: JsonOption = False) -> None:
    """How many claims are backed by a citation, per section and in total; uncited sources."""
    with open_session() as session:
        cov = services.coverage(session, article=article)
        uncited = services.uncited_sources(session)
    if as_json:
        print_json({**cov.model_dump(mode="json"), "uncited_sources": [s.key for s in uncited]})
        return
    table = Table()
    for column in ("section", "claims", "backed", "share"):
        table.add_column(column, justify="left" if column == "section" else "right")
    for s in [*cov.sections, cov.total]:
        name = s.section if s is not cov.total else "[bold]whole article[/]"
        table.add_row(
            name or "(before the first heading)", str(s.claims), str(s.supported), f"{s.share:.0%}"
        )
    console.print(table)
    if uncited:
        console.print("sources no claim cites: " + ", ".join(s.key or "" for s in uncited))


@app.command()
@handle_errors
def annotate(
    article: ArticleOption = None,
    style: Annotated[
        str, typer.Option("--style", "-s", help="Style id or alias; see `citekit styles`.")
    ] = "chicago-notes-bibliography",
    fmt: Annotated[str, typer.Option("--format", "-f", help="markdown, html or text.")] = (
        "markdown"
    ),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
) -> None:
    """The article with its citations as footnotes (or in-text) and a grouped bibliography."""
    with open_session() as session:
        text = services.annotate_article(session, article=article, style=style, format=fmt)
    _write_or_print(text, output)


def _write_or_print(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror}") from None
    console.print(f"wrote {output}", highlight=False)


@app.command("render")
@handle_errors
def render_command(
    manuscript: Annotated[Path, typer.Argument(help="Markdown with [@key, p. 45] citations.")],
    style: Annotated[
        str, typer.Option("--style", "-s", help="Style id or alias; see `citekit styles`.")
    ] = "chicago-notes-bibliography",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 1) when a key is unknown.")
    ] = False,
) -> None:
    """Render a manuscript's pandoc citations with a style and append the works cited."""
    text = _read_text(manuscript)
    with open_session() as session:
        result = services.render_manuscript(session, text=text, style=style)
    for unknown in result.unknown:
        err_console.print(
            f"[yellow]warning:[/] {manuscript}:{unknown.line}:{unknown.column}: "
            f"no source with key {unknown.key!r}",
            highlight=False,
            soft_wrap=True,
        )
    _write_or_print(result.text, output)
    if strict and result.unknown:
        raise typer.Exit(1)


# -- import and export (issue 3) ---------------------------------------------------------------

EXPORT_FORMATS = ("bibtex", "biblatex", "csljson", "ris")
# Imports with fewer records finish before a bar would be worth drawing.
PROGRESS_FROM = 200
SHOWN = 20


@contextmanager
def _import_progress(enabled: bool, what: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback: a pulsing bar while the file is read, then records stored/total."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    if not enabled or not err_console.is_terminal:
        yield lambda done, total: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=True) as progress:
        task = progress.add_task(f"reading {what}", total=None)

        def update(done: int, total: int) -> None:
            if total < PROGRESS_FROM:
                progress.update(task, visible=False)
            elif done == 0:
                progress.update(task, description="importing", total=total, completed=0)
            else:
                progress.update(task, completed=done)

        yield update


def _print_import(report: services.ImportReport, file: Path, *, dry_run: bool) -> None:
    title = f"{file.name} ({report.format or 'empty'})"
    if not report.stored:
        title += ": nothing stored" + (" (dry run)" if dry_run else " (--strict, entries failed)")
    table = Table(title=title, title_justify="left")
    table.add_column("outcome")
    table.add_column("records", justify="right")
    for label, count in (
        ("Added", len(report.added)),
        ("Updated", len(report.updated)),
        ("Duplicates", len(report.duplicates)),
        ("Failed", len(report.failures)),
    ):
        table.add_row(label, str(count))
    console.print(table)
    for match in report.duplicates[:SHOWN]:
        who = match.key or match.title or f"record {match.index + 1}"
        console.print(f"  duplicate: {who} is {match.matched} ({match.reason})", markup=False)
    if len(report.duplicates) > SHOWN:
        console.print(f"  … and {len(report.duplicates) - SHOWN} more duplicates (--json)")
    for key, fields in report.uncertain.items():
        console.print(f"  check {key}: guessed {', '.join(fields)}", markup=False)
    for warning in report.warnings[:SHOWN]:
        err_console.print(f"warning: {warning}", markup=False, highlight=False, soft_wrap=True)
    if len(report.warnings) > SHOWN:
        err_console.print(f"… and {len(report.warnings) - SHOWN} more warnings (--json)")
    for failure in report.failures:
        where = f"line {failure.line}" if failure.line is not None else "input"
        who = f" ({failure.key})" if failure.key else ""
        err_console.print(
            f"failed: {where}{who}: {failure.reason}",
            style="red",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


@app.command("import")
@handle_errors
def import_command(
    file: Annotated[Path, typer.Argument(help="A .bib, .json (CSL-JSON), .ris or .txt file.")],
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="bibtex, biblatex, csljson, ris or plaintext (default: suffix)."
        ),
    ] = None,
    group: Annotated[
        str | None, typer.Option("--group", "-g", help="Put every record in this group.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report what would happen; store nothing.")
    ] = False,
    strict: Annotated[bool, typer.Option(help="Store nothing if any entry fails.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Import sources from a file in one transaction; sources stored already are not doubled."""
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {file}: {exc.strerror}") from None
    with open_session() as session, _import_progress(not as_json, file.name) as progress:
        report = services.import_records(
            session,
            data=data,
            format=format,
            filename=file.name,
            group=group,
            dry_run=dry_run,
            strict=strict,
            progress=progress,
        )
    if as_json:
        print_json(report.model_dump(mode="json"))
    else:
        _print_import(report, file, dry_run=dry_run)
    if report.failures:
        raise typer.Exit(1)


@app.command("export")
@handle_errors
def export_command(
    format: Annotated[
        str, typer.Option("--format", "-f", help="bibtex, biblatex, csljson or ris.")
    ],
    group: Annotated[str | None, typer.Option("--group", "-g", help="Only this group.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default: standard output).")
    ] = None,
) -> None:
    """Export the library (or one group) as BibTeX, BibLaTeX, CSL-JSON or RIS."""
    if format not in EXPORT_FORMATS:
        raise fail(f"cannot export as {format!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    with open_session() as session:
        text = services.export_records(session, format=format, group=group)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror}") from None
    err_console.print(f"exported to {output}", highlight=False)
