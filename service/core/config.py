"""The service's configuration: environment variables only, read once, here.

Every variable is documented in README.md and deploy/env.example. A malformed or
unknown value stops start-up with a message naming the variable, so a typo in a
deployment fails loudly instead of running with a surprising default.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app

SUPPORTED_LOCALES = ("en", "zh", "es")

#: Locale tags people and browsers send, mapped to the catalogues we ship. Babel
#: knows zh_Hans/zh_Hant but not zh-CN/zh-TW, so the aliases live here.
LOCALE_ALIASES = {
    "zh-cn": "zh",
    "zh-hans": "zh",
    "zh-sg": "zh",
    "zh-tw": "zh",
    "zh-hant": "zh",
    "zh-hk": "zh",
    "es-es": "es",
    "es-mx": "es",
    "es-419": "es",
    "en-us": "en",
    "en-gb": "en",
}

SECRET_KEY_FILE = "secret_key"
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(Exception):
    """The environment holds a value the service cannot run with."""


@dataclass(frozen=True)
class Settings:
    """What the environment says, validated."""

    database_url: str
    redis_url: str | None
    secret_key: str
    base_url: str
    smtp_url: str | None
    default_timezone: str
    default_locale: str
    instance_path: Path
    #: Reverse proxies in front of the service whose X-Forwarded-For is trusted.
    proxy_count: int = 0
    #: Help requests one client address, or one phone number, may file per hour.
    help_requests_per_hour: int = 20

    @property
    def embedded(self) -> bool:
        """True when no external server is configured: SQLite and the in-process broker."""
        return self.redis_url is None and self.database_url.startswith("sqlite")

    @property
    def database_backend(self) -> str:
        return self.database_url.split(":", 1)[0].split("+", 1)[0]


def normalize_locale(tag: str | None) -> str | None:
    """Map a locale tag (``zh-CN``, ``es_ES``, ``en``) to a supported locale, or None."""
    if not tag:
        return None
    tag = tag.strip().replace("_", "-").lower()
    if tag in LOCALE_ALIASES:
        return LOCALE_ALIASES[tag]
    base = tag.split("-", 1)[0]
    return base if base in SUPPORTED_LOCALES else None


def is_valid_timezone(name: str) -> bool:
    if not name or name != name.strip():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _database_url(value: str | None, instance_path: Path, errors: list[str]) -> str:
    if not value:
        return f"sqlite:///{instance_path / 'rounds.db'}"
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme in ("postgres", "postgresql", "postgresql+psycopg"):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    if scheme in ("sqlite", "sqlite+pysqlite"):
        return value
    errors.append(
        f"DATABASE_URL: {scheme or value!r} is not supported; "
        "use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
    )
    return value


def _redis_url(value: str | None, errors: list[str]) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
        errors.append(f"REDIS_URL: {value!r} is not a redis://host:port/db URL")
    return value


def _base_url(value: str | None, errors: list[str]) -> str:
    if not value:
        return "http://127.0.0.1:8000"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors.append(f"BASE_URL: {value!r} must be an absolute http:// or https:// URL")
    return value.rstrip("/")


def _smtp_url(value: str | None, errors: list[str]) -> str | None:
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("smtp", "smtps", "smtp+starttls") or not parts.hostname:
        errors.append(
            f"SMTP_URL: {value!r} must look like smtp://user:password@host:25 "
            "(or smtps:// for TLS, smtp+starttls:// for STARTTLS)"
        )
    else:
        try:
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError:
            errors.append(f"SMTP_URL: the port in {value!r} is not a number")
    return value


def _whole_number(
    env: Mapping[str, str], name: str, default: int, errors: list[str], *, least: int = 0
) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        errors.append(f"{name}: {raw!r} is not a whole number")
        return default
    if value < least:
        errors.append(f"{name}: must be at least {least}")
    return value


def _secret_key(value: str | None, embedded: bool, instance_path: Path, errors: list[str]) -> str:
    if value:
        if len(value) < MIN_SECRET_KEY_LENGTH:
            errors.append(
                f"SECRET_KEY: must be at least {MIN_SECRET_KEY_LENGTH} characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return value
    if not embedded:
        errors.append(
            "SECRET_KEY: required when DATABASE_URL or REDIS_URL points at a server, "
            "so that every process signs links with the same key"
        )
        return ""
    key_file = instance_path / SECRET_KEY_FILE
    if errors:  # start-up fails anyway: leave no file behind
        return ""
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.touch(mode=0o600)
    key_file.write_text(key)
    return key


def load_settings(environ: Mapping[str, str] | None = None, *, instance_path: Path) -> Settings:
    """Read and validate the environment; raise ConfigError naming every bad variable.

    ``instance_path`` is where the embedded mode keeps its files unless INSTANCE_PATH
    names another folder.
    """
    env = os.environ if environ is None else environ
    errors: list[str] = []
    if env.get("INSTANCE_PATH"):
        instance_path = Path(env["INSTANCE_PATH"]).expanduser().resolve()
    database_url = _database_url(env.get("DATABASE_URL"), instance_path, errors)
    redis_url = _redis_url(env.get("REDIS_URL"), errors)
    base_url = _base_url(env.get("BASE_URL"), errors)
    smtp_url = _smtp_url(env.get("SMTP_URL"), errors)

    default_timezone = env.get("DEFAULT_TIMEZONE") or "UTC"
    if not is_valid_timezone(default_timezone):
        errors.append(
            f"DEFAULT_TIMEZONE: {default_timezone!r} is not an IANA time zone "
            "(for example Asia/Shanghai or Europe/Madrid)"
        )
    raw_locale = env.get("DEFAULT_LOCALE") or "en"
    default_locale = normalize_locale(raw_locale)
    if default_locale is None:
        errors.append(
            f"DEFAULT_LOCALE: {raw_locale!r} is not one of {', '.join(SUPPORTED_LOCALES)}"
        )
        default_locale = "en"

    proxy_count = _whole_number(env, "PROXY_COUNT", 0, errors)
    help_requests_per_hour = _whole_number(env, "HELP_REQUESTS_PER_HOUR", 20, errors, least=1)

    embedded = redis_url is None and database_url.startswith("sqlite")
    secret_key = _secret_key(env.get("SECRET_KEY"), embedded, instance_path, errors)
    if errors:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(errors))
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        secret_key=secret_key,
        base_url=base_url,
        smtp_url=smtp_url,
        default_timezone=default_timezone,
        default_locale=default_locale,
        instance_path=instance_path,
        proxy_count=proxy_count,
        help_requests_per_hour=help_requests_per_hour,
    )


def get_settings() -> Settings:
    """The settings of the running application."""
    return current_app.extensions["rounds.settings"]
