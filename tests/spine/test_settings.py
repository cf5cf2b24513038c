"""Settings from the environment: defaults, parsing, and refusals with the variable named."""

from __future__ import annotations

from dataclasses import fields

import pytest

from chat.setting_spec import spec_of
from chat.settings import ENV_VARS, Settings, SettingsError, specs


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


def _other_value(name: str, default: object) -> str:
    """A valid value for the variable that differs from its default."""
    if name == "CHAT_ENV":
        return "test"
    if name == "CHAT_ROLE":
        return "socket"
    if isinstance(default, bool):
        return "false" if default else "true"
    if isinstance(default, int | float):
        return str(default * 2 + 5)
    if name == "CORS_ORIGINS":
        return "https://a.example"
    if name == "DATABASE_URL":
        return "sqlite+aiosqlite:///./var/other.db"
    return "other"


def test_every_declared_variable_is_read() -> None:
    """Each variable chat.settings declares changes its own attribute, and only that one."""
    base = Settings(secret_key="k" * 40)
    assert sorted(spec.env for spec, _ in specs()) == sorted(
        spec_of(field).env for field in fields(Settings)
    ), "the generated docs list every setting once"
    for field in fields(Settings):
        spec, default = spec_of(field), field.default
        value = _other_value(spec.env, default)
        settings = Settings.from_env({"SECRET_KEY": "k" * 40} | {spec.env: value})
        changed = [
            f.name for f in fields(Settings) if getattr(settings, f.name) != getattr(base, f.name)
        ]
        assert changed == [field.name], f"{spec.env}={value} changed {changed}"
    assert len(ENV_VARS) == len(set(ENV_VARS)) == len(fields(Settings))
