"""scripts/validate-delivery.sh passes on the repository and fails on a broken file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.delivery.files import ROOT

SCRIPT = ROOT / "scripts" / "validate-delivery.sh"
DELIVERY_FILES = (
    "Dockerfile",
    ".dockerignore",
    "docker-compose.yml",
    ".github/workflows/ci.yml",
    "deploy/nginx/chat.conf",
    "scripts/validate-delivery.sh",
)


def run(root: Path) -> subprocess.CompletedProcess[str]:
    # The linters are console scripts of the interpreter running the tests.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["bash", str(root / "scripts" / "validate-delivery.sh")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The delivery files alone in a git work tree of their own."""
    for name in DELIVERY_FILES:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


def test_the_repository_validates_clean() -> None:
    result = run(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all clean" in result.stdout


def test_the_copy_validates_clean(copy: Path) -> None:
    result = run(copy)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_dockerfile_finding_fails(copy: Path) -> None:
    dockerfile = copy / "Dockerfile"
    dockerfile.write_text(
        dockerfile.read_text().replace(
            "FROM python:3.11-slim-bookworm AS runtime", "FROM python AS runtime"
        )
    )
    result = run(copy)
    assert result.returncode != 0
    assert "DL3006" in result.stdout + result.stderr


def test_a_workflow_finding_fails(copy: Path) -> None:
    workflow = copy / ".github" / "workflows" / "ci.yml"
    workflow.write_text(
        workflow.read_text().replace("needs: [backend-tests,", "needs: [no-such-job,")
    )
    result = run(copy)
    assert result.returncode != 0
    assert "no-such-job" in result.stdout + result.stderr


def test_a_compose_finding_fails(copy: Path) -> None:
    compose = copy / "docker-compose.yml"
    compose.write_text(
        compose.read_text().replace(
            "    restart: unless-stopped\n", "    restart_policy: always\n", 1
        )
    )
    result = run(copy)
    assert result.returncode != 0
    assert "compose schema" in result.stderr
