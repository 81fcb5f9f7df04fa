"""Runtime settings, read from the environment and an optional `.env` file."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_DEFAULT_API_URL = "https://slack.com/api/"
SLACK_DEFAULT_AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"
# The bot scopes of manifest.yml (tests/test_manifest.py keeps the two lists equal).
SLACK_BOT_SCOPES = (
    "commands,chat:write,chat:write.public,users:read,app_mentions:read,im:history,im:write,files:read,files:write"
)
LARK_DOMAINS = {"feishu": "https://open.feishu.cn", "lark": "https://open.larksuite.com"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    database_url: str = Field(default="sqlite:///tradewind.db")
    port: int = 3000
    host: str = "0.0.0.0"
    default_lang: Literal["en", "zh-CN"] = "en"
    default_tz: str = "UTC"
    log_level: str = "INFO"
    # Who delivers the outbox: "embedded", a thread in each web process (the default: SQLite, one
    # process), or "worker", separate `tradewind worker` processes (PostgreSQL, several processes).
    delivery: str = Field(default="embedded", pattern="^(embedded|worker)$")
    # Seconds between two posts in one channel, Slack's pace (Lark's is 0.2: five a second a chat).
    post_interval_s: float = Field(default=1.0, ge=0)
    # ... and between two posts in one Slack workspace, under its workspace-wide cap (0.1: 600 a minute).
    workspace_post_interval_s: float = Field(default=0.1, ge=0)
    outbox_lease_s: float = Field(default=60.0, gt=0)  # a worker that dies frees its row after this long
    outbox_backoff_s: float = Field(default=1.0, gt=0)  # the first retry's pause; doubled each time
    # `tradewind worker` on PostgreSQL (procrastinate): jobs run at once by one worker process, and how
    # often (seconds) a pending row without a job is looked for.
    worker_concurrency: int = Field(default=4, ge=1)
    outbox_sweep_s: int = Field(default=5, ge=1, le=59)
    web_concurrency: int = Field(default=1, ge=1)  # processes of `tradewind serve`, as Heroku sets it

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = SLACK_DEFAULT_API_URL
    # "Add to Slack" (many workspaces): with a client id and secret the bot token of each workspace comes
    # from the installation store, and SLACK_BOT_TOKEN is not used.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_state_secret: str | None = None  # signs the OAuth state, so a forged one is refused unread
    slack_scopes: str = SLACK_BOT_SCOPES
    slack_redirect_uri: str | None = None  # https://YOUR-HOST/slack/oauth_redirect, as in the manifest
    slack_authorize_url: str = SLACK_DEFAULT_AUTHORIZE_URL
    slack_token_rotation_minutes: int = 120  # refresh a rotating token this long before it expires

    lark_app_id: str | None = None
    lark_app_secret: str | None = None
    lark_verification_token: str | None = None
    lark_encrypt_key: str | None = None
    lark_domain: str = "feishu"  # feishu, lark, or an origin such as http://127.0.0.1:8123 (tests)

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, url: str) -> str:
        # Heroku-style URLs say postgres://; SQLAlchemy wants an explicit driver.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, url: str) -> str:
        # slack_sdk joins method names onto the base URL; without the slash the last segment is lost.
        return url if url.endswith("/") else url + "/"

    @field_validator("lark_domain")
    @classmethod
    def _lark_origin(cls, domain: str) -> str:
        # lark-oapi wants a bare origin (https, or http on localhost) without a trailing slash.
        return LARK_DOMAINS.get(domain.strip().lower(), domain.strip().rstrip("/"))

    @property
    def slack_oauth(self) -> bool:
        """Installed from the install page in any number of workspaces (each with its own bot token)."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def slack_ready(self) -> bool:
        """Enough to call the Web API outside a request: one bot token, or the installation store."""
        return bool(self.slack_bot_token) or self.slack_oauth

    @property
    def slack_enabled(self) -> bool:
        return self.slack_ready and bool(self.slack_signing_secret)

    @property
    def slack_scope_list(self) -> list[str]:
        return [scope.strip() for scope in self.slack_scopes.split(",") if scope.strip()]

    @property
    def lark_app_ready(self) -> bool:
        """Enough to call the Open API and to hold a long connection (`tradewind lark-ws`)."""
        return bool(self.lark_app_id and self.lark_app_secret)

    @property
    def lark_enabled(self) -> bool:
        """Enough to take Lark's HTTP callbacks: requests can be verified."""
        return self.lark_app_ready and bool(self.lark_verification_token)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        raw = self.database_url.split(":///", 1)[-1]
        return Path(raw) if raw and raw != ":memory:" else None
