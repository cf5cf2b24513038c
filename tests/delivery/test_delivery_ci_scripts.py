"""The workflow's helper scripts: the run-page summary and the client's build settings."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.delivery.files import ROOT

SCRIPTS = ROOT / ".github" / "scripts"

JUNIT = """<?xml version="1.0"?>
<testsuites><testsuite name="pytest">
  <testcase classname="t.rooms" name="test_join" time="0.25"/>
  <testcase classname="t.rooms" name="test_leave" time="0.5"><failure message="boom"/></testcase>
  <testcase classname="t.rooms" name="test_crash" time="0.25"><error message="x"/></testcase>
  <testcase classname="t.rooms" name="test_later" time="0"><skipped/></testcase>
</testsuite></testsuites>
"""


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_summary_counts_results_and_names_failures(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT)
    coverage = tmp_path / "coverage.xml"
    coverage.write_text('<coverage line-rate="0.7912" branch-rate="0"></coverage>')
    output = tmp_path / "out" / "summary.md"
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPTS / "ci_summary.py"),
            "--title",
            "Backend tests",
            "--junit",
            str(junit),
            "--coverage",
            str(coverage),
            "--min-coverage",
            "80",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    text = result.stdout
    assert output.read_text() == text
    assert "| :x: tests | 1 | 1 | 1 | 1 | 1.0 s |" in text
    assert "`t.rooms::test_leave`" in text
    assert "`t.rooms::test_crash`" in text
    assert "**79.1%** (minimum 80%: **not met**)" in text


def test_summary_of_a_green_run() -> None:
    summary = load("ci_summary")
    results = summary.Results(tests=3, seconds=1.5)
    text = summary.render("Web client tests", results, 91.0, 75.0)
    assert ":white_check_mark: tests | 3 | 0 | 0 | 0 | 1.5 s" in text
    assert "**91.0%** (minimum 75%: met)" in text


def test_summary_without_results_says_so(tmp_path: Path) -> None:
    summary = load("ci_summary")
    assert summary.main(["--title", "X", "--junit", str(tmp_path / "missing.xml")]) == 0
    assert "no test results" in summary.render("X", None, None, None)


def test_vite_env_takes_only_vite_variables(tmp_path: Path) -> None:
    output = tmp_path / ".env.production"
    variables = {"VITE_SOCKET_PATH": "/socket.io", "DOCKER_HUB_USERNAME": "someone"}
    subprocess.run(
        [
            sys.executable,
            str(SCRIPTS / "vite_env.py"),
            "--version",
            "1.2.3",
            "--sha",
            "abc123",
            "--output",
            str(output),
        ],
        env={"VARS_JSON": json.dumps(variables), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )
    lines = output.read_text().splitlines()
    assert lines[1:] == [
        'VITE_APP_VERSION="1.2.3"',
        'VITE_BUILD_SHA="abc123"',
        'VITE_SOCKET_PATH="/socket.io"',
    ]


def test_vite_env_refuses_values_that_would_break_the_file() -> None:
    vite_env = load("vite_env")
    with pytest.raises(ValueError, match="one line"):
        vite_env.render({"VITE_X": "a\nVITE_Y=b"}, "1", "s")
    with pytest.raises(ValueError, match="upper case"):
        vite_env.render({"VITE_x": "1"}, "1", "s")
