"""Rounds: schedules volunteer and community activity."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from service.core.config import Settings, load_settings

MIGRATIONS_DIRECTORY = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(settings: Settings | None = None) -> Flask:
    """Build the application from ``settings`` (read from the environment when omitted)."""
    import swagger_ui_bundle
    from flask import send_from_directory
    from flask_migrate import Migrate

    from service import health, models  # noqa: F401 - every mapper registered
    from service.accounts import api as accounts_api
    from service.activities import api as activities_api
    from service.assignments import api as assignments_api
    from service.calendars import api as calendars_api
    from service.communities import api as communities_api
    from service.core.api import Api, init_transaction_boundary
    from service.core.db import db
    from service.core.ratelimit import init_rate_limits
    from service.reports import api as reports_api
    from service.residents import api as residents_api
    from service.rotations import api as rotations_api
    from service.series import api as series_api
    from service.swaps import api as swaps_api
    from service.teams import api as teams_api
    from service.volunteers import api as volunteers_api

    app = Flask(__name__)
    if settings is None:
        settings = load_settings(instance_path=Path(app.instance_path))
    app.instance_path = str(settings.instance_path)
    app.extensions["rounds.settings"] = settings
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings),
        API_TITLE="Rounds",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
        # Swagger UI would otherwise send the document to validator.swagger.io.
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},
        API_SPEC_OPTIONS={
            "info": {
                "description": "Rosters, rotations, events and assignments for volunteer "
                "and community work. Authenticate with `Authorization: Bearer <token>` "
                "(POST /api/v1/tokens). Errors are application/problem+json.",
            },
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    app.json.ensure_ascii = False
    settings.instance_path.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    Migrate(app, db, directory=MIGRATIONS_DIRECTORY, render_as_batch=True, compare_type=True)
    api = Api(app)
    for module in (
        accounts_api,
        communities_api,
        volunteers_api,
        teams_api,
        activities_api,
        series_api,
        assignments_api,
        calendars_api,
        residents_api,
        reports_api,
        rotations_api,
        swaps_api,
    ):
        for blueprint in module.blueprints:
            api.register_blueprint(blueprint)
    app.register_blueprint(health.blp)

    @app.route("/api/docs/assets/<path:filename>")
    def swagger_ui_assets(filename: str):
        # Served by us: the docs must work on a machine with no internet.
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename, max_age=86400)

    init_rate_limits(app, settings)
    if settings.proxy_count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(
            app.wsgi_app,
            x_for=settings.proxy_count,
            x_proto=settings.proxy_count,
            x_host=settings.proxy_count,
        )
    init_transaction_boundary(app)
    return app


def _engine_options(settings: Settings) -> dict:
    if settings.database_backend == "sqlite":
        return {"connect_args": {"check_same_thread": False}}
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}
