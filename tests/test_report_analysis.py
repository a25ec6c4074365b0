"""Pure report figures over hand-built data: changes, headline, licenses, coverage, status mix."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tracker.records import Outcome, Status
from tracker.report import (
    ChangeKind,
    LicenseGroup,
    PaperEntry,
    RepoEntry,
    ReportData,
    RunInfo,
    change_summary,
    changes,
    checklist_coverage,
    headline,
    license_distribution,
    license_group,
    status_mix,
)

BEFORE = datetime(2025, 5, 1, tzinfo=UTC)
NOW = datetime(2025, 6, 1, tzinfo=UTC)
RECENT = datetime(2025, 5, 20, tzinfo=UTC)


def repo(name: str, status: Status, previous: Status | None = Status.OK, **fields: object) -> RepoEntry:
    values: dict[str, object] = {
        "key": f"github.com/lab/{name}",
        "canonical": f"github.com/lab/{name}",
        "host": "github.com",
        "status": status,
        "checked_at": NOW,
        "license_spdx": "MIT",
        "last_commit_at": RECENT,
        "previous_status": previous,
        "previous_checked_at": BEFORE if previous else None,
        "previous_license_spdx": "MIT",
    }
    values.update(fields)
    return RepoEntry(**values)  # type: ignore[arg-type]


def two_runs() -> ReportData:
    return ReportData(
        runs=(
            RunInfo("r2", NOW, {Status.OK: 4, Status.MISSING: 1, Status.MOVED: 1, Status.ARCHIVED: 1}),
            RunInfo("r1", BEFORE, {Status.OK: 6, Status.UNREACHABLE: 1}),
        ),
        repositories=(
            repo("deleted", Status.MISSING, license_spdx=None),
            repo("renamed", Status.MOVED, moved_to="github.com/newlab/renamed"),
            repo("archived", Status.ARCHIVED),
            repo("relicensed", Status.OK, license_spdx="GPL-3.0-only"),
            repo("steady", Status.OK),
            repo("flaky", Status.UNREACHABLE, license_spdx=None),  # a network fault, not "missing"
            repo("back", Status.OK, previous=Status.UNREACHABLE),  # not "revived"
            repo("brand-new", Status.MISSING, previous=None),  # no previous run to compare with
        ),
    )


def test_two_runs_report_exactly_the_real_changes() -> None:
    found = changes(two_runs())

    assert [(c.kind, c.canonical) for c in found.all] == [
        (ChangeKind.MISSING, "github.com/lab/deleted"),
        (ChangeKind.MOVED, "github.com/lab/renamed"),
        (ChangeKind.ARCHIVED, "github.com/lab/archived"),
        (ChangeKind.LICENSE, "github.com/lab/relicensed"),
    ]
    assert (found.moved[0].before, found.moved[0].after) == ("github.com/lab/renamed", "github.com/newlab/renamed")
    assert (found.license_changed[0].before, found.license_changed[0].after) == ("MIT", "GPL-3.0-only")
    assert not found.blocked and not found.revived and not found.gone_stale


def test_unreachable_flips_are_shown_in_the_row_but_are_not_news() -> None:
    rows = {row.key.rsplit("/", 1)[1]: row for row in two_runs().repositories}

    assert change_summary(rows["flaky"]) == "ok → unreachable"
    assert change_summary(rows["back"]) == "unreachable → ok"
    assert change_summary(rows["steady"]) == ""
    assert change_summary(rows["deleted"]) == "ok → missing"


def test_revived_blocked_and_stale() -> None:
    stale_commit = datetime(2024, 5, 15, tzinfo=UTC)  # 351 days before the previous check, 382 before this one
    data = ReportData(
        repositories=(
            repo("returned", Status.OK, previous=Status.MISSING),
            repo("unblocked", Status.ARCHIVED, previous=Status.BLOCKED),
            repo("dmca", Status.BLOCKED, previous=Status.UNREACHABLE),
            repo("disabled", Status.DISABLED, previous=Status.OK),
            repo("quiet", Status.OK, last_commit_at=stale_commit),
            repo("long-quiet", Status.OK, last_commit_at=datetime(2020, 1, 1, tzinfo=UTC)),  # stale both times
        )
    )
    found = changes(data)

    assert [c.canonical.rsplit("/", 1)[1] for c in found.revived] == ["returned", "unblocked"]
    assert [c.canonical.rsplit("/", 1)[1] for c in found.blocked] == ["dmca", "disabled"]
    assert [(c.canonical.rsplit("/", 1)[1], c.after) for c in found.gone_stale] == [("quiet", "2024-05-15")]
    assert [c.canonical for c in found.archived] == ["github.com/lab/unblocked"]
    assert not found.missing


def test_moving_again_reports_both_names() -> None:
    row = repo(
        "x", Status.MOVED, previous=Status.MOVED, moved_to="github.com/c/x", previous_moved_to="github.com/b/x"
    )
    (change,) = changes(ReportData(repositories=(row,))).moved
    assert (change.before, change.after) == ("github.com/b/x", "github.com/c/x")


@pytest.mark.parametrize(
    ("spdx", "group"),
    [
        ("MIT", LicenseGroup.PERMISSIVE),
        ("bsd-3-clause", LicenseGroup.PERMISSIVE),
        ("Apache-2.0", LicenseGroup.PERMISSIVE),
        ("Unlicense", LicenseGroup.PERMISSIVE),
        ("GPL-3.0-or-later", LicenseGroup.COPYLEFT),
        ("LGPL-2.1-only", LicenseGroup.COPYLEFT),
        ("AGPL-3.0", LicenseGroup.COPYLEFT),
        ("MPL-2.0", LicenseGroup.COPYLEFT),
        ("EPL-2.0", LicenseGroup.COPYLEFT),
        ("CC-BY-NC-SA-4.0", LicenseGroup.NON_COMMERCIAL),
        (None, LicenseGroup.NONE),
        ("NOASSERTION", LicenseGroup.UNRECOGNISED),
        ("other", LicenseGroup.UNRECOGNISED),
        ("Made-Up-1.0", LicenseGroup.UNRECOGNISED),
    ],
)
def test_license_groups(spdx: str | None, group: LicenseGroup) -> None:
    assert license_group(spdx) == group


def test_license_distribution_counts_existing_repositories_only() -> None:
    distribution = license_distribution(two_runs().repositories)
    # deleted/brand-new are gone and flaky unreachable: their license is unknown, not "none".
    assert distribution == {
        LicenseGroup.PERMISSIVE: 4,
        LicenseGroup.COPYLEFT: 1,
        LicenseGroup.NON_COMMERCIAL: 0,
        LicenseGroup.NONE: 0,
        LicenseGroup.UNRECOGNISED: 0,
    }


def test_headline_figures() -> None:
    data = ReportData(
        repositories=(
            repo("a", Status.OK, license_spdx=None, repro_score=2.0),
            repo("b", Status.OK, repro_score=6.0),
            repo("c", Status.ARCHIVED, repro_score=9.0),
            repo("d", Status.MISSING, license_spdx=None),
        ),
        papers=(
            PaperEntry("arxiv:1", "One", repo_keys=("github.com/lab/a",), code_promised=True),
            PaperEntry("arxiv:2", "Two", repo_keys=("github.com/lab/b", "github.com/lab/c")),
            PaperEntry("arxiv:3", "Three", code_promised=True, published=date(2025, 1, 1)),
            PaperEntry("arxiv:4", "Four"),
        ),
    )
    head = headline(data)

    assert (head.papers, head.papers_with_code, head.promised_without_link, head.repositories) == (4, 2, 1, 4)
    assert head.by_status == {Status.MISSING: 1, Status.ARCHIVED: 1, Status.OK: 2}
    assert head.without_license_share == pytest.approx(1 / 3)
    assert head.median_score == 6.0


def test_checklist_coverage() -> None:
    rows = (
        repo("a", Status.OK, outcomes={"license": Outcome.PASS, "readme": Outcome.PASS}),
        repo("b", Status.OK, outcomes={"license": Outcome.FAIL, "readme": Outcome.PASS}),
        repo("c", Status.OK, outcomes={"license": Outcome.UNKNOWN}),
    )
    coverage = {item.check: (item.passed, item.failed, item.unknown) for item in checklist_coverage(rows)}
    assert coverage == {"license": (1, 1, 1), "readme": (2, 0, 0)}


def test_status_mix_is_oldest_first_with_every_status() -> None:
    mix = status_mix(two_runs().runs)
    assert [run.id for run, _ in mix] == ["r1", "r2"]
    assert mix[0][1][Status.UNREACHABLE] == 1 and mix[0][1][Status.MISSING] == 0
    assert sum(mix[1][1].values()) == 7
