"""Articles, claims and citations over HTTP, on the demo library."""

from __future__ import annotations

from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def _article_id(client: TestClient) -> str:
    articles = client.get("/articles").json()
    assert articles["count"] == 1
    return articles["data"][0]["id"]


def _claim_id(client: TestClient, quote: str) -> str:
    found = client.get("/claims/find", params={"quote": quote})
    assert found.status_code == 200, found.text
    assert found.json()["count"] == 1
    return found.json()["data"][0]["id"]


def test_article_claims_page_and_coverage(client: TestClient, demo: int) -> None:
    article = _article_id(client)
    assert client.get(f"/articles/{article}").headers["etag"] == '"1"'
    claims = client.get(f"/articles/{article}/claims", params={"limit": 10})
    total = int(claims.headers["total-results"])
    assert total == claims.json()["count"] > 10
    assert len(claims.json()["data"]) == 10
    starts = [c["anchor"]["start"] for c in claims.json()["data"]]
    assert starts == sorted(starts)
    coverage = client.get(f"/articles/{article}/coverage").json()
    assert coverage["total"]["claims"] == total
    unsupported = client.get(f"/articles/{article}/claims", params={"unsupported": True}).json()
    assert unsupported["count"] == total - coverage["total"]["supported"]


def test_claim_with_its_sources(client: TestClient, demo: int) -> None:
    claim = _claim_id(client, "Trotsky in 1918")
    response = client.get(f"/claims/{claim}")
    assert response.status_code == 200
    body = response.json()
    assert body["claim"]["kind"] == "caption"
    assert body["citations"], "the curated links back the caption"
    assert all(c["source"]["id"] == c["citation"]["source_id"] for c in body["citations"])
    same = client.get(f"/claims/{claim}/citations").json()
    assert [c["citation"]["id"] for c in same["data"]] == [
        c["citation"]["id"] for c in body["citations"]
    ]
    assert client.get("/claims/NOSUCHCLAIM").status_code == 404


def test_claim_etag_follows_its_links_and_if_none_match_gets_304(
    client: TestClient, demo: int, write_headers: dict
) -> None:
    claim = _claim_id(client, "Trotsky in 1918")
    first = client.get(f"/claims/{claim}")
    etag = first.headers["etag"]
    assert first.headers["last-modified-version"] == str(first.json()["claim"]["version"])
    unchanged = client.get(f"/claims/{claim}", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.headers["etag"] == etag
    assert unchanged.content == b""
    assert (
        client.get(f"/claims/{claim}", headers={"If-None-Match": f'"x", W/{etag}'}).status_code
        == 304
    )
    assert client.get(f"/claims/{claim}", headers={"If-None-Match": '"1-other"'}).status_code == 200

    link = {"source": "volkogonov1996trotsky", "locator": "p. 3"}
    added = client.post(f"/claims/{claim}/citations", json=link, headers=write_headers)
    assert added.status_code == 201, added.text
    after = client.get(f"/claims/{claim}", headers={"If-None-Match": etag})
    assert after.status_code == 200, "a new link changes the claim's representation"
    assert after.headers["etag"] != etag
    assert after.headers["last-modified-version"] == first.headers["last-modified-version"]
    assert "volkogonov1996trotsky" in {c["source"]["key"] for c in after.json()["citations"]}


def test_link_a_claim_edit_and_remove_the_link(
    client: TestClient, demo: int, write_headers: dict
) -> None:
    claim = _claim_id(client, "Trotsky in 1918")
    source = client.get("/sources", params={"q": "deutscher", "limit": 1}).json()["data"][0]
    url = f"/claims/{claim}/citations"
    link = {"source": source["key"], "locator": "pp. 12–14", "relation": "mentions"}
    assert client.post(url, json=link).status_code == 401
    created = client.post(url, json=link, headers=write_headers)
    assert created.status_code == 201, created.text
    citation = created.json()
    assert citation["locator"] == {"label": "page", "value": "12–14"}
    assert created.headers["location"] == f"/citations/{citation['id']}"
    assert client.post(url, json=link, headers=write_headers).status_code == 409

    uses = client.get(f"/sources/{source['key']}/claims").json()["data"]
    assert citation["id"] in {u["citation"]["id"] for u in uses}

    target = f"/citations/{citation['id']}"
    change = {"locator": "fig. 3", "rank": "preferred"}
    assert client.patch(target, json=change, headers=write_headers).status_code == 428
    stale = client.patch(target, json=change, headers={**write_headers, "If-Match": '"5"'})
    assert stale.status_code == 412
    changed = client.patch(target, json=change, headers={**write_headers, "If-Match": '"1"'})
    assert changed.status_code == 200
    assert changed.json()["locator"] == {"label": "figure", "value": "3"}
    assert changed.headers["etag"] == '"2"'
    assert client.get(target).json()["rank"] == "preferred"
    gone = client.delete(target, headers={**write_headers, "If-Match": '"2"'})
    assert gone.status_code == 204
    assert client.get(target).status_code == 404


def test_a_link_to_an_unknown_source_is_a_404(
    client: TestClient, demo: int, write_headers: dict
) -> None:
    claim = _claim_id(client, "Trotsky in 1918")
    response = client.post(
        f"/claims/{claim}/citations", json={"source": "nobody1900"}, headers=write_headers
    )
    assert response.status_code == 404
    assert "nobody1900" in response.json()["detail"]


def test_suggestions_come_with_reasons(client: TestClient, demo: int) -> None:
    claim = _claim_id(client, "disembark in Mexico")
    response = client.get(f"/claims/{claim}/suggestions", params={"limit": 3})
    assert response.status_code == 200
    suggestions = response.json()
    assert 0 < len(suggestions) <= 3
    assert all(s["reasons"] and s["score"] > 0 for s in suggestions)
    scores = [s["score"] for s in suggestions]
    assert scores == sorted(scores, reverse=True)


def test_find_needs_a_quote(client: TestClient, demo: int) -> None:
    assert client.get("/claims/find").status_code == 422
    assert client.get("/claims/find", params={"quote": "   "}).status_code == 422


def test_import_text_then_replace_it(client: TestClient, write_headers: dict) -> None:
    text = "Exile\n\nTrotsky reached Mexico in 1937. He lived in Coyoacán.\n"
    imported = client.post(
        "/articles",
        content=text.encode(),
        headers={**write_headers, "Content-Type": "text/plain; charset=utf-8"},
    )
    assert imported.status_code == 201, imported.text
    body = imported.json()
    assert body["claims"] == 2 and body["article"]["title"] == "Exile"
    article = body["article"]["id"]
    assert imported.headers["location"] == f"/articles/{article}"

    new_text = text.replace("He lived in Coyoacán.", "He lived in Coyoacán, near Mexico City.")
    url = f"/articles/{article}"
    markdown = {**write_headers, "Content-Type": "text/markdown"}
    assert client.put(url, content=new_text.encode(), headers=markdown).status_code == 428
    replaced = client.put(url, content=new_text.encode(), headers={**markdown, "If-Match": '"1"'})
    assert replaced.status_code == 200, replaced.text
    report = replaced.json()
    assert report["article"]["version"] == 2
    assert report["found_share"] == 1.0 and not report["orphans"]
    assert replaced.headers["etag"] == '"2"'


def test_import_json_and_bad_bodies(client: TestClient, write_headers: dict) -> None:
    text = "On exile\n\nTrotsky left Norway in 1936. He sailed to Mexico."
    good = {"title": "Leaving Norway", "text": text}
    imported = client.post("/articles", json=good, headers=write_headers)
    assert imported.status_code == 201, imported.text
    assert imported.json()["article"]["title"] == "Leaving Norway"
    no_title = client.post("/articles", json={"text": "x"}, headers=write_headers)
    assert no_title.status_code == 422
    unknown = client.post("/articles", json={**good, "colour": "red"}, headers=write_headers)
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["path"] == "colour"
    empty = client.post(
        "/articles", content=b"  ", headers={**write_headers, "Content-Type": "text/plain"}
    )
    assert empty.status_code == 422
    pdf = client.post(
        "/articles", content=b"%PDF", headers={**write_headers, "Content-Type": "application/pdf"}
    )
    assert pdf.status_code == 415 and pdf.headers["content-type"] == PROBLEM
