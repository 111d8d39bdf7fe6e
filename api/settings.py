"""Settings of the GraphQL service, read from `KGREC_API_*` environment variables (and `.env`).

Neo4j connection settings stay in `kgrec.settings.Settings`; these are the service's own knobs.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _split_csv(value: object) -> object:
    """`"a, b"` → `["a", "b"]`; lists pass through (so both env vars and Python work)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class ApiSettings(BaseSettings):
    """Configuration of `kgrec serve` and `api.app.create_app`."""

    model_config = SettingsConfigDict(env_prefix="KGREC_API_", env_file=".env", extra="ignore")

    # --- network ---
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)  # e.g. "https://a.example,…"

    # --- authentication: X-API-Key ---
    keys: Annotated[list[str], NoDecode] = Field(default_factory=list)  # KGREC_API_KEYS="k1,k2"
    require_key_for_queries: bool = False  # mutations always need a key

    # --- limits ---
    max_depth: int = Field(10, ge=2)
    max_tokens: int = Field(2000, ge=50)
    max_aliases: int = Field(15, ge=1)
    max_first: int = Field(100, ge=50)  # cap on every `first` argument (at least the defaults)
    max_paths: int = Field(10, ge=1)  # cap on explanation paths per item
    max_id_length: int = Field(256, ge=8)  # longer ids are rejected before any query
    max_body_bytes: int = Field(65_536, ge=1024)
    request_timeout_s: float = Field(10.0, gt=0)

    # --- behaviour ---
    default_dataset: str | None = "movielens-100k"  # used when a query names no dataset
    graphiql: bool = True
    warm_up: bool = True  # plan every query shape before serving (`kgrec explain`, a one-shot client, skips it)
    introspection: bool = True
    model_check_s: float = Field(2.0, ge=0)  # how long a looked-up active model version is trusted
    popularity_ttl_s: float = Field(60.0, ge=0)
    explain_min_preference: float = Field(0.6, ge=0, le=1)  # history items below this share of the max are not used
    similar_users: int = Field(10, ge=1, le=200)  # neighbours searched for SIMILAR_USERS paths
    # the user's most-liked items that explanation paths start from (≤ 999: one plan, see graphstore.reads.PADDED_LIST)
    explain_history: int = Field(150, ge=1, le=999)
    # explanation-path cache per worker process (api.explain_cache): keyed by user, history fingerprint, model
    # version, items and maxPaths, so the user's own new interactions miss it at once; what the key cannot see
    # (knowledge edits, other users' interactions) shows after at most `explain_cache_ttl_s`. 0 disables it.
    explain_cache_ttl_s: float = Field(60.0, ge=0)
    # entries (one per user × item list × maxPaths), LRU; one for first: 10, maxPaths: 3 holds ~0.2 MiB (ML-100K)
    explain_cache_size: int = Field(1_000, ge=0)

    @field_validator("keys", "cors_origins", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)
