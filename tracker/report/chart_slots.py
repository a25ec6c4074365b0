"""Which charts the report draws, and the sentence that stands where there is too little data for one.

A chart from three repositories or a curve that drops at day 0 would say
something the data does not; each slot is drawn only past its minimum
(`MIN_*`), else it explains in one sentence what it is waiting for. The
drawing itself is `charts.py`'s (matplotlib, imported only when a chart is
drawn).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tracker.report.analysis import NEURIPS_2019_ALL_FIVE, runs_to_chart, status_mix
from tracker.report.model import ReportData
from tracker.report.survival import kaplan_meier
from tracker.report.totals import ReportTotals, totals_of
from tracker.report.wording import counted

if TYPE_CHECKING:
    from tracker.report.charts import Chart

# Below these, a chart would draw noise (a curve from three repositories, a drop at day 0); a sentence says why not.
MIN_SURVIVAL_SUBJECTS = 5
MIN_FOLLOW_UP_DAYS = 30.0
MIN_REPOSITORIES = 3


@dataclass(frozen=True, slots=True)
class ReportChart:
    """One chart of the report, or the sentence that stands where there was too little data to draw it.

    `note` is the chart's caption when drawn (what it is based on), else the reason it is not.
    """

    name: str
    title: str
    chart: Chart | None
    note: str


def build_charts(data: ReportData) -> list[ReportChart]:
    """The report's charts: survival, links alive per month, checklist completeness, licenses, status per run."""
    return charts_of(totals_of(data))


def charts_of(totals: ReportTotals) -> list[ReportChart]:
    """`build_charts`, from a report's folded totals."""
    # Imported here: matplotlib costs half a second, which `status` in a terminal should not pay.
    from tracker.report import charts as draw

    slots: list[ReportChart] = []
    basis = totals.lives.basis()
    days, died = totals.lives.observed(basis.origin)
    horizon = max(days, default=0.0)
    undated = (f"{basis.without_date} of {basis.with_date + basis.without_date} repositories' papers have no "
               "publication date")
    clock = "publication" if basis.origin == "published" else "first seen by the tracker"
    title = "Repository survival (Kaplan-Meier)"
    if len(days) < MIN_SURVIVAL_SUBJECTS or horizon < MIN_FOLLOW_UP_DAYS:
        slots.append(ReportChart("survival", title, None,
                                 f"No survival curve yet: {len(days)} repositories, followed for at most "
                                 f"{horizon:.0f} days since {clock}; a curve needs {MIN_SURVIVAL_SUBJECTS} and "
                                 f"{MIN_FOLLOW_UP_DAYS:.0f} days. {undated}."))
    else:
        points = kaplan_meier(days, died)
        chart = draw.survival_chart(points, subjects=len(days), horizon=horizon, axis_label=basis.axis_label)
        slots.append(ReportChart("survival", chart.title, chart, f"Days since {clock}. {undated}."))
    if totals.artifacts:
        slots.append(_link_survival(totals, draw))

    months = totals.months.result()
    title = "Share of code links alive, by month of publication"
    if len(months) < 2:
        slots.append(ReportChart("alive_by_month", title, None,
                                 f"No chart by month of publication: {undated}"
                                 + (f", and the rest appeared in {months[0].month}." if months else ".")))
    else:
        slots.append(ReportChart("alive_by_month", title, draw.alive_by_month_chart(months),
                                 f"Each bar: repositories still there / all with a known answer. {undated}."))

    completeness = totals.completeness.counts
    title = "ML Code Completeness Checklist: items per repository"
    if sum(completeness) < MIN_REPOSITORIES:
        slots.append(ReportChart("checklist", title, None,
                                 f"No checklist chart: {sum(completeness)} existing repositories had their content "
                                 f"read (a chart needs {MIN_REPOSITORIES})."))
    else:
        share = completeness[-1] / sum(completeness)
        slots.append(ReportChart("checklist", title, draw.checklist_chart(completeness, NEURIPS_2019_ALL_FIVE),
                                 f"{completeness[-1]} of {sum(completeness)} existing repositories ({share:.0%}) have "
                                 f"all five items (dependencies, training, evaluation, pretrained models, results); "
                                 f"in the NeurIPS 2019 sample {NEURIPS_2019_ALL_FIVE:.0%} did."))

    licenses = totals.licenses.result()
    title = "Licenses of existing repositories"
    if sum(licenses.values()) < MIN_REPOSITORIES:
        slots.append(ReportChart("licenses", title, None,
                                 f"No license chart: {sum(licenses.values())} existing repositories "
                                 f"(a chart needs {MIN_REPOSITORIES}); the table below lists them."))
    else:
        slots.append(ReportChart("licenses", title, draw.license_chart(licenses),
                                 "License groups of the repositories that exist (a gone one's license is unknown)."))

    runs, left_out = runs_to_chart(totals.runs)
    title = "Status of repositories per run"
    small = f" {left_out} small runs (such as `check --repo` of one repository) are left out." if left_out else ""
    if len(runs) < 2:
        so_far = counted(len(runs), "full run")
        slots.append(ReportChart("status_mix", title, None,
                                 f"No chart of status per run: {so_far} so far; it needs two.{small}"))
    else:
        slots.append(ReportChart("status_mix", title, draw.status_mix_chart(status_mix(runs)),
                                 f"One bar per run that checked at least half as many repositories as the largest."
                                 f"{small}"))

    archived = totals.archive.result(totals.save_requests)
    if archived.asked:
        slots.append(ReportChart("archive", "In Software Heritage", draw.archive_chart(archived),
                                 f"Of the {archived.asked - archived.unknown} repositories the archive answered for; "
                                 f"Escamilla et al. 2024 found {archived.reference_share:.0%} in Software Heritage."))
    return slots


def _link_survival(totals: ReportTotals, draw: Any) -> ReportChart:
    """Every link a paper gives (repositories, models, pages, DOIs, short links) as one survival curve, with a
    line per kind that has enough of its own; a sentence where there is too little to draw."""
    every_link = totals.lives.merged(totals.artifact_lives)
    basis = every_link.basis()
    curves = every_link.curves(basis.origin, MIN_SURVIVAL_SUBJECTS)
    horizon = max(every_link.observed(basis.origin)[0], default=0.0)
    clock = "publication" if basis.origin == "published" else "first seen by the tracker"
    undated = (f"{basis.without_date} of {basis.with_date + basis.without_date} links' papers have no "
               "publication date")
    title = "Survival of every link (Kaplan-Meier)"
    if curves[0].subjects < MIN_SURVIVAL_SUBJECTS or horizon < MIN_FOLLOW_UP_DAYS:
        return ReportChart("link_survival", title, None,
                           f"No survival curve of every link yet: {counted(curves[0].subjects, 'link')} "
                           f"followed for at most {horizon:.0f} days since {clock}; a curve needs "
                           f"{MIN_SURVIVAL_SUBJECTS} and {MIN_FOLLOW_UP_DAYS:.0f} days. {undated}.")
    lines = ", ".join(curve.kind for curve in curves[1:])
    per_kind = (f" One line per kind with {MIN_SURVIVAL_SUBJECTS} links or more: {lines}." if lines
                else " No kind has enough links for a line of its own.")
    chart = draw.link_survival_chart(curves, horizon, basis.axis_label)
    return ReportChart("link_survival", chart.title, chart,
                       f"Days since {clock}; a page, DOI or short link is gone when its server or registry said so "
                       f"(404, 410, a soft 404, a deleted record, a name gone for a day).{per_kind} {undated}.")
