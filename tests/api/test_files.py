"""/formats, /export (query or Accept), /import (raw body or multipart), over HTTP."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

BIB = (
    b"@book{trotsky1930, author={Trotsky, Leon}, title={My Life}, year=1930,"
    b" publisher={Scribner}}\n"
    b"@book{broken, title={x}, year=abc\n"
)


def test_formats_come_from_the_registry(client: TestClient) -> None:
    formats = {f["name"]: f for f in client.get("/formats").json()}
    assert set(formats) == {"bibtex", "biblatex", "csljson", "ris", "plaintext"}
    assert ".ris" in formats["ris"]["suffixes"]


@pytest.mark.parametrize(
    ("params", "accept", "media", "start"),
    [
        ({"format": "bibtex"}, None, "application/x-bibtex", "@"),
        ({"format": "ris"}, None, "application/x-research-info-systems", "TY  - "),
        ({}, "application/x-bibtex", "application/x-bibtex", "@"),
        ({}, "application/vnd.citationstyles.csl+json", "application/vnd.citationstyles", "["),
        ({}, None, "application/vnd.citationstyles.csl+json", "["),
    ],
)
def test_export_by_query_or_accept(
    client: TestClient, demo: int, params: dict, accept: str | None, media: str, start: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/export", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    assert response.text.lstrip().startswith(start)
    assert response.headers["content-disposition"].startswith("attachment; filename=")


def test_export_a_group_as_csl_json(client: TestClient, demo: int) -> None:
    items = json.loads(client.get("/export", params={"format": "csljson", "group": "image"}).text)
    assert items and all(i["type"] in ("graphic", "figure", "map") for i in items)


def test_export_refusals(client: TestClient) -> None:
    assert client.get("/export", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/export", params={"format": "docx"}).status_code == 415


def test_import_reports_added_and_failures_with_lines(
    client: TestClient, write_headers: dict
) -> None:
    bibtex = {**write_headers, "Content-Type": "application/x-bibtex"}
    dry = client.post("/import", params={"dry_run": True}, content=BIB, headers=bibtex).json()
    assert dry["stored"] is False and dry["added"] == ["trotsky1930"]
    assert dry["failures"][0]["line"] == 2
    assert client.get("/sources").json()["count"] == 0

    report = client.post(
        "/import",
        files={"file": ("refs.bib", BIB, "application/octet-stream")},
        headers=write_headers,
    )
    assert report.status_code == 200, report.text
    assert report.json()["stored"] is True and report.json()["added"] == ["trotsky1930"]
    assert client.get("/sources/trotsky1930").status_code == 200
    again = client.post("/import", content=BIB, headers=bibtex).json()
    assert again["added"] == [] and [d["matched"] for d in again["duplicates"]] == ["trotsky1930"]


def test_import_refusals(client: TestClient, write_headers: dict) -> None:
    assert client.post("/import", content=BIB).status_code == 401
    binary = client.post(
        "/import",
        content=b"\x00\x01binary",
        headers={**write_headers, "Content-Type": "application/octet-stream"},
    )
    assert binary.status_code == 415
    empty = client.post("/import", content=b"", headers=write_headers)
    assert empty.status_code == 422
    no_field = client.post(
        "/import", files={"other": ("a.bib", BIB, "text/plain")}, headers=write_headers
    )
    assert no_field.status_code == 422


def test_render_a_manuscript_as_chicago_footnotes(client: TestClient, demo: int) -> None:
    key = client.get("/sources", params={"q": "deutscher prophet"}).json()["data"][0]["key"]
    text = f"# Draft\n\nTrotsky reached Mexico.[@{key}, 45] He wrote.[@nobody1900]\n"
    response = client.post(
        "/render", content=text.encode(), headers={"Content-Type": "text/markdown"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "[^1]: Isaac Deutscher, *The Prophet Outcast" in body["text"]
    assert body["cited"] == [key]
    assert body["unknown"] == [
        {"key": "nobody1900", "line": 3, "column": text.splitlines()[2].index("@nobody") + 1}
    ]


def test_annotated_article(client: TestClient, demo: int) -> None:
    article = client.get("/articles").json()["data"][0]["id"]
    response = client.get(
        f"/articles/{article}/annotated",
        params={"style": "chicago-author-date"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "(Deutscher 1963" in response.text
    assert client.get("/articles/NOPE/annotated").status_code == 404
