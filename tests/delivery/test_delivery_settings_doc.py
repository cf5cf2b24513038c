"""The README's configuration table and .env.example are generated from chat/settings.py.

scripts/settings_doc.py writes them; these tests fail when either is stale, and prove that
the check notices a stale file and that regenerating is idempotent.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from chat.settings import ENV_VARS, specs
from tests.delivery.files import ROOT

SCRIPT = ROOT / "scripts" / "settings_doc.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def copy_docs(tmp_path: Path) -> Path:
    for name in ("README.md", ".env.example"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_readme_and_env_example_are_up_to_date() -> None:
    result = run("--check")
    assert result.returncode == 0, result.stderr


def test_readme_table_has_a_row_per_setting_with_its_default() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {
        row.split("|")[1].strip(" `"): row for row in text.splitlines() if row.startswith("| `")
    }
    assert set(ENV_VARS) <= set(rows)
    db_pool = next(default for spec, default in specs() if spec.env == "DB_POOL_SIZE")
    assert f"| `{db_pool}` |" in rows["DB_POOL_SIZE"]


def test_check_fails_on_a_stale_file_and_regenerating_fixes_it(tmp_path: Path) -> None:
    root = copy_docs(tmp_path)
    readme = root / "README.md"
    env_example = root / ".env.example"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace("| `DB_POOL_SIZE` | `20` |", "| `X` | `1` |"),
        encoding="utf-8",
    )
    env_example.write_text(
        env_example.read_text(encoding="utf-8").replace("BRIDGE_THREADS=32\n", ""),
        encoding="utf-8",
    )
    stale = run("--check", "--root", str(root))
    assert stale.returncode == 1
    assert "README.md" in stale.stderr
    assert ".env.example" in stale.stderr

    assert run("--root", str(root)).returncode == 0
    assert readme.read_text(encoding="utf-8") == (ROOT / "README.md").read_text(encoding="utf-8")
    assert env_example.read_text(encoding="utf-8") == (ROOT / ".env.example").read_text(
        encoding="utf-8"
    )
    again = run("--root", str(root))
    assert again.returncode == 0
    assert again.stdout == ""  # nothing left to rewrite


def test_missing_markers_are_named(tmp_path: Path) -> None:
    root = copy_docs(tmp_path)
    readme = root / "README.md"
    readme.write_text(
        readme.read_text(encoding="utf-8").replace("<!-- settings:end -->", ""),
        encoding="utf-8",
    )
    result = run("--check", "--root", str(root))
    assert result.returncode != 0
    assert "README.md: the marker lines are missing" in result.stderr
