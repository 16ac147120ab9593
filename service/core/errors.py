"""Errors as RFC 9457 problem details (``application/problem+json``).

Operations raise the exceptions below; the HTTP boundary renders them. Every
4xx leaves the database untouched because the request's transaction is rolled
back (``service.core.transactions``).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, has_request_context, json, request

PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """A failure the client can understand and act on."""

    status: int = 400

    def __init__(
        self,
        detail: str,
        *,
        reason: str | None = None,
        errors: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.reason = reason
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra


class BadRequest(ProblemError):
    status = 400


class Unauthorized(ProblemError):
    status = 401

    def __init__(
        self,
        detail: str = "Sign in with an API token: Authorization: Bearer <token>.",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": 'Bearer realm="rounds"'})
        super().__init__(detail, **kwargs)


class Forbidden(ProblemError):
    status = 403


class NotFound(ProblemError):
    status = 404


class Conflict(ProblemError):
    """A rule of the domain refuses the change; ``reason`` says which, for machines."""

    status = 409

    def __init__(self, detail: str, *, reason: str, **kwargs: Any) -> None:
        super().__init__(detail, reason=reason, **kwargs)


class PreconditionFailed(ProblemError):
    status = 412


class Invalid(ProblemError):
    """Input that parses but breaks a rule; ``errors`` maps fields to messages."""

    status = 422

    def __init__(self, errors: dict[str, Any], detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail or _summarise(errors), errors=errors, **kwargs)


class TooManyRequests(ProblemError):
    status = 429


def check_version(current: int, expected: int | None) -> None:
    """Refuse an update whose ``If-Match`` names another version than the stored one."""
    if expected is not None and expected != current:
        raise PreconditionFailed(
            f"This resource is at version {current}, not {expected}: read it again and retry."
        )


def _summarise(errors: dict[str, Any]) -> str:
    parts = []
    for field, messages in errors.items():
        if isinstance(messages, dict):
            parts.append(f"{field}: {_summarise(messages)}")
        elif isinstance(messages, list):
            parts.append(f"{field}: {' '.join(str(m) for m in messages)}")
        else:
            parts.append(f"{field}: {messages}")
    return "; ".join(parts) or "The request is not valid."


def problem_body(status: int, detail: str | None = None, **extra: Any) -> dict[str, Any]:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": phrase,
        "status": status,
        "detail": detail or phrase,
    }
    if has_request_context():
        body["instance"] = request.path
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


def problem_response(
    status: int, detail: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    response = Response(
        json.dumps(problem_body(status, detail, **extra)), status=status, mimetype=PROBLEM_JSON
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def render_problem(error: ProblemError) -> Response:
    return problem_response(
        error.status,
        error.detail,
        headers=error.headers,
        reason=error.reason,
        errors=error.errors,
        **error.extra,
    )
