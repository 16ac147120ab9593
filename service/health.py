"""Liveness and readiness probes for orchestrators."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, jsonify

from service.core.db import db
from service.core.errors import problem_response

blp = Blueprint("health", __name__)


@blp.route("/healthz")
def healthz() -> Response:
    """The process answers; depends on nothing else."""
    return jsonify(status="ok")


@blp.route("/readyz")
def readyz() -> Response:
    """The database answers: the instance can take traffic."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        return problem_response(503, f"The database is not reachable: {error.__class__.__name__}.")
    return jsonify(status="ready", database="ok")
