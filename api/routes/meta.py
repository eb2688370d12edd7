"""Service-level resources: ``/health``."""

from __future__ import annotations

from fastapi import APIRouter

import citekit
from api.deps import SessionDep
from api.problems import problem_responses
from api.schemas import Health
from citekit import services

router = APIRouter(tags=["meta"], responses=problem_responses(500, 503))


@router.get("/health", operation_id="getHealth", response_model=Health)
def health(session: SessionDep) -> Health:
    """Whether the server and its database answer, and how many sources it holds."""
    count = services.count_sources(session)
    return Health(
        status="ok",
        version=citekit.__version__,
        database=session.get_bind().dialect.name,
        sources=count,
    )
