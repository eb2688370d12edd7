"""/styles, /bibliography (query or Accept negotiation) and /cite over HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


def test_styles_native_and_csl(client: TestClient) -> None:
    native = client.get("/styles").json()
    ids = {s["id"] for s in native["data"]}
    assert {"chicago-notes-bibliography", "apa", "modern-language-association"} <= ids
    assert all(s["engine"] == "native" for s in native["data"])
    everything = client.get("/styles", params={"csl": True, "limit": 100, "start": 0})
    assert int(everything.headers["total-results"]) > native["count"] + 1000
    assert 'rel="next"' in everything.headers["link"]


def test_bibliography_in_a_style_and_format(client: TestClient, demo: int) -> None:
    text = client.get("/bibliography", params={"grouped": True})
    assert text.status_code == 200
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text.index("Images") < text.text.index("Primary") < text.text.index("Secondary")
    html = client.get("/bibliography", params={"format": "html", "group": "secondary"})
    assert html.headers["content-type"].startswith("text/html")
    assert "<i>The Prophet Outcast" in html.text
    assert "Primary" not in html.text


@pytest.mark.parametrize(
    ("accept", "media", "marker"),
    [
        ("text/x-bibliography; style=apa", "text/plain", "Deutscher, I. (1963)."),
        ("text/markdown", "text/markdown", "*The Prophet Outcast"),
        ("text/html;q=0.5, text/plain", "text/plain", "Deutscher, Isaac. The Prophet Outcast"),
        ("application/json;q=1, text/html;q=0.1", "text/html", "<i>The Prophet Outcast"),
    ],
)
def test_bibliography_follows_accept(
    client: TestClient, demo: int, accept: str, media: str, marker: str
) -> None:
    response = client.get("/bibliography", headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    assert marker in response.text
    assert response.headers["vary"] == "Accept"


def test_bibliography_refusals(client: TestClient, demo: int) -> None:
    assert client.get("/bibliography", headers={"Accept": "image/png"}).status_code == 406
    unknown = client.get("/bibliography", params={"style": "no-such-style"})
    assert unknown.status_code == 415
    assert "no-such-style" in unknown.json()["detail"]


def test_cite_notes_and_author_date(client: TestClient, demo: int) -> None:
    key = client.get("/sources", params={"q": "deutscher prophet"}).json()["data"][0]["key"]
    item = {"source": key, "locator": "p. 45"}
    full = client.post("/cite", json={"items": [item]})
    assert full.status_code == 200, full.text
    assert full.json()["citation"] == (
        "Isaac Deutscher, The Prophet Outcast: Trotsky 1929–1940 "
        "(Oxford University Press, 1963), 45."
    )
    short = client.post("/cite", json={"items": [item], "short": True}).json()
    assert short["citation"] == "Deutscher, Prophet Outcast, 45."
    author_date = client.post("/cite", json={"items": [item], "style": "chicago-author-date"})
    assert author_date.json()["citation"] == "(Deutscher 1963, 45)"


def test_cite_errors(client: TestClient, demo: int) -> None:
    assert client.post("/cite", json={"items": []}).status_code == 422
    missing = client.post("/cite", json={"items": [{"source": "nobody1900"}]})
    assert missing.status_code == 404
    assert (
        client.post("/cite", content=b"x", headers={"Content-Type": "text/plain"}).status_code
        == 415
    )
