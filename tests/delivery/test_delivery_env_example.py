""".env.example documents every setting; nothing secret is committed."""

from __future__ import annotations

import subprocess

from chat.settings import ENV_VARS
from tests.delivery.files import ENV_EXAMPLE, ROOT, env_example_names

SECRETS = ("SECRET_KEY", "POSTGRES_PASSWORD")


def test_env_example_names_every_setting() -> None:
    assigned, commented = env_example_names()
    missing = sorted(set(ENV_VARS) - assigned - commented)
    assert not missing, f".env.example lacks {missing}"


def test_every_variable_has_a_comment() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        name = line.lstrip("# ").split("=", 1)[0]
        if "=" not in line or not name.isupper() or " " in name:
            continue
        # Walk up over the neighbouring variables of a group (SEND_RATE_PER_SECOND/BURST).
        above = index - 1
        while (
            above >= 0 and "=" in lines[above] and lines[above].lstrip("# ").split("=")[0].isupper()
        ):
            above -= 1
        comment = lines[above] if above >= 0 else ""
        assert comment.startswith("#"), f".env.example:{index + 1}: {name} has no comment above it"
        assert comment.strip() != "#", f".env.example:{index + 1}: {name}'s comment is empty"


def test_secrets_are_left_empty() -> None:
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        if name in SECRETS:
            assert value == "", f".env.example gives {name} a value"


def test_no_env_file_or_generated_client_settings_are_tracked() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "--", ".env", "*/.env", "webclient/.env.production"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert not tracked, f"committed settings files: {tracked}"


def test_git_ignores_env() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", ".env"], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, ".env is not ignored by git"


def test_docker_context_excludes_env() -> None:
    patterns = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in patterns
    assert "**/.env" in patterns
    assert not any(p.strip() in ("webclient/.env.production", "**/.env.*") for p in patterns), (
        "the generated webclient/.env.production must reach the Node build stage"
    )
