"""The terminal view: rows, filters, sorting, JSON, rich rendering, history, speed."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

from rich.console import Console

from tracker.records import Outcome, Status
from tracker.report import (
    CheckEntry,
    RepoEntry,
    SortKey,
    filter_rows,
    render_history,
    render_status,
    sort_rows,
    status_json,
)
from tracker.report.wording import time_ago

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
EVIL = "<script>alert(1)</script> [bold red]x[/] =HYPERLINK(\"http://evil\",\"x\")"


def row(name: str, status: Status = Status.OK, host: str = "github.com", **fields: object) -> RepoEntry:
    return RepoEntry(key=f"{host}/lab/{name}".lower(), canonical=f"{host}/lab/{name}", host=host,
                     status=status, **fields)  # type: ignore[arg-type]


ROWS = [
    row("alpha", repro_score=7.5, stars=10, last_commit_at=NOW - timedelta(days=95),
        paper_titles=("Diffusion for Everything",), previous_status=Status.OK),
    row("Beta", Status.MISSING, repro_score=None, stars=None, paper_titles=("Tiny Transformers",),
        previous_status=Status.OK),
    row("gamma", Status.ARCHIVED, host="gitlab.com", repro_score=3.0, stars=500,
        last_commit_at=NOW - timedelta(days=800), paper_titles=("diffusion again",)),
    row("delta", Status.UNREACHABLE, license_spdx="MIT", repro_score=9.0, previous_status=Status.OK),
]


def names(rows: list[RepoEntry]) -> list[str]:
    return [r.canonical.rsplit("/", 1)[1] for r in rows]


def test_filters() -> None:
    assert names(filter_rows(ROWS, status=["missing", Status.ARCHIVED])) == ["Beta", "gamma"]
    assert names(filter_rows(ROWS, host="GitLab.com")) == ["gamma"]
    assert names(filter_rows(ROWS, paper="DIFFUSION")) == ["alpha", "gamma"]
    assert names(filter_rows(ROWS, changed=True)) == ["Beta", "delta"]
    assert names(filter_rows(ROWS, host="github.com", changed=True, status=["unreachable"])) == ["delta"]


def test_sorting() -> None:
    assert names(sort_rows(ROWS)) == ["Beta", "gamma", "delta", "alpha"]  # worst status first
    assert names(sort_rows(ROWS, SortKey.NAME)) == ["alpha", "Beta", "delta", "gamma"]
    assert names(sort_rows(ROWS, "score")) == ["delta", "alpha", "gamma", "Beta"]
    assert names(sort_rows(ROWS, "stars")) == ["gamma", "alpha", "Beta", "delta"]
    assert names(sort_rows(ROWS, "last-commit")) == ["alpha", "gamma", "Beta", "delta"]


def test_status_json_is_the_same_rows_as_plain_values() -> None:
    rows = sort_rows(ROWS)
    dumped = status_json(rows)

    assert [item["repository"] for item in dumped] == [r.canonical for r in rows]
    assert json.loads(json.dumps(dumped)) == dumped
    beta = dumped[0]
    assert (beta["status"], beta["previous_status"], beta["change"]) == ("missing", "ok", "ok → missing")
    assert dumped[1]["license_group"] == "none" and dumped[2]["license_group"] == "permissive"


def test_time_ago_is_relative_to_the_injected_now() -> None:
    assert time_ago(NOW - timedelta(days=95), NOW) == "3 months ago"
    assert time_ago(NOW - timedelta(days=800), NOW) == "2 years ago"
    assert time_ago(None, NOW) == "unknown"


def console() -> Console:
    return Console(record=True, width=240, color_system="truecolor", force_terminal=True)


def test_render_status_shows_summary_table_and_colour() -> None:
    out = console()
    render_status(out, sort_rows(ROWS), now=NOW)
    text = out.export_text(clear=False)

    assert text.splitlines()[0] == (
        "4 repositories: 1 missing, 1 archived, 1 unreachable, 1 ok; 2 changed since the previous check"
    )
    assert "3 months ago" in text and "2 years ago" in text and "ok → missing" in text
    assert "7.5" in text
    styled = out.export_html(inline_styles=True)
    assert "color: #800000" in styled or "color: #ff0000" in styled  # missing is red


def test_render_status_caps_rows_with_a_note() -> None:
    out = console()
    render_status(out, [row(f"r{i}") for i in range(30)], now=NOW, limit=10)
    text = out.export_text()
    assert "30 repositories" in text
    assert "20 more rows not shown" in text
    assert "github.com/lab/r9" in text and "github.com/lab/r10" not in text


def test_attacker_text_prints_literally() -> None:
    out = console()
    evil_row = row("evil", license_spdx=EVIL, previous_license_spdx=EVIL, previous_status=Status.OK,
                   paper_titles=(EVIL,))
    render_status(out, [evil_row], now=NOW)
    render_history(out, [CheckEntry(NOW, Status.OK, detail=EVIL)], title=EVIL)
    text = out.export_text()
    assert text.count("[bold red]x[/]") == 3
    assert text.count("<script>alert(1)</script>") == 3


def test_render_history_marks_each_change() -> None:
    day = timedelta(days=1)
    checks = [
        CheckEntry(NOW - 3 * day, Status.OK, detail="200 from the API", license_spdx="MIT", repro_score=5.0),
        CheckEntry(NOW - 2 * day, Status.OK, detail="200 from the API", license_spdx="MIT", repro_score=5.0),
        CheckEntry(NOW - day, Status.MOVED, detail="301", license_spdx="Apache-2.0", repro_score=5.0,
                   moved_to="github.com/new/name"),
        CheckEntry(NOW, Status.MISSING, detail="404 from the API"),
    ]
    out = console()
    render_history(out, list(reversed(checks)))
    lines = [line for line in out.export_text().splitlines() if "2025-" in line]

    # Oldest first, numbered; a change marked ●. No column of bare "│" that reads as a broken border.
    assert [line.split("│")[0].strip() for line in lines] == ["1", "2", "3 ●", "4 ●"]
    assert "status ok → moved; moved to github.com/new/name; license MIT → Apache-2.0" in lines[2]
    assert "status moved → missing" in lines[3] and "score 5 → -" in lines[3]


def test_ten_thousand_rows_are_all_listed_and_the_table_capped() -> None:
    rows = [
        row(f"repo{i}", [Status.OK, Status.MISSING, Status.MOVED, Status.UNREACHABLE][i % 4],
            license_spdx="MIT", repro_score=i % 10, stars=i, last_commit_at=NOW - timedelta(hours=i),
            previous_status=Status.OK, outcomes={"license": Outcome.PASS, "readme": Outcome.FAIL},
            paper_titles=(f"Paper {i}",))
        for i in range(10_000)
    ]
    chosen = sort_rows(filter_rows(rows, host="github.com"), "score")
    payload = json.dumps(status_json(chosen))
    out = Console(file=io.StringIO(), width=200)
    render_status(out, chosen, now=NOW)

    # How fast is bench/status_speed.py's question; here: all rows listed, the table capped.
    assert len(json.loads(payload)) == 10_000
    assert [row["repro_score"] for row in json.loads(payload)[:3]] == [9, 9, 9]
    assert out.file.getvalue().count("github.com/") < 10_000


def test_links_table_and_check_results_print_hostile_text_literally() -> None:
    from tracker.records import Artifact, ArtifactKind, FoundLink, Paper, PaperLinks, RepoRef
    from tracker.report.terminal import render_check_results, render_links_table

    ref = RepoRef("github.com", "lab", "tool")
    found = [
        PaperLinks(Paper("arxiv:1", EVIL, "abstract", "test"),
                   (FoundLink("github.com/lab/tool", repo=ref),
                    FoundLink("zenodo", artifact=Artifact("https://zenodo.org/records/1", ArtifactKind.ARCHIVE))),
                   code_promised=True),
        PaperLinks(Paper("arxiv:2", "No code", "abstract", "test"), (), code_promised=False),
    ]
    checks = [{
        "repository": "github.com/lab/tool", "status": "moved", "detail": EVIL, "moved_to": "github.com/new/tool",
        "health": "healthy", "repro_score": 72,
        "checks": [{"name": "license", "outcome": "fail"}, {"name": "readme", "outcome": "pass"}],
    }]
    out = console()
    render_links_table(out, found)
    render_check_results(out, checks)
    text = out.export_text()

    assert "2 papers, 1 with a repository link" in text
    assert "github.com/lab/tool" in text and "archive: https://zenodo.org/records/1" in text
    assert "moved to github.com/new/tool" in text and "72" in text and "healthy" in text
    failed_column = [line for line in text.splitlines() if "healthy" in line][0]
    assert "license" in failed_column and "readme" not in failed_column
    assert text.count("[bold red]x[/]") == 2 and text.count("<script>alert(1)</script>") == 2


def test_check_results_explain_each_checklist_item_in_the_checks_own_words() -> None:
    from tracker.report.terminal import render_check_results

    checks = [{
        "repository": "github.com/lab/tool", "status": "ok", "detail": "HEAD is abc", "health": "healthy",
        "repro_score": 80, "checks": [
            {"name": "license", "outcome": "pass", "reason": "Licensed MIT (LICENSE)."},
            {"name": "training_code", "outcome": "pass",
             "reason": "Training: README.md:31 runs `python main.py --train [bold]`."},
            {"name": "evaluation_code", "outcome": "fail", "reason": "No evaluation script."},
            {"name": "results", "outcome": "unknown", "reason": "Unknown: README.md was not read."},
        ],
    }]
    out = console()
    render_check_results(out, checks)
    text = out.export_text()

    assert "github.com/lab/tool: ML Code Completeness Checklist" in text
    assert "  training (pass): Training: README.md:31 runs `python main.py --train [bold]`." in text
    assert "  evaluation (fail): No evaluation script." in text
    assert "  results (unknown): Unknown: README.md was not read." in text
    assert "Licensed MIT" not in text  # not a checklist item
