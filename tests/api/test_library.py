"""/sources/duplicates, /sources/{ref}/check and /sources/{ref}/merge over HTTP."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_check_reports_findings_with_fixes(client: TestClient, write_headers: dict) -> None:
    record = {
        "type": "book",
        "title": "The Prophet Outcast- Trotsky  1929-1940",
        "creators": [{"family": "Deutscher", "given": "Isaac"}],
        "issued": "1963",
    }
    key = client.post("/sources", json=record, headers=write_headers).json()["key"]
    response = client.get(f"/sources/{key}/check")
    assert response.status_code == 200
    findings = response.json()
    assert findings and all(f["key"] == key for f in findings)
    assert any(f["field"] == "title" and f["fix"] for f in findings)
    assert client.get("/sources/nobody1900/check").status_code == 404


def test_duplicates_then_merge(client: TestClient, write_headers: dict, book: dict) -> None:
    twin = {
        "type": "book",
        "title": book["title"],
        "creators": book["creators"],
        "issued": "1963",
        "ISBN": "978-0-19-281065-6",
    }
    copy = client.post("/sources", json=twin, headers=write_headers).json()
    pairs = client.get("/sources/duplicates").json()
    assert pairs["count"] == 1
    assert {pairs["data"][0]["first"]["id"], pairs["data"][0]["second"]["id"]} == {
        book["id"],
        copy["id"],
    }
    url = f"/sources/{book['key']}/merge"
    assert client.post(url, json={"other": copy["key"]}, headers=write_headers).status_code == 428
    stale = client.post(
        url,
        json={"other": copy["key"], "other_version": 9},
        headers={**write_headers, "If-Match": '"1"'},
    )
    assert stale.status_code == 412
    merged = client.post(
        url, json={"other": copy["key"]}, headers={**write_headers, "If-Match": '"1"'}
    )
    assert merged.status_code == 200, merged.text
    report = merged.json()
    assert report["removed"] == copy["key"] and report["filled"] == ["ISBN"]
    assert report["source"]["ISBN"] == "9780192810656"
    assert merged.headers["etag"] == f'"{report["source"]["version"]}"'
    assert client.get(f"/sources/{copy['key']}").status_code == 404
    assert client.get("/sources/duplicates").json()["count"] == 0
    itself = client.post(
        url, json={"other": book["key"]}, headers={**write_headers, "If-Match": "*"}
    )
    assert itself.status_code == 409
