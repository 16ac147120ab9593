"""The ``rounds`` command: serve, load a demo, create an organization, manage the database."""

from __future__ import annotations

import click
import flask.cli
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext

from service import create_app
from service.core.config import ConfigError


def _create_app() -> Flask:
    try:
        return create_app()
    except ConfigError as error:
        raise click.ClickException(str(error)) from None


@click.group(
    cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False
)
def cli() -> None:
    """Rounds: rosters, rotations, events and reminders for volunteer and community work."""


cli.add_command(flask.cli.shell_command)
cli.add_command(flask.cli.routes_command)


def _upgrade_schema() -> None:
    from flask_migrate import upgrade

    upgrade()


def _print_lines(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--demo", is_flag=True, help="Load the demo organization first (once).")
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads.")
@click.pass_context
def serve(context: click.Context, host: str, port: int, demo: bool, threads: int) -> None:
    """Migrate the schema and serve the API and pages (embedded mode needs no server)."""
    from waitress import serve as waitress_serve

    app = context.ensure_object(ScriptInfo).load_app()
    # Set up in a context of its own: its session and transaction end with it, so
    # nothing holds the database (SQLite's write lock above all) while serving.
    with app.app_context():
        _upgrade_schema()
        if demo:
            from service.demo import load_demo

            _print_lines(load_demo(app, f"http://{host}:{port}"))
    settings = app.extensions["rounds.settings"]
    click.echo(f"Rounds is listening on http://{host}:{port}  (API docs: /api/docs)")
    click.echo(
        f"Database: {settings.database_backend}; "
        f"broker: {'Redis' if settings.redis_url else 'in-process'}"
    )
    waitress_serve(app, host=host, port=port, threads=threads, ident="rounds")


@cli.command("demo")
@with_appcontext
def demo() -> None:
    """Load the demo organization (once) and print its URLs and an admin API token."""
    from service.demo import load_demo

    _upgrade_schema()
    _print_lines(load_demo(current_app._get_current_object()))


@cli.command("create-org")
@click.argument("name")
@click.option("--admin-email", required=True, help="E-mail address of the first administrator.")
@click.option("--admin-name", help="Their name (defaults to the part before @).")
@click.option("--slug", help="Short handle for the organization.")
@click.option("--timezone", default="UTC", show_default=True, help="The admin's IANA time zone.")
@click.option("--locale", default="en", show_default=True, type=click.Choice(["en", "zh", "es"]))
@with_appcontext
def create_org(
    name: str,
    admin_email: str,
    admin_name: str | None,
    slug: str | None,
    timezone: str,
    locale: str,
) -> None:
    """Create an organization and its first administrator; print a one-time API token."""
    from service.accounts.operations import create_organization
    from service.core.config import is_valid_timezone
    from service.core.db import db
    from service.core.errors import ProblemError

    if not is_valid_timezone(timezone):
        raise click.BadParameter(f"{timezone!r} is not an IANA time zone", param_hint="--timezone")
    _upgrade_schema()
    try:
        organization, membership, token = create_organization(
            name,
            admin_email=admin_email,
            admin_name=admin_name,
            slug=slug,
            locale=locale,
            timezone=timezone,
        )
        db.session.commit()
    except ProblemError as error:
        db.session.rollback()
        raise click.ClickException(error.detail) from None
    base_url = current_app.extensions["rounds.settings"].base_url
    _print_lines(
        [
            f"Organization {organization.name!r} "
            f"(id {organization.id}, handle {organization.slug})",
            f"Administrator: {membership.user.email}",
            f"API token (shown once; store it now): {token}",
            f"Try: curl -H 'Authorization: Bearer {token}' {base_url}/api/v1/me",
        ]
    )


def main() -> None:
    cli(prog_name="rounds")
