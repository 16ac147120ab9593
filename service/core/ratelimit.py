"""Rate limits (Flask-Limiter): counted in Redis when there is one, in memory otherwise.

Redis being down must never fail a request, so errors are swallowed and the
limiter falls back to counting in memory meanwhile.
"""

from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from service.core.config import Settings
from service.core.phone import normalize_phone

limiter = Limiter(
    key_func=get_remote_address,
    headers_enabled=True,
    swallow_errors=True,
    in_memory_fallback_enabled=True,
    strategy="moving-window",
)


def init_rate_limits(app: Flask, settings: Settings) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = settings.redis_url or "memory://"
    app.config["RATELIMIT_KEY_PREFIX"] = "rounds-limits"
    limiter.init_app(app)


def phone_in_body() -> str:
    """Rate-limit key: the phone number a form gives, so one number cannot flood the office."""
    body = request.get_json(silent=True)
    phone = body.get("phone") if isinstance(body, dict) else None
    return f"phone:{normalize_phone(phone)}" if isinstance(phone, str) and phone.strip() else ""


def email_in_body() -> str:
    """Rate-limit key: the account a sign-in names, so one password cannot be guessed at."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return f"email:{email.strip().lower()}" if isinstance(email, str) and email.strip() else ""


def failed(response: object) -> bool:
    """Count only refused attempts: a person who signs in often is not slowed down."""
    return response.status_code >= 400


def succeeded(response: object) -> bool:
    """Count only accepted requests: a typo does not use up anybody's allowance."""
    return response.status_code < 400
