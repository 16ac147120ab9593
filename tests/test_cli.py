"""The `rounds` command as a newcomer and an operator use it: real processes, real files."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

ROUNDS = str(Path(sys.executable).with_name("rounds"))


def _env(instance: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SMTP_URL")
    }
    return {**env, "INSTANCE_PATH": str(instance), **extra}


def _run(instance: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ROUNDS, *args],
        env=_env(instance, **extra),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def test_serve_demo_starts_on_embedded_defaults_and_takes_writes(tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        [ROUNDS, "serve", "--demo", "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "rounds serve did not answer in 120 s"
                time.sleep(0.3)
        assert (status, body) == (200, b'{"status":"ok"}\n')
        assert _get(f"http://127.0.0.1:{port}/readyz")[0] == 200
        assert b'"openapi"' in _get(f"http://127.0.0.1:{port}/api/openapi.json")[1]
        assert (tmp_path / "rounds.db").exists() and (tmp_path / "secret_key").exists()
        # A write right after start-up: nothing left over from loading the demo may hold
        # the database (SQLite's write lock would make this wait and fail).
        status, token = _post(
            f"http://127.0.0.1:{port}/api/v1/tokens",
            {"email": "li.ming@demo.example.org", "password": "rounds-demo-2026"},
        )
        assert status == 201 and token["token"].startswith("rnd_")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"http://127.0.0.1:{port}" in output and "Admin API token" in output


def test_a_malformed_setting_stops_start_up_with_a_clear_message(tmp_path):
    result = _run(tmp_path, "serve", DEFAULT_TIMEZONE="Mars/Olympus")
    assert result.returncode != 0
    assert "DEFAULT_TIMEZONE" in result.stderr and "Mars/Olympus" in result.stderr
    assert "Traceback" not in result.stderr


def test_create_org_prints_a_one_time_token_that_works(tmp_path):
    from tests.conftest import build_app

    result = _run(
        tmp_path,
        "create-org",
        "Hongda Yuan Volunteers",
        "--admin-email",
        "Admin@Example.org",
        "--timezone",
        "Asia/Shanghai",
    )
    assert result.returncode == 0, result.stderr
    token = re.search(r"(rnd_\S+)", result.stdout).group(1)
    app = build_app(f"sqlite:///{tmp_path / 'rounds.db'}", tmp_path)
    me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert (me.json["email"], me.json["role"]) == ("admin@example.org", "admin")
    assert me.json["organization"]["slug"] == "hongda-yuan-volunteers"
    types = (
        app.test_client()
        .get("/api/v1/activity-types", headers={"Authorization": f"Bearer {token}"})
        .json
    )
    assert {
        "patrol",
        "cleanup",
        "grocery-run",
        "home-visit",
        "haircut",
        "training",
        "publicity",
        "supervision",
        "escort",
        "home-repair",
    } == {t["key"] for t in types}
    assert next(t for t in types if t["key"] == "patrol")["names"]["zh"] == "治安巡逻"
    twice = _run(
        tmp_path,
        "create-org",
        "Other",
        "--admin-email",
        "x@example.org",
        "--slug",
        "hongda-yuan-volunteers",
    )
    assert twice.returncode != 0 and "exists" in twice.stderr


def test_demo_loads_a_realistic_organization_once(tmp_path):
    first = _run(tmp_path, "demo")
    assert first.returncode == 0, first.stderr
    assert "Admin API token" in first.stdout and "/api/docs" in first.stdout
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'rounds.db'}")
    with engine.connect() as db:
        zones = db.execute(sa.text("SELECT timezone FROM communities")).scalars().all()
        volunteers = db.execute(sa.text("SELECT count(*) FROM volunteer_profiles")).scalar()
        patrols = db.execute(
            sa.text(
                "SELECT count(*) FROM events e JOIN activity_types t ON t.id = e.activity_type_id "
                "WHERE t.key = 'patrol' AND e.status = 'published'"
            )
        ).scalar()
        pairs = db.execute(
            sa.text(
                "SELECT DISTINCT p.max_people FROM positions p JOIN events e ON e.id = p.event_id "
                "JOIN activity_types t ON t.id = e.activity_type_id WHERE t.key = 'patrol'"
            )
        ).all()
        groceries = db.execute(
            sa.text(
                "SELECT count(*) FROM events e JOIN activity_types t ON t.id = e.activity_type_id "
                "WHERE t.key = 'grocery-run'"
            )
        ).scalar()
        cleanup_places = db.execute(
            sa.text(
                "SELECT sum(p.max_people) FROM positions p JOIN events e ON e.id = p.event_id "
                "JOIN activity_types t ON t.id = e.activity_type_id WHERE t.key = 'cleanup'"
            )
        ).scalar()
        languages = db.execute(sa.text("SELECT languages FROM volunteer_profiles")).scalars().all()
    engine.dispose()
    assert sorted(zones) == ["Asia/Shanghai", "Europe/Madrid"]
    assert 35 <= volunteers <= 45
    assert patrols >= 21 and pairs == [(2,)]
    assert groceries >= 4
    assert cleanup_places >= 100
    assert any("es" in langs for langs in languages) and any("zh" in langs for langs in languages)
    second = _run(tmp_path, "demo")
    assert second.returncode == 0 and "already loaded" in second.stdout
    token = re.search(r"(rnd_\S+)", second.stdout).group(1)
    assert token not in first.stdout
