"""Open a generated report.html in headless Chromium and check what a reader would see.

A browser is the only judge of a self-contained HTML page: the check reads the
DOM Chromium rendered from disk (no network: every fetching feature is off)
and requires the inline SVG charts the page announces (`data-charts`), the
headline figures, a section for every repository of the table, and the table's
filter controls shown (its one inline script ran under the page's CSP), then
takes a screenshot for a person to look at.

    python scripts/report_check.py [reports/YYYY-MM-DD/report.html] [--screenshot out.png]

Without a path it takes the newest reports/*/report.html. Exit 0: all present;
1: something missing (named); 2: no report or no Chromium.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)
HEADLINE_LABELS = ("papers", "papers with a code link", "repositories", "median reproducibility score")


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("error: no Chromium found; install it with `apt-get install -y chromium` (make report-check does)")


def run_chromium(binary: str, page: Path, *extra: str) -> str:
    with tempfile.TemporaryDirectory(prefix="report-check-") as profile:
        done = subprocess.run(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
            capture_output=True, text=True, timeout=120, check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"error: chromium exited {done.returncode} on {page}:\n{done.stderr[-2000:]}")
    return done.stdout


def problems_in(dom: str) -> list[str]:
    """What a reader would miss in the rendered DOM; empty when all is there."""
    problems = []
    charts = re.findall(r"<svg\b.*?</svg>", dom, flags=re.DOTALL)
    announced = re.search(r'data-charts="(\d+)"', dom)
    expected = int(announced.group(1)) if announced else -1
    if len(charts) != expected:
        problems.append(f"expected {expected} inline SVG charts, found {len(charts)}")
    problems += [f"SVG chart {index + 1} draws nothing" for index, svg in enumerate(charts) if "<path" not in svg]
    figures = dict((label.strip(), value.strip()) for value, label in re.findall(
        r'<div class="figure"><div class="value">([^<]*)</div>([^<]*)</div>', dom))
    problems += [f"headline figure {label!r} is missing" for label in HEADLINE_LABELS if not figures.get(label)]
    if dom.lower().count("<script") > 1:
        problems.append("the report carries more than its one table script")
    if re.search(r'id="repo-controls"[^>]*\bhidden\b', dom):
        problems.append("the table's filter controls are hidden: its script did not run (CSP hash?)")
    linked = set(re.findall(r'<a href="#(repo-[^"]+)">', dom))
    sections = set(re.findall(r'<section class="repo" id="(repo-[^"]+)">', dom))
    problems += [f"no section for {anchor}" for anchor in sorted(linked - sections)]
    return problems


def newest_report() -> Path:
    reports = sorted(Path("reports").glob("*/report.html"))
    if not reports:
        raise SystemExit("error: no reports/*/report.html; run `repro-tracker report` first, or name a report")
    return reports[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", type=Path, nargs="?")
    parser.add_argument("--screenshot", type=Path, help="Where the PNG goes (default: beside the report).")
    options = parser.parse_args()
    page = options.report or newest_report()
    if not page.is_file():
        print(f"error: no such report: {page}", file=sys.stderr)
        sys.exit(2)
    binary = chromium_binary()
    problems = problems_in(run_chromium(binary, page, "--dump-dom"))
    screenshot = (options.screenshot or page.with_name("report-screenshot.png")).resolve()
    run_chromium(binary, page, "--window-size=1280,2400", "--hide-scrollbars", f"--screenshot={screenshot}")
    for problem in problems:
        print(f"{page}: {problem}", file=sys.stderr)
    print(f"{page}: {'FAILED' if problems else 'ok'}; screenshot at {screenshot}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
