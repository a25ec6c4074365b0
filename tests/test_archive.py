"""Archival in Software Heritage: the judge, the client against the stand-in, the stage, `preserve`, and the views.

The stand-in (`tests/standin_swh.py`) answers in the archive's JSON shapes and
errors; real git repositories built by the tests are what it does or does not
hold, and what the tracker's own checks read (through the GitHub stand-in and
git's `insteadOf`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from gitrepos import CommitSpec, add_commit, ml_repo, route_git
from standin_github import StandinGitHub
from standin_swh import SwhStandin, Window, swh_standin
from typer.testing import CliRunner

from tracker.archive.preserve import RiskFacts, at_risk
from tracker.archive.state import (
    ArchiveAnswers,
    ArchiveState,
    Known,
    Lookup,
    Visit,
    archive_root,
    browse_url,
    judge,
    needs_asking,
)
from tracker.archive.swh import Budget, BudgetSpent, SoftwareHeritage
from tracker.cli import app
from tracker.http import HttpClient
from tracker.records import Status
from tracker.store import open_store

runner = CliRunner()
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
URL = "https://github.com/acme/seeing"


# -- the judge, pure ---------------------------------------------------------------


def test_judge_tells_archived_behind_and_not_archived_apart_by_the_archives_own_answers() -> None:
    visit = Visit(T0, "full", "b" * 40)
    archived = judge(ArchiveAnswers(URL, Lookup.FOUND, visit, Lookup.FOUND, head="a" * 40, revision=Lookup.FOUND))
    assert (archived.state, archived.revision, archived.visit_date) == (ArchiveState.ARCHIVED, "a" * 40, T0)
    behind = judge(ArchiveAnswers(URL, Lookup.FOUND, visit, Lookup.FOUND, head="a" * 40, revision=Lookup.NOT_FOUND),
                   last_commit_at=T0 + timedelta(days=40))
    assert (behind.state, behind.days_behind) == (ArchiveState.BEHIND, 40)
    assert "2025-03-01" in behind.detail
    unknown_origin = judge(ArchiveAnswers(URL, Lookup.NOT_FOUND, origin=Lookup.NOT_FOUND, head="a" * 40))
    assert unknown_origin.state is ArchiveState.NOT_ARCHIVED
    no_snapshot = judge(ArchiveAnswers(URL, Lookup.NOT_FOUND, origin=Lookup.FOUND))
    assert no_snapshot.state is ArchiveState.NOT_ARCHIVED and "no visit with a snapshot" in no_snapshot.detail


@pytest.mark.parametrize("answers", [
    ArchiveAnswers(URL, Lookup.FAULT, fault="HTTP 502 after 4 attempts"),
    ArchiveAnswers(URL, Lookup.NOT_FOUND, origin=Lookup.FAULT, fault="timed out"),
    ArchiveAnswers(URL, Lookup.NOT_ASKED, fault="not asked: the read budget is spent"),
    ArchiveAnswers(URL, Lookup.FOUND, Visit(T0, "full", "b" * 40), Lookup.FOUND, head="a" * 40, revision=Lookup.FAULT,
                   fault="reset"),
])
def test_a_fault_or_a_spent_budget_is_unknown_never_not_archived(answers: ArchiveAnswers) -> None:
    assert judge(answers).state is ArchiveState.UNKNOWN


def test_needs_asking_skips_an_archived_head_until_it_moves() -> None:
    archived = Known("k", "github.com/a/b", gone=False, head_commit="a" * 40, last_state=ArchiveState.ARCHIVED,
                     last_head="a" * 40)
    assert not needs_asking(archived)
    assert needs_asking(Known("k", "github.com/a/b", False, "c" * 40, ArchiveState.ARCHIVED, "a" * 40))
    assert needs_asking(Known("k", "github.com/a/b", False, "a" * 40, ArchiveState.BEHIND, "a" * 40))
    assert not needs_asking(Known("k", "github.com/a/b", True, None, ArchiveState.ARCHIVED, None))


def test_browse_url_is_the_archive_root_of_the_api_url() -> None:
    root = archive_root("https://archive.softwareheritage.org/api/1/")
    assert root == "https://archive.softwareheritage.org"
    assert browse_url(root, URL, "b" * 40) == (
        "https://archive.softwareheritage.org/browse/origin/directory/?origin_url=https://github.com/acme/seeing"
        f"&snapshot={'b' * 40}")


def test_most_at_risk_first_not_archived_then_no_license_stale_few_contributors_then_longest_behind() -> None:
    def facts(name: str, state: ArchiveState | None, **extra: object) -> RiskFacts:
        values: dict[str, object] = {"license_spdx": "MIT", "health": "alive", "contributors": 5, **extra}
        return RiskFacts(f"github.com/a/{name}", f"github.com/a/{name}", extra.pop("status", Status.OK),  # type: ignore[arg-type]
                         state, **{k: v for k, v in values.items() if k != "status"})  # type: ignore[arg-type]

    items = [
        facts("behind-long", ArchiveState.BEHIND, days_behind=300),
        facts("behind-short", ArchiveState.BEHIND, days_behind=3),
        facts("missing-licensed", ArchiveState.NOT_ARCHIVED),
        facts("missing-unlicensed", ArchiveState.NOT_ARCHIVED, license_spdx=None),
        facts("missing-stale-solo", ArchiveState.NOT_ARCHIVED, health="stale", contributors=1),
        facts("kept", ArchiveState.ARCHIVED),
        facts("unasked", None),
        facts("gone", ArchiveState.NOT_ARCHIVED, status=Status.MISSING),
        facts("empty", ArchiveState.NOT_ARCHIVED, status=Status.EMPTY),
        facts("pending", ArchiveState.NOT_ARCHIVED, blocked_by_request="save request pending"),
    ]
    order = [candidate.canonical.rsplit("/", 1)[1] for candidate in at_risk(items)]
    assert order == ["missing-unlicensed", "missing-stale-solo", "missing-licensed", "behind-long", "behind-short"]
    assert at_risk(items)[1].reason == "not in Software Heritage; stale; 1 contributor"


# -- the client against the stand-in ------------------------------------------------


@pytest.fixture
def swh() -> Iterator[SwhStandin]:
    with swh_standin() as standin:
        yield standin


def _client(standin: SwhStandin, token: str | None = None, **budget: object) -> SoftwareHeritage:
    waits: list[float] = []
    http = HttpClient(standin.api, token=token, attempts=2, max_retry_wait=5, sleep=waits.append)
    return SoftwareHeritage(http, reads=Budget("reads", sleep=waits.append, **budget),  # type: ignore[arg-type]
                            saves=Budget("save requests", sleep=waits.append, **budget))  # type: ignore[arg-type]


def test_client_reads_each_state_from_the_archives_answers(swh: SwhStandin, tmp_path: Path) -> None:
    repo = ml_repo(tmp_path / "remotes", "github.com/acme/seeing")
    swh.archive_git(URL, repo.path, date=T0)
    client = _client(swh)
    archived = client.look(URL, repo.head)
    assert (archived.visit, archived.revision) == (Lookup.FOUND, Lookup.FOUND)
    assert archived.latest_visit is not None and archived.latest_visit.date == T0
    moved = add_commit(repo, CommitSpec(when=T0 + timedelta(days=10), changes={"NEWS": "more\n"}))
    behind = judge(client.look(URL, moved.head), last_commit_at=T0 + timedelta(days=10))
    assert (behind.state, behind.days_behind) == (ArchiveState.BEHIND, 10)
    unknown = client.look("https://github.com/acme/never", "a" * 40)
    assert (unknown.visit, unknown.origin) == (Lookup.NOT_FOUND, Lookup.NOT_FOUND)
    assert judge(unknown).state is ArchiveState.NOT_ARCHIVED
    # The visit answered, so the origin's `get` was not asked for the archived one.
    asked = [a.path for a in swh.asked]
    assert not any(path.endswith("acme/seeing/get/") for path in asked)
    assert f"/api/1/origin/{URL}/visit/latest/?require_snapshot=true" in asked


def test_a_gone_repository_learns_its_snapshots_head_revision(swh: SwhStandin, tmp_path: Path) -> None:
    repo = ml_repo(tmp_path / "remotes", "github.com/acme/seeing")
    swh.archive_git(URL, repo.path, date=T0)
    verdict = judge(_client(swh).look(URL, None, gone=True))
    assert (verdict.state, verdict.revision) == (ArchiveState.ARCHIVED, repo.head)


@pytest.mark.parametrize("fault", ["502", "html404"])
def test_a_fault_of_the_archive_is_unknown_never_not_archived(swh: SwhStandin, fault: str) -> None:
    swh.faults["origin/"] = fault
    verdict = judge(_client(swh).look("https://github.com/acme/never", "a" * 40))
    assert verdict.state is ArchiveState.UNKNOWN
    assert "HTTP" in verdict.detail


def test_a_429_spends_the_budget_and_leaves_the_rest_unknown(swh: SwhStandin) -> None:
    swh.reads = Window(limit=60, remaining=0, reset=2_000_000_000)  # Retry-After far beyond what we wait
    client = _client(swh)
    answers = client.look("https://github.com/acme/never", "a" * 40)
    assert judge(answers).state is ArchiveState.UNKNOWN
    assert client.reads.spent_reason is not None and "429" in client.reads.spent_reason
    asked_before = len(swh.asked)
    assert client.look("https://github.com/acme/other", "a" * 40).visit is Lookup.NOT_ASKED
    assert len(swh.asked) == asked_before  # nothing more was sent


def test_the_budget_stops_one_short_of_the_limit_and_spaces_questions_out() -> None:
    waits: list[float] = []
    budget = Budget("reads", reserve=1, max_wait=100, sleep=waits.append, wall_clock=lambda: 1000.0)
    budget.observe({"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "11", "X-RateLimit-Reset": "1100"})
    budget.take(questions_left=5)  # fewer questions than the window holds: no wait
    assert waits == [] and budget.remaining == 10
    budget.take(questions_left=50)  # more than it holds: spread over what is left of the window
    assert waits == [pytest.approx(100 / 9)]
    budget.observe({"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": "5000"})
    with pytest.raises(BudgetSpent, match="1 of 60 left"):
        budget.take()


def test_the_token_travels_as_a_bearer_header_only(swh: SwhStandin) -> None:
    _client(swh, token="swh-secret-token").look("https://github.com/acme/never", None)
    assert all(asked.headers.get("Authorization") == "Bearer swh-secret-token" for asked in swh.asked)
    assert "swh-secret-token" not in repr(_client(swh, token="swh-secret-token").http)


# -- end to end: check --archive, status, history, preserve ---------------------------


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, swh: SwhStandin) -> Iterator[dict[str, object]]:
    """Four GitHub repositories: kept (archived at HEAD), moving (archived, then a commit), fresh (never
    archived, no license, one contributor), vanished (gone from GitHub, held by the archive)."""
    root = tmp_path / "remotes"
    kept = ml_repo(root, "github.com/acme/kept")
    moving = ml_repo(root, "github.com/acme/moving")
    fresh = ml_repo(root, "github.com/acme/fresh", license=None)
    vanished = ml_repo(root, "github.com/acme/vanished")
    swh.archive_git("https://github.com/acme/kept", kept.path, date=T0)
    swh.archive_git("https://github.com/acme/moving", moving.path, date=T0)
    swh.archive_git("https://github.com/acme/vanished", vanished.path, date=T0)
    swh.repositories["https://github.com/acme/fresh"] = fresh.path
    moved = add_commit(moving, CommitSpec(when=datetime.now(UTC) - timedelta(days=2), changes={"NEWS": "v2\n"}))
    route_git(monkeypatch, tmp_path, root)
    monkeypatch.setenv("SWH_API_URL", swh.api)
    monkeypatch.setenv("SWH_TOKEN", "swh-secret-token")
    monkeypatch.setenv("REPRO_TRACKER_MAX_RATE_WAIT", "1")
    db = str(tmp_path / "tracker.db")
    with StandinGitHub() as github:
        for name in ("kept", "moving", "fresh"):
            github.add_repo(f"acme/{name}", license=None if name == "fresh" else "MIT")
        monkeypatch.setenv("GITHUB_API_URL", github.api_url)
        yield {"db": db, "swh": swh, "moved": moved, "kept": kept, "vanished": vanished, "fresh": fresh,
               "github": github}


def _check(db: str) -> None:
    result = runner.invoke(app, ["check", "--all", "--archive", "--db", db, "--json"])
    assert result.exit_code == 0, result.output


def _add(db: str, *names: str) -> None:
    result = runner.invoke(app, ["check", "--db", db, "--json", *[f"--repo=github.com/acme/{n}" for n in names]])
    assert result.exit_code == 0, result.output


def test_status_carries_every_repositorys_archive_state_and_the_gone_ones_copy(world: dict[str, object]) -> None:
    db = str(world["db"])
    _add(db, "kept", "moving", "fresh", "vanished")
    _check(db)
    status = runner.invoke(app, ["status", "--json", "--db", db])
    rows = {row["repository"]: row for row in json.loads(status.stdout)}
    assert {name: row["archive"] for name, row in rows.items()} == {
        "github.com/acme/kept": "archived", "github.com/acme/moving": "behind",
        "github.com/acme/fresh": "not_archived", "github.com/acme/vanished": "archived"}
    assert rows["github.com/acme/kept"]["archive_visit"] == f"{T0:%Y-%m-%dT%H:%M:%S}Z"  # output.utc_iso
    assert rows["github.com/acme/fresh"]["archive_visit"] is None
    vanished = rows["github.com/acme/vanished"]
    assert vanished["status"] == "missing"
    head = world["vanished"].head  # type: ignore[attr-defined]
    assert vanished["archive_revision"] == f"swh:1:rev:{head};origin=https://github.com/acme/vanished"
    assert vanished["archive_snapshot"].startswith("swh:1:snp:")
    assert vanished["archive_url"].startswith(str(world["swh"].url).rstrip("/") + "/browse/origin/directory/")  # type: ignore[attr-defined]
    table = runner.invoke(app, ["status", "--db", db, "--limit", "0"], env={"COLUMNS": "300"})
    assert "gone from github.com, archived on 2025-03-01" in " ".join(table.stdout.split())
    history = runner.invoke(app, ["history", "github.com/acme/vanished", "--db", db], env={"COLUMNS": "300"})
    assert "gone from github.com, archived on 2025-03-01" in history.stdout
    assert f"swh:1:rev:{head};origin=https://github.com/acme/vanished" in history.stdout.replace("\n", "")
    history_json = json.loads(runner.invoke(app, ["history", "github.com/acme/vanished", "--db", db, "--json"]).stdout)
    assert history_json[-1]["archive"] == "archived"


def test_an_archived_head_is_not_asked_again_until_it_moves(world: dict[str, object]) -> None:
    db, swh = str(world["db"]), world["swh"]
    _add(db, "kept")
    _check(db)
    asked = len(swh.asked)  # type: ignore[attr-defined]
    _check(db)
    assert len(swh.asked) == asked  # type: ignore[attr-defined]
    add_commit(world["kept"], CommitSpec(when=datetime.now(UTC), changes={"NEWS": "v2\n"}))  # type: ignore[arg-type]
    world["github"].push("acme/kept", "2026-01-01T10:00:00Z")  # type: ignore[attr-defined]
    _check(db)
    assert len(swh.asked) > asked  # type: ignore[attr-defined]
    rows = json.loads(runner.invoke(app, ["status", "--json", "--db", db]).stdout)
    assert rows[0]["archive"] == "behind"


def test_preserve_dry_run_lists_exactly_the_alive_repositories_not_archived_or_behind(world: dict[str, object]) -> None:
    db, swh = str(world["db"]), world["swh"]
    _add(db, "kept", "moving", "fresh", "vanished")
    _check(db)
    asked = len(swh.asked)  # type: ignore[attr-defined]
    result = runner.invoke(app, ["preserve", "--dry-run", "--json", "--db", db])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert [item["repository"] for item in plan["would_ask"]] == ["github.com/acme/fresh", "github.com/acme/moving"]
    assert plan["would_ask"][0]["reason"].startswith("not in Software Heritage; no license")
    assert len(swh.asked) == asked  # type: ignore[attr-defined]


def test_preserve_asks_once_each_follows_each_request_to_success_and_never_sends_twice_while_pending(
        world: dict[str, object], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    db, swh = str(world["db"]), world["swh"]
    _add(db, "kept", "moving", "fresh", "vanished")
    _check(db)
    first = json.loads(runner.invoke(app, ["preserve", "--json", "--db", db]).stdout)
    assert [item["repository"] for item in first["sent"]] == ["github.com/acme/fresh", "github.com/acme/moving"]
    assert {item["save_request_status"] for item in first["sent"]} == {"accepted"}
    assert "save requests: 8 of 10 left" in first["budget"]
    posts = [a for a in swh.asked if a.method == "POST"]  # type: ignore[attr-defined]
    assert len(posts) == 2
    second = json.loads(runner.invoke(app, ["preserve", "--json", "--db", db]).stdout)
    assert second["sent"] == [] and second["candidates"] == []
    assert [a for a in swh.asked if a.method == "POST"] == posts  # type: ignore[attr-defined]
    # Each later run follows the requests: scheduled, running, succeeded (the archive then holds fresh).
    seen = [item["save_task_status"] for item in second["followed"] if item["repository"] == "github.com/acme/fresh"]
    for _ in range(2):
        later = json.loads(runner.invoke(app, ["preserve", "--json", "--db", db]).stdout)
        seen += [item["save_task_status"] for item in later["followed"] if item["repository"] == "github.com/acme/fresh"]
        assert later["sent"] == []
    assert seen == ["scheduled", "running", "succeeded"]
    with open_store(db) as store:
        requests = store.archive.save_requests("github.com/acme/fresh")
    assert [(r.save_request_status, r.save_task_status) for r in requests] == [("accepted", "succeeded")]
    assert requests[0].snapshot_swhid and requests[0].snapshot_swhid.startswith("swh:1:snp:")
    _check(db)
    rows = {row["repository"]: row for row in json.loads(runner.invoke(app, ["status", "--json", "--db", db]).stdout)}
    assert rows["github.com/acme/fresh"]["archive"] == "archived"
    assert rows["github.com/acme/fresh"]["archive_save_request"] == "succeeded"
    # The token reached the archive, and nothing else: not the logs, not the database.
    assert all(a.headers.get("Authorization") == "Bearer swh-secret-token" for a in swh.asked)  # type: ignore[attr-defined]
    assert "swh-secret-token" not in caplog.text
    assert b"swh-secret-token" not in Path(db).read_bytes()


def test_preserve_stops_before_the_save_budgets_limit_and_says_what_is_left(world: dict[str, object]) -> None:
    db, swh = str(world["db"]), world["swh"]
    _add(db, "kept", "moving", "fresh", "vanished")
    _check(db)
    swh.save_budget = Window(limit=10, remaining=2, reset=2_000_000_000)  # type: ignore[attr-defined]
    first = json.loads(runner.invoke(app, ["preserve", "--json", "--db", db]).stdout)
    # The first answer says 1 left; the reserve keeps it: one request sent, one left for later.
    assert [item["repository"] for item in first["sent"]] == ["github.com/acme/fresh"]
    assert first["left"] == ["github.com/acme/moving"]
    assert "1 of 10 left" in first["budget"]


def test_a_faulty_archive_leaves_states_unknown_and_the_checks_recorded(world: dict[str, object]) -> None:
    db, swh = str(world["db"]), world["swh"]
    # A proxy's HTML 404 (the 502 case, retried with waits, is the client test's, whose sleep is injected).
    swh.faults["origin/"] = "html404"  # type: ignore[attr-defined]
    _add(db, "fresh")
    _check(db)
    rows = json.loads(runner.invoke(app, ["status", "--json", "--db", db]).stdout)
    assert (rows[0]["status"], rows[0]["archive"]) == ("ok", "unknown")
    plan = json.loads(runner.invoke(app, ["preserve", "--dry-run", "--json", "--db", db]).stdout)
    assert plan["would_ask"] == []


def test_the_report_and_dashboard_show_the_archive_share_beside_escamilla_and_the_gone_repositorys_copy(
        world: dict[str, object], tmp_path: Path) -> None:
    from tracker.dashboard import status_rows, store_figures, summary_markdown
    from tracker.report.load import report_stream

    db = str(world["db"])
    _add(db, "kept", "moving", "fresh", "vanished")
    _check(db)
    result = runner.invoke(app, ["report", "--out", str(tmp_path / "reports"), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    target = Path(json.loads(result.stdout)["report"])
    markdown = (target / "report.md").read_text()
    assert "## Software Heritage" in markdown
    # 3 of the 4 are held (kept, moving behind, vanished): 75% beside the study's 68%.
    assert "75% are in the archive (Escamilla et al., 2024: 68%" in markdown
    head = world["vanished"].head  # type: ignore[attr-defined]
    assert f"gone from github.com, archived on 2025-03-01, swh:1:rev:{head}" in markdown
    assert (target / "archive.png").is_file()
    html = (target / "report.html").read_text()
    assert 'id="archive"' in html and "In Software Heritage" in html
    csv_header = (target / "repositories.csv").read_text().splitlines()[0]
    assert "archive,archive_visit,archive_revision,archive_url" in csv_header
    with open_store(db) as store:
        figures = store_figures(report_stream(store))
    rows = {row["link"]: row for row in status_rows(figures)}
    assert rows["github.com/acme/vanished"]["archive"] == "gone from github.com, archived on 2025-03-01"
    assert rows["github.com/acme/fresh"]["archive"] == "not archived"
    assert "In Software Heritage: **75%**" in summary_markdown(figures, datetime.now(UTC))


def test_a_spent_read_budget_stops_before_the_limit_and_leaves_the_rest_for_the_next_run(
        world: dict[str, object]) -> None:
    db, swh = str(world["db"]), world["swh"]
    _add(db, "kept", "moving", "fresh", "vanished")
    swh.reads = Window(limit=60, remaining=3, reset=2_000_000_000)  # type: ignore[attr-defined]
    result = runner.invoke(app, ["check", "--all", "--archive", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    assert "left for the next run (reads: 1 of 60 left" in " ".join(result.stderr.split())
    assert len(swh.asked) == 2  # type: ignore[attr-defined]  # one short of the limit: the last question is kept
    rows = json.loads(runner.invoke(app, ["status", "--json", "--db", db]).stdout)
    states = sorted(str(row["archive"]) for row in rows)
    assert "not_archived" not in states and states.count("unknown") >= 3
