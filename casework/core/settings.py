"""One typed settings object, read once from the environment (the README's "Configuration" explains each)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = ROOT / "var"

PLACEHOLDERS = {"", "change-me", "changeme", "secret", "dev", "development", "placeholder", "xxx"}
SECRET_NAMES = ("SECRET_KEY", "INTERNAL_API_TOKEN", "SENDER_ID_KEY")
# Optional bearer secrets given to other systems: when set in production, each must be long and random.
API_TOKEN_NAMES = ("STAFF_API_TOKEN", "OPEN311_API_KEYS")
MIN_API_TOKEN_LENGTH = 32
# Words that mark a value as an example or placeholder even when it is long.
PLACEHOLDER_WORDS = (
    "change-me",
    "changeme",
    "change_me",
    "placeholder",
    "example",
    "replace",
    "your-",
    "xxxx",
)


class ConfigurationError(Exception):
    """Raised when settings are missing or unsafe; the message names the variables and what to do."""


class Settings(BaseSettings):
    """Everything the webhook, notifier and scripts read from the environment."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=True)

    APP_ENV: str = "development"
    DATABASE_URL: str = f"sqlite:///{VAR_DIR / 'asb.sqlite3'}"
    PARTNERSHIP: str = "lichfield"
    PUBLIC_BASE_URL: str = "http://127.0.0.1:8000"
    SECRET_KEY: str = ""
    INTERNAL_API_TOKEN: str = ""
    # Key for the keyed hash that turns a phone number into the opaque sender id Rasa sees.
    SENDER_ID_KEY: str = ""
    TWILIO_ACCOUNT_SID: str = ""
    TWILIO_AUTH_TOKEN: str = ""
    TWILIO_FROM_NUMBER: str = ""
    TWILIO_MESSAGING_SERVICE_SID: str = ""
    TWILIO_API_BASE_URL: str = ""
    RASA_URL: str = "http://127.0.0.1:5005"
    # Several Rasa replicas sharing one tracker and lock store (comma-separated); overrides RASA_URL for
    # relaying. Each conversation is pinned to one replica; a replica that refuses connections is skipped.
    RASA_URLS: str = ""
    ACTION_SERVER_URL: str = "http://127.0.0.1:5055"
    OPEN311_API_KEYS: str = ""
    STAFF_API_TOKEN: str = ""
    # Reverse proxies in front of the webhook that set X-Forwarded-For/-Proto (0: none, the header is
    # ignored). Sign-in limits and the audit trail use the client address this gives.
    TRUSTED_PROXY_COUNT: int = Field(default=0, ge=0, le=5)
    # SMS edge limits (SMS pumping defence); per number per hour (enough for two reports and diary entries
    # in an hour) and across all numbers per minute (beyond it messages are kept and answered later).
    SMS_RATE_PER_NUMBER_PER_HOUR: int = 60
    SMS_RATE_GLOBAL_PER_MINUTE: int = 300
    # Web chat limits (casework/conversation/web_chat.py): messages per chat and per client address a
    # minute, and new conversations a minute across the site. Beyond them the resident gets a plain "wait
    # a minute; if anyone is in danger call 999" answer and nothing is relayed or stored.
    WEB_CHAT_RATE_PER_CHAT_PER_MINUTE: int = Field(default=20, ge=1)
    WEB_CHAT_RATE_PER_ADDRESS_PER_MINUTE: int = Field(default=60, ge=1)
    WEB_CHAT_NEW_CONVERSATIONS_PER_MINUTE: int = Field(default=120, ge=1)
    # Codes that confirm a web chat reporter's mobile number (casework/conversation/text_updates.py): per
    # chat and per number in any 24 hours, and across the site an hour, so nobody can use the service to
    # pester a phone or run up texts.
    WEB_CHAT_CODES_PER_CHAT_PER_DAY: int = Field(default=3, ge=1)
    WEB_CHAT_CODES_PER_NUMBER_PER_DAY: int = Field(default=3, ge=1)
    WEB_CHAT_CODES_PER_HOUR: int = Field(default=60, ge=1)
    # Texts we send to one number in any 24 hours (replies to its own texts aside); the rest are cancelled.
    SMS_TEXTS_PER_NUMBER_PER_DAY: int = Field(default=10, ge=1)
    RASA_TIMEOUT_SECONDS: float = 10.0
    SMTP_HOST: str = "127.0.0.1"
    SMTP_PORT: int = 1025
    SMTP_FROM: str = "asb-reports@localhost"
    NOTIFIER_INSTANCE: str = Field(default_factory=lambda: f"notifier-{secrets.token_hex(3)}")
    LOG_LEVEL: str = "INFO"
    # Data protection (casework/privacy/retention.py): closed reports are anonymised after this many
    # days; stored
    # SMS, chat turns and Rasa trackers (in RASA_TRACKER_DB_URL, when it is an SQL database) are deleted.
    RETENTION_CLOSED_REPORT_DAYS: int = Field(default=730, ge=1)
    RETENTION_CONVERSATION_DAYS: int = Field(default=90, ge=1)
    RASA_TRACKER_DB_URL: str = ""
    # Subjects (people, households, addresses across reports) are deleted when every report linked to them
    # is anonymised, or once they have had no linked report for this many days.
    # Production refuses agencies whose referrals go to placeholders (example.org, .invalid, loopback).
    # Only a production-shaped rehearsal on one machine (`make stack-prod`, local agency stand-ins) sets this.
    ALLOW_PLACEHOLDER_ENDPOINTS: bool = False
    RETENTION_SUBJECT_UNLINKED_DAYS: int = Field(default=90, ge=1)
    # Evidence files (casework/evidence): "local" keeps them under MEDIA_DIR; "s3" uses any S3-compatible
    # object store (MEDIA_S3_*). Size limits are per file, after download or upload.
    MEDIA_STORAGE: str = "local"
    MEDIA_DIR: str = str(VAR_DIR / "media")
    MEDIA_S3_ENDPOINT_URL: str = ""
    MEDIA_S3_BUCKET: str = ""
    MEDIA_S3_REGION: str = ""
    MEDIA_S3_ACCESS_KEY_ID: str = ""
    MEDIA_S3_SECRET_ACCESS_KEY: str = ""
    MEDIA_MAX_IMAGE_MB: int = Field(default=10, ge=1)
    MEDIA_MAX_AV_MB: int = Field(default=20, ge=1)
    # How long the signed link in an agency's referral or update opens the file.
    MEDIA_LINK_DAYS: int = Field(default=14, ge=1)

    @property
    def is_production(self) -> bool:
        """True when running as a production deployment (placeholders refused)."""
        return self.APP_ENV.lower() == "production"

    @property
    def twilio_configured(self) -> bool:
        """True when real Twilio credentials and a sender are set."""
        return bool(
            self.TWILIO_ACCOUNT_SID
            and self.TWILIO_AUTH_TOKEN
            and (self.TWILIO_FROM_NUMBER or self.TWILIO_MESSAGING_SERVICE_SID)
        )

    @property
    def rasa_urls(self) -> list[str]:
        """Every Rasa replica the webhook relays to: RASA_URLS when set, else RASA_URL."""
        urls = [u.strip() for u in self.RASA_URLS.split(",") if u.strip()]
        return urls or [self.RASA_URL]

    @property
    def open311_keys(self) -> set[str]:
        """The statically configured Open311 api_keys."""
        return {k.strip() for k in self.OPEN311_API_KEYS.split(",") if k.strip()}

    def _weak_api_tokens(self) -> list[str]:
        """The API token variables holding a value that is short or a known placeholder."""
        weak = []
        for name in API_TOKEN_NAMES:
            values = [v.strip() for v in getattr(self, name).split(",") if v.strip()]
            if any(_is_weak_token(v) for v in values):
                weak.append(name)
        return weak

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Settings:
        if self.is_production:
            bad = [n for n in SECRET_NAMES if getattr(self, n).strip().lower() in PLACEHOLDERS]
            bad += [n for n in SECRET_NAMES if 0 < len(getattr(self, n)) < 16 and n not in bad]
            if bad:
                raise ConfigurationError(
                    "APP_ENV=production but these secrets are missing, placeholders or shorter than 16 "
                    f"characters: {', '.join(bad)}. Set each to a long random value, for example "
                    "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`."
                )
            weak = self._weak_api_tokens()
            if weak:
                raise ConfigurationError(
                    f"APP_ENV=production but {', '.join(weak)} holds a token shorter than "
                    f"{MIN_API_TOKEN_LENGTH} characters or a placeholder. Leave it unset, or set each token "
                    "to a long random value, for example `python -c 'import secrets; "
                    "print(secrets.token_urlsafe(32))'` (OPEN311_API_KEYS: comma-separated)."
                )
            if self.DATABASE_URL.startswith("sqlite"):
                raise ConfigurationError(
                    "APP_ENV=production needs DATABASE_URL pointing at PostgreSQL, "
                    "for example postgresql+psycopg://user:pass@host/asb"
                )
        return self


def _is_weak_token(value: str) -> bool:
    lowered = value.lower()
    return (
        len(value) < MIN_API_TOKEN_LENGTH
        or lowered in PLACEHOLDERS
        or any(word in lowered for word in PLACEHOLDER_WORDS)
        or len(set(value)) < 8  # "aaaa...", "1111..."
    )


def _dev_secrets_file() -> Path:
    return VAR_DIR / "dev-secrets.env"


def ensure_dev_secrets() -> dict[str, str]:
    """Generate development secrets into var/ on first run and return them."""
    path = _dev_secrets_file()
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                values[k.strip()] = v.strip()
    missing = [n for n in SECRET_NAMES if not values.get(n)]
    if missing:
        VAR_DIR.mkdir(exist_ok=True)
        for n in missing:
            values[n] = secrets.token_urlsafe(32)
        path.write_text(
            "# Development secrets, generated on first run. Never used with APP_ENV=production.\n"
            + "".join(f"{k}={v}\n" for k, v in values.items())
        )
        path.chmod(0o600)
    return values


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment; in development fill unset secrets from var/."""
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if not settings.is_production:
        dev = None
        for name in SECRET_NAMES:
            if not getattr(settings, name):
                dev = dev or ensure_dev_secrets()
                setattr(settings, name, dev[name])
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
