"""The FastAPI application: ``create_app()`` builds it; ``citekit serve`` runs it with uvicorn."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

import citekit
from api import problems
from api.routes import claims, files, library, meta, render, sources
from api.schemas import ArticleText, ManuscriptText
from citekit.config import Settings, get_settings

STATIC = Path(__file__).resolve().parent / "static"
DESCRIPTION = """\
Sources, claims and bibliographies over HTTP, in the conventions of the Zotero Web API:
versions as `ETag` / `Last-Modified-Version`, writes guarded by `If-Match` or
`If-Unmodified-Since-Version`, `start`/`limit` paging with `Total-Results` and `Link` headers,
API keys as `Authorization: Bearer …`, and errors as `application/problem+json`.
"""


def create_app(*, engine: Engine | None = None, settings: Settings | None = None) -> FastAPI:
    """The API; without ``engine`` it opens ``CITEKIT_DATABASE_URL`` when it starts."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # `citekit serve` loads the demo library before it starts the server.
        own_engine = app.state.engine is None
        if own_engine:
            from citekit.storage import make_engine

            app.state.engine = make_engine(settings.database_url)
        try:
            yield
        finally:
            if own_engine:
                app.state.engine.dispose()
                app.state.engine = None

    app = FastAPI(
        title="citekit",
        version=citekit.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.settings = settings
    problems.install(app)
    app.add_middleware(problems.BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "If-Unmodified-Since-Version",
                "Accept",
            ],
            expose_headers=["ETag", "Last-Modified-Version", "Total-Results", "Link", "Location"],
        )
    # Routes are tried in order, so the busiest reads (GET /claims/{id}, GET /sources) come
    # early; library before sources: /sources/duplicates must not be read as /sources/{ref}.
    for module in (claims, library, sources, render, files, meta):
        app.include_router(module.router)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def home() -> FileResponse:
        """The web page: search, cite, bibliography."""
        return FileResponse(STATIC / "index.html")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            problems.document_problems(schema)
            # Referenced by the text-or-JSON bodies, which FastAPI cannot describe itself.
            for model in (ArticleText, ManuscriptText):
                schema["components"]["schemas"][model.__name__] = model.model_json_schema(
                    ref_template="#/components/schemas/{model}"
                )
            if not settings.require_read_key:
                _reads_are_open(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _reads_are_open(schema: dict[str, Any]) -> None:
    """Document reads as working with or without a key (``{}`` is the empty requirement)."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            security = operation.get("security", [])
            if any("ReadKey" in requirement for requirement in security):
                operation["security"] = [{}, *security]
