"""/sources over HTTP: create, read by id and key, list and search, versions, batches."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def test_create_returns_the_stored_record_with_version_headers(
    client: TestClient, write_headers: dict[str, str], book_data: dict
) -> None:
    response = client.post("/sources", json=book_data, headers=write_headers)
    assert response.status_code == 201
    body = response.json()
    assert body["key"] == "deutscher1963prophet"
    assert body["publisher-place"] == "London"
    assert body["version"] == 1
    assert response.headers["etag"] == '"1"'
    assert response.headers["last-modified-version"] == "1"
    assert response.headers["location"] == f"/sources/{body['id']}"


def test_get_by_id_and_by_key(client: TestClient, book: dict) -> None:
    by_id = client.get(f"/sources/{book['id']}")
    by_key = client.get(f"/sources/{book['key']}")
    assert by_id.status_code == by_key.status_code == 200
    assert by_id.json() == by_key.json() == book
    assert by_id.headers["etag"] == '"1"'


def test_get_honours_if_none_match(client: TestClient, write_headers: dict, book: dict) -> None:
    url = f"/sources/{book['key']}"
    assert client.get(url, headers={"If-None-Match": '"1"'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"2"'}).status_code == 200
    patched = client.patch(
        url, json={"note": "vol. 3"}, headers={**write_headers, "If-Match": '"1"'}
    )
    assert patched.status_code == 200
    again = client.get(url, headers={"If-None-Match": '"1"'})
    assert again.status_code == 200 and again.json()["note"] == "vol. 3"
    assert again.headers["etag"] == '"2"'
    assert again.json() == patched.json()


def test_a_key_that_is_another_sources_id_still_finds_by_id_first(
    client: TestClient, write_headers: dict, book: dict
) -> None:
    other = client.post(
        "/sources",
        json={"type": "book", "title": "Shadow", "key": book["id"]},
        headers=write_headers,
    )
    assert other.status_code == 201, other.text
    assert client.get(f"/sources/{book['id']}").json()["title"] == book["title"]


def test_unknown_source_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/sources/nobody1900")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert "nobody1900" in response.json()["detail"]


def test_invalid_record_lists_every_field_problem(
    client: TestClient, write_headers: dict[str, str]
) -> None:
    bad = {"type": "article-journal", "DOI": "not-a-doi", "URL": "ftp://x", "issued": "1963"}
    response = client.post("/sources", json=bad, headers=write_headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    paths = {e["path"] for e in response.json()["errors"]}
    assert paths == {"DOI", "URL", "title", "container-title"}


def test_a_taken_key_is_a_409(
    client: TestClient, write_headers: dict, book: dict, book_data: dict
) -> None:
    response = client.post(
        "/sources", json={**book_data, "key": book["key"]}, headers=write_headers
    )
    assert response.status_code == 409
    assert book["key"] in response.json()["detail"]


def test_put_needs_a_precondition_and_rejects_a_stale_one(
    client: TestClient, write_headers: dict, book: dict, book_data: dict
) -> None:
    url = f"/sources/{book['key']}"
    changed = {**book_data, "title": "The Prophet Armed"}
    assert client.put(url, json=changed, headers=write_headers).status_code == 428
    stale = client.put(url, json=changed, headers={**write_headers, "If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.headers["last-modified-version"] == "1"
    assert stale.json()["current_version"] == 1
    fresh = client.put(url, json=changed, headers={**write_headers, "If-Match": '"1"'})
    assert fresh.status_code == 200
    assert fresh.json()["title"] == "The Prophet Armed"
    assert fresh.headers["etag"] == '"2"'
    assert fresh.json()["key"] == book["key"]


def test_zotero_style_version_header_and_if_match_star(
    client: TestClient, write_headers: dict, book: dict
) -> None:
    url = f"/sources/{book['id']}"
    one = client.patch(
        url, json={"note": "first"}, headers={**write_headers, "If-Unmodified-Since-Version": "1"}
    )
    assert one.status_code == 200 and one.json()["version"] == 2
    anyway = client.patch(url, json={"note": "second"}, headers={**write_headers, "If-Match": "*"})
    assert anyway.status_code == 200 and anyway.json()["note"] == "second"


@pytest.mark.parametrize("header", ['"abc"', "W/", "1, 2"])
def test_a_malformed_precondition_is_a_400(
    client: TestClient, write_headers: dict, book: dict, header: str
) -> None:
    response = client.patch(
        f"/sources/{book['id']}", json={"note": "x"}, headers={**write_headers, "If-Match": header}
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()["detail"]


def test_patch_changes_some_fields_and_null_removes_one(
    client: TestClient, write_headers: dict, book: dict
) -> None:
    response = client.patch(
        f"/sources/{book['id']}",
        json={"publisher": None, "container-title": "Ignored for books", "edition": 2},
        headers={**write_headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "publisher" not in body
    assert body["container-title"] == "Ignored for books"
    assert body["edition"] == "2"
    assert body["title"] == book["title"]


def test_patch_that_breaks_the_record_is_a_422_with_paths(
    client: TestClient, write_headers: dict, book: dict
) -> None:
    response = client.patch(
        f"/sources/{book['id']}", json={"title": None}, headers={**write_headers, "If-Match": '"1"'}
    )
    assert response.status_code == 422
    assert [e["path"] for e in response.json()["errors"]] == ["title"]
    assert client.get(f"/sources/{book['id']}").json()["version"] == 1


def test_patch_rejects_unknown_fields(client: TestClient, write_headers: dict, book: dict) -> None:
    response = client.patch(
        f"/sources/{book['id']}", json={"colour": "red"}, headers={**write_headers, "If-Match": "*"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "colour"


def test_delete_needs_the_version(client: TestClient, write_headers: dict, book: dict) -> None:
    url = f"/sources/{book['key']}"
    assert client.delete(url, headers=write_headers).status_code == 428
    assert client.delete(url, headers={**write_headers, "If-Match": '"3"'}).status_code == 412
    assert client.delete(url, headers={**write_headers, "If-Match": '"1"'}).status_code == 204
    assert client.get(url).status_code == 404


def _store(client: TestClient, headers: dict, n: int) -> None:
    objects = [
        {
            "type": "article-journal",
            "title": f"Study number {i}",
            "container-title": "Journal of Exile Studies",
            "creators": [{"family": "Author" if i % 2 else "Writer", "given": "A."}],
            "issued": 1930 + i,
            "group": "primary" if i < 3 else "secondary",
        }
        for i in range(n)
    ]
    response = client.post("/sources/batch", json=objects, headers=headers)
    assert response.status_code == 200
    assert len(response.json()["successful"]) == n


def test_list_pages_with_total_and_link_headers(client: TestClient, write_headers: dict) -> None:
    _store(client, write_headers, 7)
    first = client.get("/sources", params={"limit": 3, "sort": "year"})
    assert first.status_code == 200
    assert first.headers["total-results"] == "7"
    assert first.json()["count"] == 7
    assert [s["issued"]["date-parts"][0][0] for s in first.json()["data"]] == [1930, 1931, 1932]
    links = first.headers["link"]
    assert 'start=3&limit=3>; rel="next"' in links
    assert 'start=6&limit=3>; rel="last"' in links
    assert 'rel="prev"' not in links
    last = client.get("/sources", params={"limit": 3, "start": 6, "sort": "year"})
    assert [s["issued"]["date-parts"][0][0] for s in last.json()["data"]] == [1936]
    assert 'rel="next"' not in last.headers["link"]
    assert 'start=3&limit=3>; rel="prev"' in last.headers["link"]


def test_list_filters(client: TestClient, write_headers: dict) -> None:
    _store(client, write_headers, 7)

    def count(**params: object) -> int:
        response = client.get("/sources", params=params)
        assert response.status_code == 200, response.text
        assert int(response.headers["total-results"]) == len(response.json()["data"])
        return response.json()["count"]

    assert count() == 7
    assert count(group="primary") == 3
    assert count(year_from=1932, year_to=1934) == 3
    assert count(creator="writer") == 4
    assert count(q="study number 5") == 1
    assert count(type="book") == 0
    assert count(type="article-journal", direction="desc") == 7


def test_search_totals_follow_writes(client: TestClient, write_headers: dict) -> None:
    _store(client, write_headers, 7)

    def total(q: str) -> int:
        response = client.get("/sources", params={"q": q, "limit": 1})
        assert response.status_code == 200, response.text
        return int(response.headers["total-results"])

    assert total("study") == 7
    assert total("study") == 7  # the second answer comes from the kept count
    created = client.post(
        "/sources", json={"type": "book", "title": "A study of exile"}, headers=write_headers
    )
    assert created.status_code == 201
    assert total("study") == 8
    gone = client.delete(
        f"/sources/{created.json()['id']}", headers={**write_headers, "If-Match": '"1"'}
    )
    assert gone.status_code == 204
    assert total("study") == 7


def test_lists_carry_the_library_version_and_honour_if_modified_since(
    client: TestClient, write_headers: dict
) -> None:
    _store(client, write_headers, 3)
    first = client.get("/sources")
    version = int(first.headers["last-modified-version"])
    unchanged = client.get("/sources", headers={"If-Modified-Since-Version": str(version)})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["last-modified-version"] == str(version)
    older = client.get("/sources", headers={"If-Modified-Since-Version": str(version - 1)})
    assert older.status_code == 200 and older.json()["count"] == 3
    # Any write to the library raises its version: a changed source, or a new link elsewhere.
    key = first.json()["data"][0]["key"]
    patched = client.patch(
        f"/sources/{key}", json={"note": "seen"}, headers={**write_headers, "If-Match": '"1"'}
    )
    assert patched.status_code == 200
    after = client.get("/sources", headers={"If-Modified-Since-Version": str(version)})
    assert after.status_code == 200
    assert int(after.headers["last-modified-version"]) == version + 1
    assert client.get("/sources", headers={"If-Modified-Since-Version": "x"}).status_code == 422


def test_list_default_and_maximum_limit(client: TestClient, write_headers: dict) -> None:
    _store(client, write_headers, 30)
    assert len(client.get("/sources").json()["data"]) == 25
    too_many = client.get("/sources", params={"limit": 101})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["path"] == "query.limit"


def test_list_rejects_an_unknown_sort(client: TestClient) -> None:
    response = client.get("/sources", params={"sort": "colour"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


def test_batch_answers_per_object(client: TestClient, write_headers: dict, book: dict) -> None:
    objects = [
        {"type": "book", "title": "Trotsky: A Biography"},
        {"type": "book"},
        {"id": book["id"], "version": 1, "title": book["title"]},
        {"id": book["id"], "version": 1, "note": "checked"},
        {"id": book["id"], "version": 1, "note": "stale now"},
        {"id": book["id"], "note": "no version"},
        {"id": "missing", "version": 1, "note": "x"},
    ]
    response = client.post("/sources/batch", json=objects, headers=write_headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert set(result["successful"]) == {"0", "3"}
    assert result["unchanged"] == {"2": book["id"]}
    failed = {at: f["code"] for at, f in result["failed"].items()}
    assert failed == {"1": 422, "4": 412, "5": 428, "6": 404}
    assert result["failed"]["1"]["errors"][0]["path"] == "title"
    assert client.get(f"/sources/{book['id']}").json()["note"] == "checked"
    assert client.get("/sources").json()["count"] == 2


def test_batch_over_fifty_is_a_413(client: TestClient, write_headers: dict) -> None:
    response = client.post(
        "/sources/batch", json=[{"type": "book", "title": "x"}] * 51, headers=write_headers
    )
    assert response.status_code == 413
    assert client.get("/sources").json()["count"] == 0
