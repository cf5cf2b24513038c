#!/usr/bin/env python3
"""Regenerate the settings docs from chat/settings.py, the one place settings are declared.

    .venv/bin/python scripts/settings_doc.py           # rewrite README.md and .env.example
    .venv/bin/python scripts/settings_doc.py --check   # exit 1 if either is out of date

It rewrites only what lies between the marker lines: the README's configuration table and
the application section of .env.example. Everything outside the markers is left as it is,
and running it twice changes nothing the second time. tests/delivery checks that both files
are up to date, so a setting added to chat/settings.py without re-running this fails there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chat.settings import REPO_ROOT, Spec, specs  # noqa: E402

README_BEGIN = (
    "<!-- settings:begin - generated from chat/settings.py by scripts/settings_doc.py; "
    "edit there, then run it -->"
)
README_END = "<!-- settings:end -->"
ENV_BEGIN = (
    "# ---- application settings: generated from chat/settings.py by scripts/settings_doc.py ----"
)
ENV_END = "# ---- end of application settings ----"


def value_text(default: object) -> str:
    """A default as it is written in an environment file ("" for unset)."""
    if default is None:
        return ""
    if isinstance(default, bool):
        return "true" if default else "false"
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    if isinstance(default, tuple):
        return ",".join(str(part) for part in default)
    if isinstance(default, Path):
        return (
            str(default.relative_to(REPO_ROOT))
            if default.is_relative_to(REPO_ROOT)
            else str(default)
        )
    return str(default)


def readme_table(settings: list[tuple[Spec, object]]) -> list[str]:
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for spec, default in settings:
        if spec.shown is not None:
            shown = spec.shown
        else:
            text = value_text(default)
            shown = f"`{text}`" if text else "unset"
        rows.append(f"| `{spec.env}` | {shown} | {spec.meaning} |")
    return rows


def env_section(settings: list[tuple[Spec, object]]) -> list[str]:
    lines: list[str] = []
    for spec, default in settings:
        first = spec.meaning.replace("`", "")
        stop = "" if first.endswith((".", "…")) else "."
        lines.append(f"# {first[0].upper()}{first[1:]}{stop}")
        lines.extend(f"# {line}" for line in spec.advice)
        value = spec.example if spec.example is not None else value_text(default)
        lines.append(f"{'# ' if spec.commented else ''}{spec.env}={value}")
    return lines


def replace_between(text: str, begin: str, end: str, body: list[str], name: str) -> str:
    lines = text.split("\n")
    try:
        start = lines.index(begin)
        stop = lines.index(end, start + 1)
    except ValueError:
        raise SystemExit(
            f"{name}: the marker lines are missing; put these two lines where the generated "
            f"part belongs:\n{begin}\n{end}"
        ) from None
    return "\n".join([*lines[: start + 1], *body, *lines[stop:]])


def render(root: Path) -> dict[Path, str]:
    """Each generated file's path and its up-to-date text."""
    settings = specs()
    readme = root / "README.md"
    env_example = root / ".env.example"
    return {
        readme: replace_between(
            readme.read_text(encoding="utf-8"),
            README_BEGIN,
            README_END,
            ["", *readme_table(settings), ""],
            "README.md",
        ),
        env_example: replace_between(
            env_example.read_text(encoding="utf-8"),
            ENV_BEGIN,
            ENV_END,
            env_section(settings),
            ".env.example",
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root")
    args = parser.parse_args(argv)
    stale = []
    for path, text in render(args.root).items():
        if path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print(
            f"out of date with chat/settings.py: {', '.join(stale)}; "
            "run .venv/bin/python scripts/settings_doc.py",
            file=sys.stderr,
        )
        return 1
    for name in stale:
        print(f"rewrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
