"""Configuration: environment variables, validated once, failing loudly."""

from __future__ import annotations

import pytest

from service.core.config import ConfigError, load_settings, normalize_locale


def test_embedded_defaults_need_no_server_and_keep_one_secret_key(tmp_path):
    first = load_settings({}, instance_path=tmp_path)
    assert first.embedded
    assert first.database_url == f"sqlite:///{tmp_path / 'rounds.db'}"
    assert first.redis_url is None and first.smtp_url is None
    assert (first.default_timezone, first.default_locale) == ("UTC", "en")
    assert first.base_url == "http://127.0.0.1:8000"
    assert len(first.secret_key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    # A restart signs links with the same key, so links sent yesterday still work.
    assert load_settings({}, instance_path=tmp_path).secret_key == first.secret_key


def test_postgres_urls_are_normalised_to_psycopg(tmp_path):
    for given in ("postgres://u@h/db", "postgresql://u@h/db", "postgresql+psycopg://u@h/db"):
        settings = load_settings(
            {"DATABASE_URL": given, "SECRET_KEY": "k" * 40}, instance_path=tmp_path
        )
        assert settings.database_url == "postgresql+psycopg://u@h/db"
        assert not settings.embedded


def test_every_malformed_variable_is_named_in_one_error(tmp_path):
    with pytest.raises(ConfigError) as error:
        load_settings(
            {
                "DATABASE_URL": "mysql://x/y",
                "REDIS_URL": "http://nope",
                "BASE_URL": "rounds.example.org",
                "SMTP_URL": "smtp://host:notaport",
                "DEFAULT_TIMEZONE": "Mars/Olympus",
                "DEFAULT_LOCALE": "fr",
            },
            instance_path=tmp_path,
        )
    message = str(error.value)
    for variable in (
        "DATABASE_URL",
        "REDIS_URL",
        "BASE_URL",
        "SMTP_URL",
        "DEFAULT_TIMEZONE",
        "DEFAULT_LOCALE",
    ):
        assert variable in message
    assert not (tmp_path / "secret_key").exists()


def test_secret_key_is_required_with_servers_and_must_be_long(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY: required"):
        load_settings({"REDIS_URL": "redis://127.0.0.1:6379/0"}, instance_path=tmp_path)
    with pytest.raises(ConfigError, match="at least 32"):
        load_settings({"SECRET_KEY": "short"}, instance_path=tmp_path)


def test_instance_path_can_be_moved(tmp_path):
    elsewhere = tmp_path / "data"
    settings = load_settings({"INSTANCE_PATH": str(elsewhere)}, instance_path=tmp_path / "x")
    assert settings.instance_path == elsewhere
    assert settings.database_url == f"sqlite:///{elsewhere / 'rounds.db'}"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("zh-CN", "zh"),
        ("zh_Hans", "zh"),
        ("zh-TW", "zh"),
        ("es-ES", "es"),
        ("es-419", "es"),
        ("en", "en"),
        ("EN-gb", "en"),
        ("fr", None),
        ("", None),
    ],
)
def test_locale_tags_map_to_the_catalogues_we_ship(tag, expected):
    assert normalize_locale(tag) == expected
