"""Settings from the environment (``CITEKIT_*``), read when asked for, never at import."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """``CITEKIT_DATABASE_URL=postgresql+psycopg://user@host/db`` selects PostgreSQL."""

    model_config = SettingsConfigDict(env_prefix="CITEKIT_", env_file=".env", extra="ignore")

    database_url: str = Field(default="sqlite:///citekit.db")
    require_read_key: bool = False
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = 10 * 1024 * 1024
    load_demo: bool = True
    # Connections per worker: 40 in all, as many as the server's worker threads, so that no
    # thread waits for one; kept low for PostgreSQL, whose max_connections (100 by default) all
    # workers share.
    pool_size: int = 20
    max_overflow: int = 20
    # PostgreSQL: test each pooled connection before use (one round trip), so that a restarted
    # server costs no failed request.
    pool_pre_ping: bool = True
    # Searches' match counts and result pages kept until the library changes (0: none kept).
    search_cache_size: int = Field(default=2048, ge=0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, cached; tests call ``get_settings.cache_clear()``."""
    return Settings()
