"""report.html as a reviewing tool: a section per repository with every reason, charts only where data allows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from store_support import T0, bare_facts, ok_facts, paper_links

from tracker.dashboard import write_report_files
from tracker.records import CheckResult, Outcome, Status
from tracker.report import RepoEntry, ReportData, RunInfo
from tracker.report.analysis import alive_by_month, checklist_completeness, runs_to_chart
from tracker.report.charts import run_labels
from tracker.report.chart_slots import build_charts
from tracker.store import open_store

HOSTILE = '<img src=x onerror="alert(1)"> {{ 7*7 }}'
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def test_each_repository_has_a_section_linked_from_the_table_with_every_reason(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    results = (
        CheckResult("training_code", Outcome.FAIL, 0, f"No training script; README says {HOSTILE}",
                    evidence=("README.md:3: " + HOSTILE,)),
        CheckResult("dependencies", Outcome.PASS, 10, "requirements.txt lists 4 packages.", ("requirements.txt",)),
    )
    with open_store(db) as store:
        store.add_papers([paper_links("arxiv:1", "github.com/lab/seeing", "github.com/lab/gone")])
        run_id = store.start_run(["test"])
        store.record_check(run_id, ok_facts("github.com/lab/seeing"), results, health="alive", repro_score=55)
        store.record_check(run_id, bare_facts("github.com/lab/gone", Status.MISSING, http_status=404), (),
                           health="gone", repro_score=None)
        store.finish_run(run_id, "completed")
        html = (write_report_files(store, tmp_path / "reports", NOW) / "report.html").read_text(encoding="utf-8")
    for key in ("github.com/lab/seeing", "github.com/lab/gone"):
        assert f'<a href="#repo-{key}">' in html and f'<section class="repo" id="repo-{key}">' in html
    section = html[html.index('id="repo-github.com/lab/seeing"'):]
    assert "requirements.txt lists 4 packages." in section and "GitHub answered 200 for the repository." in section
    assert "Title of arxiv:1" in section and "1 check(s)" in section
    # Attacker text from a README is text, never markup or a template.
    assert HOSTILE not in html and "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; {{ 7*7 }}" in html
    assert "missing for test" in html[html.index('id="repo-github.com/lab/gone"'):]
    # A plain table without scripts: the filter controls only appear when the script runs.
    assert re.search(r'<div class="controls" id="repo-controls" hidden>', html)


def _repo(name: str, status: Status, published: date, checked: datetime, items: int) -> RepoEntry:
    names = ("dependencies", "training_code", "evaluation_code", "pretrained_models", "results")
    return RepoEntry(
        key=f"github.com/lab/{name}", canonical=f"github.com/lab/{name}", host="github.com", status=status,
        checked_at=checked, published=published, first_seen=checked - timedelta(days=200),
        gone_since=checked if status == Status.MISSING else None,
        license_spdx="MIT", outcomes={n: Outcome.PASS if i < items else Outcome.FAIL for i, n in enumerate(names)},
    )


def test_charts_are_drawn_when_there_is_data_and_small_runs_are_left_out() -> None:
    repos = tuple(
        _repo(f"r{index}", Status.MISSING if index % 4 == 0 else Status.OK, date(2024, 1 + index % 3, 10),
              NOW, index % 6)
        for index in range(12)
    )
    runs = (
        RunInfo("1", NOW - timedelta(days=60), {Status.OK: 12}),
        RunInfo("2", NOW - timedelta(days=30), {Status.OK: 1}),  # `check --repo` of one repository
        RunInfo("3", NOW, {Status.OK: 9, Status.MISSING: 3}),
    )
    slots = {slot.name: slot for slot in build_charts(ReportData(runs=runs, repositories=repos))}
    assert list(slots) == ["survival", "alive_by_month", "checklist", "licenses", "status_mix"]
    assert all(slot.chart is not None for slot in slots.values()), {n: s.note for n, s in slots.items()}
    assert "Days since publication. 0 of 12 repositories' papers have no publication date." == slots["survival"].note
    assert "1 small runs" in slots["status_mix"].note
    assert "in the NeurIPS 2019 sample 9% did" in slots["checklist"].note
    assert [(m.month, m.alive, m.gone) for m in alive_by_month(repos)] == [
        ("2024-01", 3, 1), ("2024-02", 3, 1), ("2024-03", 3, 1)]
    assert checklist_completeness(repos) == [1, 2, 1, 2, 1, 2]  # the missing ones are not judged
    assert [run.id for run in runs_to_chart(runs)[0]] == ["1", "3"]


def test_run_labels_are_short_and_at_most_ten() -> None:
    runs = [RunInfo(str(i), T0 + timedelta(hours=6 * i)) for i in range(40)]
    labels = run_labels(runs)
    assert len(labels) == 40 and 1 <= sum(1 for label in labels if label) <= 10
    assert labels[0] == "2025-03-01 12:00"  # a day with several runs shows the time
    assert run_labels([RunInfo("a", T0)]) == ["2025-03-01"]
