"""Service settings, read from the environment and an optional `.env` file."""

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "fuer.db"
DEFAULT_WEBHOOK_HOSTS = ("localhost", "127.0.0.0/8", "::1", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}",
        description="SQLAlchemy URL; SQLite (embedded default) or postgresql+asyncpg://…",
    )
    # Per process (each service worker, each worker process): connections kept open, and more while busy. Beyond
    # the kept ones a connection is closed when returned, and a burst then pays for new ones (a PostgreSQL
    # backend each, ~10 ms): keep enough for the concurrent requests one process serves.
    database_pool_size: int = Field(default=10, ge=1, le=1000, description="Connections a process keeps open.")
    database_max_overflow: int = Field(default=10, ge=0, le=1000,
                                       description="Connections a process may open beyond those while busy.")
    host: str = "127.0.0.1"
    port: int = 8000
    # NoDecode: the documented form is comma-separated (`https://a.example,https://b.example`); a JSON list works too.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list,
                                                         description="Origins of the separate web frontend.")
    log_level: str = "INFO"
    max_body_bytes: int = Field(default=1_000_000, description="Larger request bodies are refused with 413.")
    max_import_bytes: int = Field(default=50_000_000, description="The same limit for bulk imports of observations "
                                  "(POST /api/v1/plans/{plan}/observations/import) and filled Excel templates "
                                  "(POST …/template.xlsx).")
    seeds_dir: Path = PROJECT_ROOT / "seeds"
    timezone: str = Field(default="Asia/Shanghai", description="Whose calendar decides due dates.")
    worker_poll_seconds: float = Field(default=1.0, gt=0, description="How often the worker looks for events to "
                                       "deliver.")
    worker_catch_up_seconds: float = Field(default=60.0, gt=0, description="How often the worker checks whether "
                                           "a new day needs the verdicts recomputed.")
    # NoDecode: comma-separated like cors_origins (a JSON list works too); each entry a hostname ("localhost",
    # "*.example.gov.cn" for its subdomains) or a network ("10.0.0.0/8", "::1").
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_WEBHOOK_HOSTS),
        description="Where webhooks may be sent: hostnames and networks (default: loopback and private networks).")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, description="How long a receiver has to answer.")
    webhook_retry_hours: float = Field(default=24.0, gt=0, description="How long a delivery is retried before "
                                       "it is marked failed.")
    webhook_disable_after: int = Field(default=5, ge=1, description="Failed deliveries in a row that disable a "
                                       "subscription.")
    webhook_batch: int = Field(default=20, ge=1, le=500, description="Deliveries one worker sends at once.")
    graphql_graphiql: bool = True
    graphql_introspection: bool = True

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Accept the plain scheme names operators type and map them to the async drivers."""
        for plain, driver in (("postgresql://", "postgresql+asyncpg://"), ("postgres://", "postgresql+asyncpg://"),
                              ("sqlite://", "sqlite+aiosqlite://")):
            if url.startswith(plain):
                return driver + url[len(plain):]
        return url

    @field_validator("cors_origins", "webhook_allowed_hosts", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            if value.strip().startswith("["):
                return json.loads(value)
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("webhook_allowed_hosts")
    @classmethod
    def _hosts(cls, entries: list[str]) -> list[str]:
        from app.webhooks.destinations import AllowList  # a bad entry stops the service at start, not at delivery

        AllowList.parse(entries)
        return entries


@lru_cache
def get_settings() -> Settings:
    return Settings()
