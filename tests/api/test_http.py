"""Cross-cutting HTTP behaviour: API keys, problem+json, body limits, content types, CORS."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.main import create_app
from citekit import services
from citekit.config import Settings
from citekit.errors import Forbidden, NotFound, Unauthorized
from citekit.storage import session_scope

PROBLEM = "application/problem+json"
BOOK = {"type": "book", "title": "My Life"}


def test_writes_need_a_write_key(
    client: TestClient, read_headers: dict, write_headers: dict
) -> None:
    anonymous = client.post("/sources", json=BOOK)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert anonymous.headers["content-type"] == PROBLEM
    assert client.post("/sources", json=BOOK, headers=read_headers).status_code == 403
    wrong = client.post("/sources", json=BOOK, headers={"Authorization": "Bearer ck_forged"})
    assert wrong.status_code == 401
    assert client.post("/sources", json=BOOK, headers=write_headers).status_code == 201


def test_reads_are_open_unless_configured(
    client: TestClient,
    client_with: Callable[..., TestClient],
    read_headers: dict,
    write_headers: dict,
) -> None:
    assert client.get("/sources").status_code == 200
    locked = client_with(require_read_key=True)
    assert locked.get("/sources").status_code == 401
    assert locked.get("/sources/anything").status_code == 401
    assert locked.get("/sources", headers=read_headers).status_code == 200
    assert locked.get("/sources", headers=write_headers).status_code == 200
    assert locked.get("/health").status_code == 200


def test_a_revoked_key_stops_working(engine: Engine, client: TestClient) -> None:
    with session_scope(engine) as session:
        key, token = services.create_api_key(session, scope="write", name="editor plugin")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/sources", json=BOOK, headers=headers).status_code == 201
    with session_scope(engine) as session:
        assert services.revoke_api_key(session, ref=key.prefix).revoked
    assert client.post("/sources", json=BOOK, headers=headers).status_code == 401


def test_api_key_service(engine: Engine) -> None:
    with session_scope(engine) as session:
        key, token = services.create_api_key(session, scope="read", name="reader")
        assert token.startswith("ck_") and key.prefix == token[:10]
        listed = services.list_api_keys(session)
        assert [k.id for k in listed] == [key.id]
        # The token is not stored, only its hash.
        assert token not in repr(listed) and "key_hash" not in listed[0].model_dump()
        assert services.verify_api_key(session, token=token).id == key.id
        assert services.verify_api_key(session, token=token).last_used is not None
        with pytest.raises(Forbidden):
            services.verify_api_key(session, token=token, scope="write")
        with pytest.raises(Unauthorized):
            services.verify_api_key(session, token=token + "x")
        with pytest.raises(NotFound):
            services.revoke_api_key(session, ref="nope")
        services.revoke_api_key(session, ref=key.id)
        with pytest.raises(Unauthorized):
            services.verify_api_key(session, token=token)


def test_api_key_scope_is_checked(engine: Engine) -> None:
    from citekit.errors import InvalidRecord

    with session_scope(engine) as session, pytest.raises(InvalidRecord, match="scope"):
        services.create_api_key(session, scope="admin")


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("text/plain", 415),
        ("application/x-www-form-urlencoded", 415),
        ("application/vnd.api+json", 201),
        ("application/json; charset=utf-8", 201),
    ],
)
def test_json_routes_check_the_content_type(
    client: TestClient, write_headers: dict, content_type: str, status: int
) -> None:
    response = client.post(
        "/sources",
        content=b'{"type": "book", "title": "My Life"}',
        headers={**write_headers, "Content-Type": content_type},
    )
    assert response.status_code == status, response.text
    if status == 415:
        assert response.headers["content-type"] == PROBLEM
        assert content_type in response.json()["detail"]


def test_a_body_without_content_type_is_a_415(client: TestClient, write_headers: dict) -> None:
    response = client.post("/sources", content=b"{}", headers=write_headers)
    assert response.status_code == 415


def test_broken_json_is_a_422_naming_the_position(client: TestClient, write_headers: dict) -> None:
    response = client.post(
        "/sources",
        content=b'{"type": "book",',
        headers={**write_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "not valid JSON" in response.json()["errors"][0]["msg"]


def test_nul_characters_are_refused(client: TestClient, write_headers: dict) -> None:
    response = client.post(
        "/sources",
        content=b'{"type": "book", "title": "My\\u0000Life"}',
        headers={**write_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"]
    assert client.get("/sources/My%00Life").status_code == 422


def test_bodies_over_the_limit_are_a_413(
    client_with: Callable[..., TestClient], write_headers: dict
) -> None:
    small = client_with(max_body_bytes=1000)
    big = b'{"type": "book", "title": "' + b"x" * 2000 + b'"}'
    declared = small.post(
        "/sources", content=big, headers={**write_headers, "Content-Type": "application/json"}
    )
    assert declared.status_code == 413
    assert declared.headers["content-type"] == PROBLEM

    def chunks() -> Iterator[bytes]:
        yield big[:600]
        yield big[600:]

    streamed = small.post(
        "/sources", content=chunks(), headers={**write_headers, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert streamed.headers["content-type"] == PROBLEM
    assert small.get("/sources").json()["count"] == 0


def test_unknown_routes_and_methods_are_problems(client: TestClient) -> None:
    missing = client.get("/nowhere")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    wrong = client.put("/sources")
    assert wrong.status_code == 405 and wrong.headers["content-type"] == PROBLEM


def test_an_unexpected_error_is_a_500_problem_without_traceback(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "count_sources", broken)
    app = create_app(engine=engine, settings=Settings(load_demo=False))
    with TestClient(app, raise_server_exceptions=False) as failing:
        response = failing.get("/health")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert "secret" not in response.text and "Traceback" not in response.text


def test_a_database_that_cannot_answer_is_a_503_to_retry(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlalchemy.exc

    def refused(*args: object, **kwargs: object) -> object:
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("too many clients"))

    def exhausted(*args: object, **kwargs: object) -> object:
        raise sqlalchemy.exc.TimeoutError("QueuePool limit of size 20 overflow 20 reached")

    app = create_app(engine=engine, settings=Settings(load_demo=False))
    with TestClient(app, raise_server_exceptions=False) as failing:
        for broken, path in ((refused, "/health"), (exhausted, "/sources")):
            monkeypatch.setattr(services, "count_sources", broken)
            monkeypatch.setattr(services, "list_source_records", broken)
            response = failing.get(path)
            assert response.status_code == 503, path
            assert response.headers["content-type"] == PROBLEM
            assert response.headers["retry-after"] == "1"
            assert response.json()["title"] == "Database unavailable"
            assert "too many" not in response.text and "QueuePool" not in response.text


def test_cors_follows_the_settings(client_with: Callable[..., TestClient]) -> None:
    browser = client_with(cors_origins=["https://writer.example"])
    allowed = browser.options(
        "/sources",
        headers={
            "Origin": "https://writer.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, If-Match",
        },
    )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://writer.example"
    other = browser.get("/health", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers
    exposed = browser.get("/sources", headers={"Origin": "https://writer.example"})
    assert "Total-Results" in exposed.headers["access-control-expose-headers"]


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["database"] in ("sqlite", "postgresql")
    assert body["sources"] == 0


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"DOI": "10.1234/" + "a" * 400}, "DOI"),
        ({"ISBN": " ".join(["978-0-19-281065-6"] * 20)}, "ISBN"),
    ],
)
def test_values_too_long_to_store_are_a_422(
    client: TestClient, write_headers: dict, record: dict, field: str
) -> None:
    response = client.post("/sources", json={**BOOK, **record}, headers=write_headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["path"] == field
    assert client.get("/sources").json()["count"] == 0


def test_a_very_long_name_is_stored_whole(client: TestClient, write_headers: dict) -> None:
    family = "F" * 400
    response = client.post(
        "/sources", json={**BOOK, "creators": [{"family": family}]}, headers=write_headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["creators"][0]["family"] == family


def test_the_web_page_and_its_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for asset in ("/static/citekit.js", "/static/citekit.css"):
        assert asset in page.text
        assert client.get(asset).status_code == 200
    assert "/" not in client.get("/openapi.json").json()["paths"]
