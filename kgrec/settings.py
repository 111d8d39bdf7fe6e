"""One typed settings object for every kgrec stage, read from the environment (and `.env`).

Neo4j connection variables keep their conventional names (`NEO4J_URI`, `NEO4J_USER`,
`NEO4J_PASSWORD`, `NEO4J_DATABASE`); everything else is prefixed `KGREC_`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from platformdirs import user_cache_dir, user_data_dir
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration with defaults that work on a fresh machine."""

    model_config = SettingsConfigDict(env_prefix="KGREC_", env_file=".env", extra="ignore")

    # --- Neo4j connection: an external server when NEO4J_URI is set ---
    neo4j_uri: str | None = Field(None, validation_alias=AliasChoices("NEO4J_URI", "KGREC_NEO4J_URI"))
    neo4j_user: str = Field("neo4j", validation_alias=AliasChoices("NEO4J_USER", "KGREC_NEO4J_USER"))
    neo4j_password: str | None = Field(
        None, validation_alias=AliasChoices("NEO4J_PASSWORD", "KGREC_NEO4J_PASSWORD")
    )
    neo4j_database: str = Field(
        "neo4j", validation_alias=AliasChoices("NEO4J_DATABASE", "KGREC_NEO4J_DATABASE")
    )

    # --- a locally managed server otherwise ---
    neo4j_backend: Literal["auto", "docker", "maven"] = "auto"
    neo4j_version: str = "5.26.30"
    neo4j_browser_version: str = "5.24.0"
    docker_image: str = "neo4j:5.26-community"
    bolt_port: int = 7687
    http_port: int = 7474
    neo4j_heap: str | None = None  # e.g. "1g"; sized to the machine when unset
    neo4j_pagecache: str | None = None
    neo4j_start_timeout: float = 180.0

    # --- files ---
    cache_dir: Path = Path(user_cache_dir("kgrec"))  # downloads: Neo4j jars, datasets
    state_dir: Path = Path(user_data_dir("kgrec"))  # the managed server's data, password, runs
    data_dir: Path | None = None  # where dataset files already are (e.g. ../shared/datasets)

    # --- batch sizes ---
    write_batch_size: int = 20_000  # rows per write transaction: half the commits and node locks per row of 10,000
    write_workers: int = 2  # batches of one section written concurrently (the server runs each on one thread)

    @property
    def neo4j_home(self) -> Path:
        """Home directory of the locally managed (Maven-assembled) server instance."""
        return self.state_dir / f"neo4j-{self.neo4j_version}"

    @property
    def password_file(self) -> Path:
        return self.state_dir / "neo4j-password"

    @property
    def runs_dir(self) -> Path:
        return self.state_dir / "runs"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return Settings()
