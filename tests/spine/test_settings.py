"""Settings from the environment: defaults, parsing, and refusals with the variable named."""

from __future__ import annotations

import pytest

from chat.settings import ENV_VARS, Settings, SettingsError


def test_defaults_are_the_embedded_setup() -> None:
    settings = Settings.from_env({})
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.redis_url is None
    assert settings.role == "all"
    assert len(settings.secret_key) >= 32  # a random development key


def test_production_requires_a_secret_key() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env({"CHAT_ENV": "production"})
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env({"CHAT_ENV": "production", "SECRET_KEY": "short"})


def test_values_are_parsed() -> None:
    settings = Settings.from_env(
        {
            "CHAT_ENV": "production",
            "SECRET_KEY": "k" * 40,
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "CORS_ORIGINS": "https://a.example, https://b.example/",
            "SEND_RATE_PER_SECOND": "2.5",
            "AUTO_MIGRATE": "off",
            "CHAT_ROLE": "socket",
        }
    )
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.send_rate_per_second == 2.5
    assert settings.auto_migrate is False
    assert settings.role == "socket"
    assert settings.origin_allowed("https://b.example", "http://own:8000")
    assert settings.origin_allowed("http://own:8000", "http://own:8000")
    assert not settings.origin_allowed("https://evil.example", "http://own:8000")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DB_POOL_SIZE", "ten"),
        ("DB_POOL_SIZE", "0"),
        ("SEND_RATE_PER_SECOND", "-1"),
        ("AUTO_MIGRATE", "maybe"),
        ("CHAT_ROLE", "admin"),
        ("CHAT_ENV", "staging"),
        ("DATABASE_URL", "sqlite+aiosqlite:///:memory:"),
        ("DATABASE_URL", "sqlite+aiosqlite://"),
    ],
)
def test_malformed_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_env_vars_lists_every_variable_read() -> None:
    import inspect

    import chat.settings as module

    source = inspect.getsource(module.Settings.from_env)
    read = {part.split('"')[1] for part in source.split("reader.")[1:]}
    assert read == set(ENV_VARS)
