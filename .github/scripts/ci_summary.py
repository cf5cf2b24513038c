"""Summarise JUnit XML results and a Cobertura coverage report as Markdown.

The CI workflow appends the output to $GITHUB_STEP_SUMMARY and posts the same text as
a sticky pull-request comment. Standard library only: it runs before any install.

    python .github/scripts/ci_summary.py --title Backend \
        --junit test-results/backend.xml --coverage coverage.xml --min-coverage 80
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Results:
    tests: int = 0
    failures: int = 0
    errors: int = 0
    skipped: int = 0
    seconds: float = 0.0
    failed: list[str] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return self.tests - self.failures - self.errors - self.skipped


def read_junit(paths: list[Path]) -> Results:
    """Count <testcase> elements wherever they sit (pytest and vitest nest them alike)."""
    results = Results()
    for path in paths:
        root = ET.parse(path).getroot()  # noqa: S314
        for case in root.iter("testcase"):
            results.tests += 1
            results.seconds += float(case.get("time") or 0)
            name = f"{case.get('classname') or ''}::{case.get('name') or ''}".strip(":")
            if case.find("failure") is not None:
                results.failures += 1
                results.failed.append(name)
            elif case.find("error") is not None:
                results.errors += 1
                results.failed.append(name)
            elif case.find("skipped") is not None:
                results.skipped += 1
    return results


def read_cobertura(path: Path) -> float:
    """Line coverage in percent from Cobertura XML (coverage.py and vitest both write it)."""
    root = ET.parse(path).getroot()  # noqa: S314
    rate = root.get("line-rate")
    if rate is None:
        raise ValueError(f"{path}: no line-rate attribute on <{root.tag}>")
    return float(rate) * 100


def render(
    title: str, results: Results | None, coverage: float | None, minimum: float | None
) -> str:
    lines = [f"### {title}", ""]
    if results is None:
        lines.append(":warning: no test results were produced")
    else:
        icon = ":white_check_mark:" if not results.failed and results.tests else ":x:"
        lines += [
            "| | passed | failed | errors | skipped | time |",
            "|---|---:|---:|---:|---:|---:|",
            f"| {icon} tests | {results.passed} | {results.failures} | {results.errors} "
            f"| {results.skipped} | {results.seconds:.1f} s |",
        ]
        if results.failed:
            lines += ["", "<details><summary>failed</summary>", ""]
            lines += [f"- `{name}`" for name in results.failed[:50]]
            if len(results.failed) > 50:
                lines.append(f"- … and {len(results.failed) - 50} more")
            lines += ["", "</details>"]
    if coverage is not None:
        verdict = ""
        if minimum is not None:
            verdict = (
                f" (minimum {minimum:g}%: "
                + ("met" if coverage >= minimum else "**not met**")
                + ")"
            )
        lines += ["", f"Line coverage: **{coverage:.1f}%**{verdict}"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--title", required=True)
    parser.add_argument("--junit", type=Path, action="append", default=[])
    parser.add_argument("--coverage", type=Path)
    parser.add_argument("--min-coverage", type=float)
    parser.add_argument("--output", type=Path, help="also write the Markdown here")
    args = parser.parse_args(argv)

    present = [path for path in args.junit if path.is_file()]
    results = read_junit(present) if present else None
    coverage = read_cobertura(args.coverage) if args.coverage and args.coverage.is_file() else None
    text = render(args.title, results, coverage, args.min_coverage)
    sys.stdout.write(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
