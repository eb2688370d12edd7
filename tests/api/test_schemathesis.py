"""Property-based run over the whole OpenAPI document: no server error, every response (status,
content type, headers, body) as documented. In-process, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.main import create_app
from citekit.config import Settings

pytestmark = pytest.mark.slow

# The operations, read once from an app without a database (building the document needs none).
# schemathesis' own lazy-fixture loader breaks on pytest 9, hence one test per operation here.
DOCUMENT = create_app(settings=Settings(load_demo=False)).openapi()
OPERATIONS = [
    pytest.param(path, method.upper(), mode, id=f"{method.upper()} {path} {mode.value}")
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    for mode in GenerationMode
    # Invalid requests need a body or a query/header to break (an invalid path is a 404).
    if mode is GenerationMode.POSITIVE
    or "requestBody" in operation
    or any(p["in"] != "path" for p in operation.get("parameters", []))
]
EXAMPLES = 10


@pytest.mark.parametrize(("path", "method", "mode"), OPERATIONS)
def test_operation_matches_the_document(
    client: TestClient,
    write_headers: dict[str, str],
    book: dict,
    path: str,
    method: str,
    mode: GenerationMode,
) -> None:
    # A schema of its own for each test: an operation keeps the app it was made with, so with a
    # shared schema every later test (PostgreSQL ones too) called the first test's app.
    schema = schemathesis.openapi.from_dict(DOCUMENT)
    schema.app = client.app
    operation = schema[path][method]
    # Valid requests aim at the stored book, so that reads and writes reach a real object;
    # invalid ones make up their own paths.
    aimed = "{ref}" in path and mode is GenerationMode.POSITIVE
    known = {"ref": book["key"]} if aimed else None

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=known))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        # The generated Bearer token becomes a real key; a case made without one (an invalid
        # request may drop the header) is sent without one, and must be refused.
        if case.headers and "Authorization" in case.headers:
            case.headers["Authorization"] = write_headers["Authorization"]
        # A schema-valid request can still be refused on purpose: a record missing what its type
        # needs (a map needs a title), a bad ISBN checksum, no If-Match (428), a style or format
        # name not in the open-ended registries (415). So "valid data is accepted" is not
        # checked; everything else is: no 5xx, documented status, content type, headers, body.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    check()
