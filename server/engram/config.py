"""Settings for every Engram process, built once from the environment (or a mapping) and passed in."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from engram.errors import ConfigurationError


def _default_home() -> Path:
    """`.engram/` beside the checkout when run from one, else in the user's home directory."""
    cwd = Path.cwd()
    if (cwd / "pyproject.toml").exists() and (cwd / "cypher").is_dir():
        return cwd / ".engram"
    return Path.home() / ".engram"


def _repo_root() -> Path:
    """The directory that holds cypher/, seeds/ and server/ (the checkout, or the installed tree)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "cypher").is_dir() and (parent / "server").is_dir():
            return parent
    return Path.cwd()


class Settings(BaseSettings):
    """All configuration. Environment variables use the ENGRAM_ prefix, except the standard
    NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD / NEO4J_AUTH / NEO4J_DATABASE, which are honoured as-is."""

    model_config = SettingsConfigDict(env_prefix="ENGRAM_", extra="ignore", populate_by_name=True)

    environment: Literal["development", "production"] = "development"
    home: Path = Field(default_factory=_default_home)
    project_root: Path = Field(default_factory=_repo_root)

    # --- Neo4j connection. When neo4j_uri is set, Engram uses that server and manages none.
    neo4j_uri: str | None = Field(default=None, validation_alias=AliasChoices("NEO4J_URI", "ENGRAM_NEO4J_URI", "neo4j_uri"))
    neo4j_user: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_USER", "NEO4J_USERNAME", "ENGRAM_NEO4J_USER", "neo4j_user"))
    neo4j_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("NEO4J_PASSWORD", "ENGRAM_NEO4J_PASSWORD", "neo4j_password")
    )
    neo4j_auth: str | None = Field(default=None, validation_alias=AliasChoices("NEO4J_AUTH", "neo4j_auth"))
    neo4j_database: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_DATABASE", "ENGRAM_NEO4J_DATABASE", "neo4j_database"))

    # --- The Neo4j server that Engram runs itself (when neo4j_uri is not set).
    bolt_port: int = Field(default=7687, ge=1, le=65535)
    http_port: int = Field(default=7474, ge=1, le=65535)
    listen_host: str = "127.0.0.1"
    instance: str = Field(default="neo4j", pattern=r"^[A-Za-z0-9_.-]+$",
                          description="Folder under home for this server's conf, data and logs.")
    heap_size: str = "1g"
    pagecache_size: str = "512m"
    start_timeout_s: float = Field(default=180.0, gt=0)

    # --- How long a request waits on an unreachable or busy Neo4j before DATABASE_UNAVAILABLE.
    neo4j_connect_timeout_s: float = Field(default=3.0, gt=0, description="Opening one Bolt connection.")
    neo4j_acquire_timeout_s: float = Field(default=10.0, gt=0, description="Waiting for a pooled connection.")
    neo4j_retry_time_s: float = Field(
        default=3.0, ge=0, description="The driver retries transient errors (deadlocks, a dropped connection) "
                                       "for this long; past it, requests fail fast while Neo4j is down.")
    neo4j_tx_timeout_s: float = Field(
        default=600.0, ge=0, description="Server-side timeout of each Neo4j transaction run outside an API request "
                                         "(CLI, periodic jobs); inside one, what is left of its deadline. 0: none.")

    # --- Memories.
    memory_max_chars: int = Field(default=65_536, ge=1000, description="Characters one recorded memory may hold "
                                                                       "across all its text and list fields.")

    # --- Embeddings.
    embedding_model: str = "all-MiniLM-L6-v2"
    embedding_dimension: int = 384
    embedding_batch_size: int = Field(default=64, ge=1)
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = Field(
        default="onnx", description="torch, or ONNX Runtime (fp32, or dynamically quantized int8) exported on "
                                    "first use from the packaged weights; see bench/results/perf.md for recall.")
    embedding_cache_dir: Path | None = Field(default=None, description="Where ONNX exports are kept "
                                                                       "(default: <home>/models).")
    embedding_batch_window_ms: float = Field(
        default=3.0, ge=0, description="The service waits this long for concurrent texts to embed in one call "
                                       "(only when the request before came within it: a lone caller is not held); "
                                       "0 embeds each request on its own.")
    embedding_batch_max: int = Field(default=64, ge=1, description="Texts per micro-batched model call.")

    # --- Memory shards: each agent's memories carry one of this many shard labels (a stable hash of the
    # agent id), each with its own vector index; changing it relabels every memory at the next migrate.
    memory_shards: int = Field(default=64, ge=1, le=1024, description="Vector-index shards memories are "
                                                                      "partitioned into by owner.")

    # --- API.
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    graphiql: bool | None = None  # None: on in development, off in production
    introspection: bool | None = None  # None: on in development, off in production
    operator_key: SecretStr | None = None  # a raw key with operator rights, besides `engram agent create --operator`
    api_max_body_bytes: int = Field(default=1_000_000, ge=1024, description="Larger request bodies get HTTP 413.")
    api_max_depth: int = Field(default=12, ge=2, description="Deepest selection a GraphQL document may have.")
    api_max_aliases: int = Field(default=30, ge=0, description="Aliases per GraphQL document (fragments expanded).")
    api_max_tokens: int = Field(default=5000, ge=100, description="Tokens per GraphQL document.")
    api_max_response_bytes: int = Field(default=8 * 1024 * 1024, ge=10_000, description="Larger GraphQL responses "
                                                                                        "are not sent: a "
                                                                                        "RESPONSE_TOO_LARGE error.")
    api_max_batch: int = Field(default=100, ge=1, description="Memories per recordMemories call.")
    api_max_cost: int = Field(default=1000, ge=10, description="Work units per GraphQL request (engram.api.gql.cost): "
                                                             "retrievals and list items, counted before execution.")
    api_request_timeout_s: float = Field(default=30.0, gt=0, description="Deadline of one GraphQL request.")
    api_max_in_flight_per_key: int = Field(default=4, ge=1, description="Requests one API key may have in flight "
                                                                        "at once (per process); more get HTTP 429 "
                                                                        "RATE_LIMITED.")
    api_worker_threads: int = Field(default=8, ge=1, description="Threads for blocking engine work (Neo4j, the model); "
                                                                 "/health has its own, so it answers under load.")
    api_worker_nice: int = Field(default=0, ge=0, le=19, description="Extra scheduling niceness of the worker "
                                                                    "threads (Linux), so the event loop runs first "
                                                                    "on busy cores. Off by default: on a machine "
                                                                    "oversubscribed by other processes it starves "
                                                                    "engine work past its deadline.")
    api_switch_interval_ms: float = Field(default=1.0, gt=0, description="Python's GIL switch interval: how long a "
                                                                         "busy worker thread may keep the event loop "
                                                                         "waiting for the interpreter (default 5).")
    api_workers: int | None = Field(default=None, ge=1, description="uvicorn worker processes for `engram serve` "
                                                                    "(default: one per core).")

    # --- Learning.
    evidence_half_life_days: float = Field(
        default=0.0, ge=0, description="suggest/predict/check: evidence counts half as much per this many days "
                                       "it is older than the newest evidence (whole days); 0: all counts fully.")
    analyze_interval_s: float = Field(default=900.0, ge=0,
                                      description="Seconds between the service's pattern analyses; 0 turns them off.")
    check_token_ttl_hours: float = Field(
        default=24.0, gt=0, description="How long a checkAction token stays valid: a decision recorded with an older "
                                        "one is refused, and pattern analysis deletes its showing (the checks' "
                                        "records keep what they counted).")

    # --- Privacy.
    retention_interval_s: float = Field(default=3600.0, ge=0,
                                        description="Seconds between the service's retention cleanups; 0 turns them off.")

    @model_validator(mode="after")
    def _check_auth(self) -> "Settings":
        if self.neo4j_auth and self.neo4j_auth.lower() != "none" and "/" not in self.neo4j_auth:
            raise ConfigurationError("NEO4J_AUTH must look like 'user/password' (or 'none').")
        return self

    @property
    def managed(self) -> bool:
        """True when Engram runs the Neo4j server itself."""
        return not self.neo4j_uri

    @property
    def bolt_uri(self) -> str:
        return self.neo4j_uri or f"bolt://{self.listen_host}:{self.bolt_port}"

    @property
    def browser_url(self) -> str:
        if self.managed:
            return f"http://{self.listen_host}:{self.http_port}/browser/"
        return "(your own Neo4j's Browser)"

    @property
    def graphiql_enabled(self) -> bool:
        return self.environment == "development" if self.graphiql is None else self.graphiql

    @property
    def introspection_enabled(self) -> bool:
        return self.environment == "development" if self.introspection is None else self.introspection

    @property
    def neo4j_home(self) -> Path:
        return self.home / self.instance

    @property
    def password_file(self) -> Path:
        return self.neo4j_home / "password"

    def credentials(self) -> tuple[str, str] | None:
        """(user, password) for the driver; None when the server runs without auth.

        Order: NEO4J_AUTH, then NEO4J_PASSWORD, then the password generated for the managed server."""
        if self.neo4j_auth:
            if self.neo4j_auth.lower() == "none":
                return None
            user, _, password = self.neo4j_auth.partition("/")
            return user, password
        if self.neo4j_password is not None:
            return self.neo4j_user, self.neo4j_password.get_secret_value()
        if self.password_file.exists():
            return self.neo4j_user, self.password_file.read_text().strip()
        raise ConfigurationError(
            "No Neo4j password: set NEO4J_AUTH=user/password or NEO4J_PASSWORD, "
            "or run `engram db start` to create the managed server and its password."
        )

    @property
    def cypher_dir(self) -> Path:
        return self.project_root / "cypher"

    @property
    def seeds_dir(self) -> Path:
        return self.project_root / "seeds"

    @property
    def runtime_dir(self) -> Path:
        """The Maven projects that assemble the Neo4j server and the GDS plugin."""
        return self.project_root / "server" / "neo4j-runtime"
