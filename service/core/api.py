"""The HTTP boundary shared by every domain's ``api.py``.

flask-smorest builds the OpenAPI document from the marshmallow schemas; this
module adapts it to the project's conventions: problem+json errors (keeping
``Allow`` on 405), RFC 8288 ``Link`` headers beside ``X-Pagination``, version
ETags with ``If-Match``, and the transaction boundary around every request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

import flask_smorest
import marshmallow as ma
import sqlalchemy as sa
from flask import Flask, Response, request
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from service.core.db import db
from service.core.errors import (
    PreconditionFailed,
    ProblemError,
    problem_response,
    render_problem,
)

F = TypeVar("F", bound=Callable[..., Any])


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, as every error of this API is shaped."""

    type = ma.fields.String(metadata={"description": "A URI naming the problem type."})
    title = ma.fields.String(metadata={"description": "Short summary of the status."})
    status = ma.fields.Integer()
    detail = ma.fields.String(metadata={"description": "What went wrong, for a person."})
    instance = ma.fields.String(metadata={"description": "The request path."})
    reason = ma.fields.String(
        metadata={"description": "Machine-readable cause of a 409 (position_full, ...)."}
    )
    errors = ma.fields.Dict(metadata={"description": "Field errors of a 422: field -> messages."})


class Api(flask_smorest.Api):
    """flask-smorest's Api answering every HTTP error with problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException) -> Response:
        headers = {
            name: value for name, value in error.get_headers() if name.lower() != "content-type"
        }
        data = getattr(error, "data", None) or {}
        headers.update(data.get("headers") or {})
        errors = data.get("errors") or data.get("messages")
        detail = data.get("message") or error.description
        if errors is not None:
            errors = _flatten_locations(errors)
            detail = "The request is not valid: see errors."
        return problem_response(error.code or 500, detail, headers=headers, errors=errors)


def _flatten_locations(errors: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors by location (``json``, ``query``); clients want fields."""
    flat: dict[str, Any] = {}
    for location, fields in errors.items():
        if isinstance(fields, dict) and location in ("json", "query", "headers", "form", "files"):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest Blueprint whose pagination also sets an RFC 8288 Link header."""

    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 25, "max_page_size": 200}

    def _set_pagination_metadata(self, page_params: Any, result: Any, headers: Any):
        result, headers = super()._set_pagination_metadata(page_params, result, headers)
        links = _pagination_links(page_params.page, page_params.page_size, page_params.item_count)
        if links:
            headers["Link"] = links
        return result, headers


def _pagination_links(page: int, page_size: int, item_count: int) -> str:
    last_page = max(1, -(-item_count // page_size))
    targets = {"first": 1, "last": last_page}
    if page > 1:
        targets["prev"] = min(page - 1, last_page)
    if page < last_page:
        targets["next"] = page + 1
    args = request.args.to_dict(flat=False)
    links = []
    for rel, number in targets.items():
        args["page"] = [str(number)]
        args["page_size"] = [str(page_size)]
        links.append(f'<{request.base_url}?{urlencode(args, doseq=True)}>; rel="{rel}"')
    return ", ".join(links)


def paginate(statement: sa.Select, pagination_parameters: Any) -> list[Any]:
    """Run one page of ``statement`` and tell flask-smorest how many rows there are."""
    count = db.session.scalar(
        sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    )
    pagination_parameters.item_count = count
    page = pagination_parameters.page
    size = pagination_parameters.page_size
    return list(db.session.scalars(statement.limit(size).offset((page - 1) * size)))


def etag_for(version: int) -> str:
    return f'"{version}"'


_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)"\s*$')


def expected_version() -> int | None:
    """The version an update's ``If-Match`` names; None when the client sent none."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    match = _ETAG.match(header)
    if match is None:
        raise PreconditionFailed(
            f"If-Match {header!r} names no version of this resource; send the ETag you read."
        )
    return int(match.group(1))


def with_etag(result: Any, version: int) -> tuple[Any, dict[str, str]]:
    """A view's answer with the resource's version as its ETag."""
    return result, {"ETag": etag_for(version)}


def public(view: F) -> F:
    """Mark a view that answers without authentication."""
    view.public = True  # type: ignore[attr-defined]
    return view


def init_transaction_boundary(app: Flask) -> None:
    """Commit a request's work if it succeeded, roll it back otherwise.

    This is the one place, with the worker's actor wrapper, that commits. A 4xx or
    5xx answer therefore changes nothing, whatever the operation had flushed.
    """

    @app.errorhandler(ProblemError)
    def _problem(error: ProblemError) -> Response:
        return render_problem(error)

    @app.errorhandler(StaleDataError)
    def _stale(error: StaleDataError) -> Response:
        return problem_response(
            412, "Someone else changed this resource meanwhile; read it again and retry."
        )

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError) -> Response:
        app.logger.warning("integrity error: %s", error.orig)
        return problem_response(
            409, "The change conflicts with existing data.", reason="integrity_conflict"
        )

    @app.errorhandler(OperationalError)
    def _unavailable(error: OperationalError) -> Response:
        app.logger.error("database unavailable: %s", error.orig)
        return problem_response(
            503,
            "The database is not reachable right now; try again shortly.",
            headers={"Retry-After": "5"},
        )

    @app.after_request
    def _finish(response: Response) -> Response:
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            db.session.commit()
        except StaleDataError:
            db.session.rollback()
            return _stale(None)  # type: ignore[arg-type]
        except IntegrityError as error:
            db.session.rollback()
            return _integrity(error)
        return response
