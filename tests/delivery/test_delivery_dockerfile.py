"""The Dockerfile: a Node build, a wheel builder, and a slim non-root runtime."""

from __future__ import annotations

import re

from tests.delivery.files import DOCKERFILE, ROOT, Stage, dockerfile_stages

BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|clang|make|build-essential|cargo|rustc|nodejs|npm)\b")
SECRET_NAMES = re.compile(r"SECRET|PASSWORD|_TOKEN$|DATABASE_URL|REDIS_URL", re.IGNORECASE)


def stage(name: str) -> Stage:
    found = [s for s in dockerfile_stages() if s.name == name]
    assert found, f"{DOCKERFILE.name} has no stage named {name}"
    return found[0]


def runtime() -> Stage:
    final = dockerfile_stages()[-1]
    assert final.name == "runtime", "the last (default) stage must be the runtime"
    return final


def test_runtime_is_python_slim() -> None:
    assert re.fullmatch(r"python:3\.11-slim(-[a-z]+)?", runtime().base), runtime().base


def test_runtime_runs_as_a_non_root_user() -> None:
    users = runtime().all("USER")
    assert users, "the runtime stage sets no USER: it would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), f"USER {users[-1]}"
    cmd_after_user = [k for k, _ in runtime().instructions][
        [k for k, _ in runtime().instructions].index("USER") :
    ]
    assert "RUN" not in cmd_after_user, "nothing should run as root after USER"


def test_runtime_has_a_healthcheck_on_api_health() -> None:
    checks = runtime().all("HEALTHCHECK")
    assert checks, "the runtime stage has no HEALTHCHECK"
    assert "/api/health" in checks[-1], checks[-1]
    assert "urllib" in checks[-1], f"curl is not in the slim image: {checks[-1]}"
    assert "NONE" not in checks[-1].upper().split()


def test_runtime_installs_no_build_tools() -> None:
    for run in runtime().all("RUN"):
        assert not BUILD_TOOLS.search(run), f"build tools in the runtime: {run}"
        assert "apt-get install" not in run, f"the runtime installs system packages: {run}"


def test_no_stage_bakes_in_a_secret() -> None:
    for each in dockerfile_stages():
        for keyword in ("ENV", "ARG"):
            for args in each.all(keyword):
                names = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", args) or args.split()[:1]
                leaked = [n for n in names if SECRET_NAMES.search(n)]
                assert not leaked, f"{each.name}: {keyword} {leaked} puts a secret in the image"


def test_runtime_serves_the_client_built_by_node_20() -> None:
    node = stage("webclient")
    assert node.base.startswith("node:20"), node.base
    runs = " && ".join(node.all("RUN"))
    assert "npm ci --no-audit" in runs
    assert "npm run build" in runs
    env = " ".join(runtime().all("ENV"))
    match = re.search(r"WEBCLIENT_DIR=(\S+)", env)
    assert match, "the runtime does not set WEBCLIENT_DIR"
    copies = [c for c in runtime().all("COPY") if "--from=webclient" in c]
    assert any(c.split()[-1].rstrip("/") == match.group(1) for c in copies), (
        f"nothing from the webclient stage is copied to WEBCLIENT_DIR={match.group(1)}"
    )


def test_builder_wheels_the_project_and_the_runtime_copies_no_sources() -> None:
    builder = stage("builder")
    assert any("pip wheel" in run for run in builder.all("RUN"))
    for copy in runtime().all("COPY"):
        assert "--from=" in copy, f"the runtime copies from the build context: COPY {copy}"


def test_every_copied_source_exists() -> None:
    for each in dockerfile_stages():
        for copy in each.all("COPY"):
            parts = [p for p in copy.split() if not p.startswith("--")]
            if any(p.startswith("--from=") for p in copy.split()):
                continue
            for source in parts[:-1]:
                assert (ROOT / source).exists(), f"{each.name}: COPY {source}: no such path"


def test_default_role_is_all() -> None:
    assert "CHAT_ROLE=all" in " ".join(runtime().all("ENV"))
    assert "CHAT_ENV=production" in " ".join(runtime().all("ENV"))
