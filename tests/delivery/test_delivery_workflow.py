"""The CI workflow: triggers, test jobs with real services, and a guarded push."""

from __future__ import annotations

import re
from typing import Any

from tests.delivery.files import OPERATIONS, WORKFLOW, workflow, workflow_triggers

PUBLISH = "publish"
NOT_TESTS = {PUBLISH, "report"}  # jobs that report on or ship what the others tested


def jobs() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = workflow()["jobs"]
    return found


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job.get("steps", []))


def run_text(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in steps(job))


def test_triggers() -> None:
    triggers = workflow_triggers(workflow())
    for event in ("push", "pull_request"):
        assert set(triggers[event]["branches"]) == {"main", "develop"}, event
    assert "workflow_dispatch" in triggers


def test_publish_needs_every_test_job() -> None:
    needs = jobs()[PUBLISH].get("needs", [])
    needs = [needs] if isinstance(needs, str) else needs
    missing = sorted(set(jobs()) - NOT_TESTS - set(needs))
    assert not missing, f"the push does not wait for {missing}"


def test_publish_runs_on_main_only_and_never_for_pull_requests() -> None:
    condition = re.sub(r"\s+", " ", str(jobs()[PUBLISH].get("if", "")))
    assert "github.ref == 'refs/heads/main'" in condition, condition
    assert "always()" not in condition, condition
    assert "||" not in condition, condition
    assert "pull_request" in condition, condition


def test_only_publish_pushes_and_logs_in() -> None:
    for name, job in jobs().items():
        for step in steps(job):
            uses = str(step.get("uses", ""))
            pushes = uses.startswith("docker/build-push-action") and step["with"].get("push")
            logs_in = uses.startswith("docker/login-action")
            if name != PUBLISH:
                assert not pushes, f"{name} pushes an image"
                assert not logs_in, f"{name} logs in to a registry"
    publish = steps(jobs()[PUBLISH])
    login = [s for s in publish if str(s.get("uses", "")).startswith("docker/login-action")]
    assert login
    assert login[0]["with"] == {
        "username": "${{ secrets.DOCKER_HUB_USERNAME }}",
        "password": "${{ secrets.DOCKER_HUB_TOKEN }}",
    }
    meta = [s for s in publish if str(s.get("uses", "")).startswith("docker/metadata-action")]
    tags = meta[0]["with"]["tags"]
    assert "steps.version.outputs.version" in tags
    assert "value=latest" in tags


def test_actions_are_pinned_to_versions() -> None:
    for name, job in jobs().items():
        for step in steps(job):
            if "uses" in step:
                assert re.fullmatch(
                    r"[\w.-]+/[\w./-]+@(v\d+(\.\d+)*|[0-9a-f]{40})", step["uses"]
                ), f"{name}: {step['uses']} is not pinned to a version"


def test_image_builds_use_the_gha_layer_cache() -> None:
    builds = [
        step
        for job in jobs().values()
        for step in steps(job)
        if str(step.get("uses", "")).startswith("docker/build-push-action")
    ]
    assert builds
    for step in builds:
        assert "type=gha" in step["with"].get("cache-from", ""), step
        assert "type=gha" in step["with"].get("cache-to", ""), step


def test_backend_tests_use_postgres_15_and_redis_7_with_health_checks() -> None:
    job = jobs()["backend-tests"]
    services = job["services"]
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name in ("postgres", "redis"):
        assert "--health-cmd" in services[name]["options"], f"{name} has no health check"
    text = run_text(job)
    assert text.index("chat db upgrade") < text.index("pytest"), "migrations must run first"
    assert "coverage report --fail-under=80" in text
    backends = {str(s.get("env", {}).get("CHAT_TEST_BACKEND")) for s in steps(job)}
    assert job["env"]["CHAT_TEST_BACKEND"] == "postgres"
    assert "sqlite" in backends, "scripts/test.sh runs a SQLite pass too"


def test_lint_and_security_scans() -> None:
    text = "\n".join(run_text(job) for job in jobs().values())
    for command in (
        "ruff check",
        "mypy --strict chat",
        "bandit",
        "pip-audit",
        "npm run lint",
        "npm audit",
    ):
        assert command in text, f"the workflow never runs {command}"


def test_dependency_caching() -> None:
    for name, job in jobs().items():
        for step in steps(job):
            uses = str(step.get("uses", ""))
            if uses.startswith(("actions/setup-python", "actions/setup-node")):
                assert step["with"].get("cache") in ("pip", "npm"), f"{name}: {uses} uncached"


def test_frontend_settings_come_from_variables_not_secrets() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    assert "vite_env.py" in text
    assert "toJSON(vars)" in text
    assert "toJSON(secrets)" not in text, "never hand every secret to one step"


def test_every_secret_the_workflow_uses_is_documented() -> None:
    used = set(re.findall(r"secrets\.([A-Z0-9_]+)", WORKFLOW.read_text(encoding="utf-8")))
    assert {"DOCKER_HUB_USERNAME", "DOCKER_HUB_TOKEN"} <= used
    documented = OPERATIONS.read_text(encoding="utf-8")
    missing = sorted(name for name in used if f"`{name}`" not in documented)
    assert not missing, f"docs/operations.md does not describe {missing}"
