"""docker-compose.yml: what the chat services get, and the order things start in."""

from __future__ import annotations

import re
from typing import Any

from chat.settings import ENV_VARS
from tests.delivery.files import (
    COMPOSE,
    INTERPOLATION,
    ROOT,
    compose,
    depends_on,
    env_example_names,
    environment,
    interpolation_default,
)

DATA_SERVICES = ("postgres", "redis")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|_TOKEN$")


def chat_services(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Services that run the chat runtime image: the replicas and the migration."""
    services: dict[str, dict[str, Any]] = data["services"]
    image = services["chat"].get("image")
    return {
        name: spec
        for name, spec in services.items()
        if (spec.get("build") or {}).get("target") == "runtime"
        or (image is not None and spec.get("image") == image)
    }


def test_chat_services_are_the_replicas_and_the_migration() -> None:
    assert set(chat_services(compose())) == {"chat", "migrate"}


def test_chat_services_get_only_variables_that_chat_settings_reads() -> None:
    for name, service in chat_services(compose()).items():
        assert "env_file" not in service, (
            f"{name}: env_file would hand every .env line (POSTGRES_PASSWORD...) to the app"
        )
        unknown = sorted(set(environment(service)) - set(ENV_VARS))
        assert not unknown, f"{name} passes variables chat.settings does not read: {unknown}"


def test_secret_key_is_required_never_defaulted() -> None:
    for name, service in chat_services(compose()).items():
        value = environment(service).get("SECRET_KEY", "")
        assert value.startswith("${SECRET_KEY:?"), (
            f"{name}: SECRET_KEY must be ${{SECRET_KEY:?...}}"
        )


def test_no_literal_passwords_in_the_compose_file() -> None:
    for name, service in compose()["services"].items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key):
                assert INTERPOLATION.search(value), f"{name}.{key} is a literal: {value!r}"
                assert ":?" in value, f"{name}.{key} must be required (:?), not defaulted"


def test_replicas_never_migrate_and_the_migration_runs_once() -> None:
    services = compose()["services"]
    assert environment(services["chat"]).get("AUTO_MIGRATE") == "false"
    assert services["migrate"]["command"] == ["chat", "db", "upgrade"]
    assert services["migrate"].get("restart") == "no"
    assert "deploy" not in services["migrate"], "one migration, not one per replica"


def test_at_least_two_chat_replicas_by_default() -> None:
    replicas = str(compose()["services"]["chat"]["deploy"]["replicas"])
    default = interpolation_default(replicas)
    assert default is not None, f"replicas: {replicas} has no default"
    assert int(default) >= 2, f"replicas: {replicas}"


def test_data_services_have_health_checks() -> None:
    services = compose()["services"]
    for name in DATA_SERVICES:
        check = services[name].get("healthcheck") or {}
        assert check.get("test"), f"{name} has no health check"
        assert not check.get("disable"), f"{name} disables its health check"


def test_dependents_of_postgres_and_redis_wait_until_healthy() -> None:
    services = compose()["services"]
    dependents = 0
    for name, service in services.items():
        for target, spec in depends_on(service).items():
            if target in DATA_SERVICES:
                dependents += 1
                assert spec.get("condition") == "service_healthy", (
                    f"{name} depends on {target} without condition: service_healthy"
                )
    assert dependents >= 3


def test_replicas_start_after_a_successful_migration() -> None:
    deps = depends_on(compose()["services"]["chat"])
    assert set(DATA_SERVICES) <= set(deps)
    assert deps["migrate"].get("condition") == "service_completed_successfully"


def test_data_lives_in_named_volumes() -> None:
    data = compose()
    declared = set(data.get("volumes") or {})
    for name, path in (("postgres", "/var/lib/postgresql/data"), ("redis", "/data")):
        mounts = [str(v) for v in data["services"][name].get("volumes", [])]
        sources = [m.split(":", 1)[0] for m in mounts if m.split(":")[1:2] == [path]]
        assert sources, f"{name}: nothing is mounted at {path}"
        assert sources[0] in declared, f"{name}: {path} is not a named volume"


def test_data_services_are_not_published() -> None:
    services = compose()["services"]
    for name in (*DATA_SERVICES, "chat", "migrate"):
        assert "ports" not in services[name], f"{name} publishes ports; only the proxy should"


def test_proxy_serves_the_config_under_deploy_nginx() -> None:
    proxy = compose()["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    sources = [str(v).split(":", 1)[0] for v in proxy.get("volumes", [])]
    configs = [s for s in sources if s.startswith("./deploy/nginx/")]
    assert configs, "the proxy mounts no config from deploy/nginx/"
    for source in configs:
        assert (ROOT / source).is_file(), f"{source} does not exist"
    assert depends_on(proxy)["chat"].get("condition") == "service_healthy"


def test_loadtest_profile_targets_the_proxy() -> None:
    services = compose()["services"]
    loadtest = {n: s for n, s in services.items() if "loadtest" in (s.get("profiles") or [])}
    commands = [" ".join(map(str, s.get("command", []))) for s in loadtest.values()]
    assert any(c.startswith("locust -f loadtests/locustfile.py --headless") for c in commands)
    assert any(c.startswith("chat-bench fanout --target http://proxy") for c in commands)
    assert all("http://proxy" in c for c in commands), commands
    default = {n for n, s in services.items() if not s.get("profiles")}
    assert not default & set(loadtest), "load generators must not start with a plain `up`"


def test_every_interpolated_variable_is_documented_in_env_example() -> None:
    used = {match.group(1) for match in INTERPOLATION.finditer(COMPOSE.read_text())}
    assigned, commented = env_example_names()
    missing = sorted(used - assigned - commented)
    assert not missing, f".env.example does not document {missing}"
