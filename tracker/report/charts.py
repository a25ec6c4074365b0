"""Charts as real images: SVG to inline in HTML, PNG to sit next to Markdown.

Output must be byte-for-byte reproducible so that two reports of the same data
diff clean: no creation date in the metadata, a fixed salt for SVG ids (one per
chart, so ids never collide when several SVGs share one HTML page). Figures
are built with the object API, never pyplot, so no global figure state leaks
between calls or threads. Only labels we choose (statuses, groups, run dates)
reach a chart; no attacker text does.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from tracker.records import Status
from tracker.report.analysis import ArchiveShare, MonthShare
from tracker.report.licenses import LicenseGroup
from tracker.report.model import RunInfo
from tracker.report.survival import ALL_LINKS, KindCurve, SurvivalPoint

# Same hues as the terminal view: green alive, red gone, grey unknown.
STATUS_COLOURS: dict[Status, str] = {
    Status.OK: "#2e7d32",
    Status.MOVED: "#0288d1",
    Status.ARCHIVED: "#f9a825",
    Status.EMPTY: "#ffb74d",
    Status.MISSING: "#c62828",
    Status.BLOCKED: "#6a1b9a",
    Status.DISABLED: "#ad1457",
    Status.UNREACHABLE: "#9e9e9e",
    Status.NOT_CHECKED: "#e0e0e0",
}
LICENSE_COLOURS: dict[LicenseGroup, str] = {
    LicenseGroup.PERMISSIVE: "#2e7d32",
    LicenseGroup.COPYLEFT: "#0288d1",
    LicenseGroup.NON_COMMERCIAL: "#f9a825",
    LicenseGroup.NONE: "#c62828",
    LicenseGroup.UNRECOGNISED: "#9e9e9e",
}

_RC = {
    "svg.fonttype": "none",  # text stays text: smaller, searchable, no embedded glyph paths
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
def _style() -> Any:
    """The charts' matplotlib style, for one figure's drawing (typed loosely: matplotlib's stubs list every rc key)."""
    return matplotlib.rc_context(cast(Any, _RC))


_PROLOGUE = re.compile(r"\A.*?(?=<svg)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Chart:
    """One rendered chart. `name` is the file stem (``survival`` → ``survival.png``)."""

    name: str
    title: str
    svg: str  # an <svg> element, without XML prologue, ready to inline
    png: bytes


def _render(name: str, title: str, figure: Figure) -> Chart:
    with matplotlib.rc_context(cast(Any, {**_RC, "svg.hashsalt": f"repro-tracker-{name}"})):
        svg_buffer = io.StringIO()
        figure.savefig(svg_buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
        png_buffer = io.BytesIO()
        figure.savefig(png_buffer, format="png", dpi=110, metadata={"Software": None}, bbox_inches="tight")
    svg = _PROLOGUE.sub("", svg_buffer.getvalue(), count=1)
    return Chart(name=name, title=title, svg=svg, png=png_buffer.getvalue())


def _figure() -> Figure:
    with _style():
        return Figure(figsize=(6.4, 3.4))


def survival_chart(points: Sequence[SurvivalPoint], subjects: int, horizon: float = 0.0,
                   axis_label: str = "days since the paper appeared") -> Chart:
    """Kaplan-Meier step curve: share of repositories still there, by days since publication (or first sighting).

    `horizon` is the longest follow-up; the curve runs flat to it, since
    repositories censored after the last death still count as observed alive.
    """
    since = "publication" if "appeared" in axis_label else "first seen"
    title = f"Repository survival since {since} (Kaplan-Meier)"
    figure = _figure()
    with _style():
        axes = figure.add_subplot()
        times = [0.0] + [point.time for point in points]
        survival = [1.0] + [point.survival for point in points]
        if horizon > times[-1]:
            times.append(horizon)
            survival.append(survival[-1])
        axes.step(times, survival, where="post", color=STATUS_COLOURS[Status.OK], linewidth=1.8)
        axes.set_ylim(0, 1.02)
        # At least a year wide: a first run has no follow-up yet, and a
        # fraction-of-a-day axis would read as a measurement.
        axes.set_xlim(0, max(times[-1], 365.0))
        axes.set_xlabel(axis_label)
        axes.set_ylabel("share still available")
        axes.set_title(f"{title}, n = {subjects}")
        if not points:
            axes.text(0.5, 0.5, "no repository gone yet", transform=axes.transAxes, ha="center", color="#757575")
    return _render("survival", title, figure)


# More tick labels than this overlap at the chart's width; the others are left blank.
MAX_RUN_LABELS = 10


# One hue per kind of link (tracker.artifacts.kinds.LinkKind), "all links" in black.
KIND_COLOURS: dict[str, str] = {
    ALL_LINKS: "#212121",
    "repository": "#2e7d32",
    "model": "#6a1b9a",
    "dataset": "#0288d1",
    "space": "#00897b",
    "page": "#ef6c00",
    "doi": "#ad1457",
    "short_link": "#795548",
}


def link_survival_chart(curves: Sequence[KindCurve], horizon: float, axis_label: str) -> Chart:
    """Kaplan-Meier step curves of every link a paper gives: all links, then one line per kind with enough data."""
    since = "publication" if "appeared" in axis_label else "first seen"
    title = f"Survival of every link since {since} (Kaplan-Meier)"
    figure = _figure()
    with _style():
        axes = figure.add_subplot()
        for curve in curves:
            times = [0.0] + [point.time for point in curve.points]
            survival = [1.0] + [point.survival for point in curve.points]
            if horizon > times[-1]:
                times.append(horizon)
                survival.append(survival[-1])
            axes.step(times, survival, where="post", color=KIND_COLOURS.get(curve.kind, "#9e9e9e"),
                      linewidth=2.2 if curve.kind == ALL_LINKS else 1.4, label=f"{curve.kind} (n = {curve.subjects})")
        axes.set_ylim(0, 1.02)
        axes.set_xlim(0, max(horizon, 365.0))
        axes.set_xlabel(axis_label)
        axes.set_ylabel("share still available")
        axes.set_title(title)
        axes.legend(loc="lower left", frameon=False)
    return _render("link_survival", title, figure)


def run_labels(runs: Sequence[RunInfo]) -> list[str]:
    """One short label per run, at most `MAX_RUN_LABELS` of them not blank.

    A date, with the time only where a day has several runs.
    """
    days = [run.started_at.strftime("%Y-%m-%d") for run in runs]
    labels = [f"{day} {run.started_at:%H:%M}" if days.count(day) > 1 else day
              for day, run in zip(days, runs, strict=True)]
    step = max(1, -(-len(labels) // MAX_RUN_LABELS))
    return [label if index % step == 0 else "" for index, label in enumerate(labels)]


def status_mix_chart(mix: Sequence[tuple[RunInfo, dict[Status, int]]]) -> Chart:
    """Stacked bars: the status of every checked repository, one bar per run."""
    title = "Status of repositories per run"
    figure = _figure()
    with _style():
        axes = figure.add_subplot()
        labels = run_labels([run for run, _ in mix])
        positions = list(range(len(mix)))
        bottoms = [0] * len(mix)
        for status in STATUS_COLOURS:
            heights = [counts.get(status, 0) for _, counts in mix]
            if any(heights):
                axes.bar(positions, heights, bottom=bottoms, color=STATUS_COLOURS[status], label=str(status))
                bottoms = [low + high for low, high in zip(bottoms, heights, strict=True)]
        axes.set_xticks(positions, labels, rotation=30, ha="right")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # no 17.5 repositories
        axes.set_ylabel("repositories")
        axes.set_title(title)
        if any(bottoms):
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _render("status_mix", title, figure)


def license_chart(distribution: dict[LicenseGroup, int]) -> Chart:
    """Horizontal bars: existing repositories per license group."""
    title = "Licenses of existing repositories"
    figure = _figure()
    with _style():
        axes = figure.add_subplot()
        groups = list(LicenseGroup)
        counts = [distribution.get(group, 0) for group in groups]
        bars = axes.barh([str(group) for group in groups], counts, color=[LICENSE_COLOURS[g] for g in groups])
        axes.bar_label(bars, padding=3)
        axes.set_xlim(0, max(1, max(counts)) * 1.15)  # no negative axis when nothing exists yet
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.invert_yaxis()
        axes.set_xlabel("repositories")
        axes.set_title(title)
    return _render("licenses", title, figure)


def archive_chart(share: ArchiveShare) -> Chart:
    """Horizontal bars: the share archived at HEAD, behind and not archived, beside Escamilla et al.'s 68%."""
    title = "In Software Heritage"
    figure = _figure()
    with _style():
        axes = figure.add_subplot()
        labels = ["archived at HEAD", "archived, behind HEAD", "not archived",
                  "in the archive (both)", "Escamilla et al. 2024"]
        values = [share.share(share.archived) or 0.0, share.share(share.behind) or 0.0,
                  share.share(share.not_archived) or 0.0, share.held_share or 0.0, share.reference_share]
        colours = [STATUS_COLOURS[Status.OK], STATUS_COLOURS[Status.ARCHIVED], STATUS_COLOURS[Status.MISSING],
                   STATUS_COLOURS[Status.MOVED], "#9e9e9e"]
        bars = axes.barh(labels, values, color=colours)
        axes.bar_label(bars, labels=[f"{value:.0%}" for value in values], padding=3)
        axes.axvline(share.reference_share, color="#616161", linestyle="--", linewidth=1)
        axes.set_xlim(0, 1.15)
        axes.invert_yaxis()
        judged = share.asked - share.unknown
        axes.set_xlabel(f"share of the {judged} repositories the archive answered for")
        axes.set_title(title)
    return _render("archive", title, figure)


def alive_by_month_chart(months: Sequence[MonthShare]) -> Chart:
    """Bars: the share of repositories still there, per month their paper appeared, with the count on each."""
    title = "Share of code links alive, by month of publication"
    figure = _figure()
    with _style():
        axes = figure.add_subplot()
        positions = list(range(len(months)))
        bars = axes.bar(positions, [month.share for month in months], color=STATUS_COLOURS[Status.OK])
        axes.bar_label(bars, labels=[f"{m.alive}/{m.alive + m.gone}" for m in months], padding=2, fontsize=7)
        step = max(1, -(-len(months) // MAX_RUN_LABELS))
        axes.set_xticks(positions, [m.month if i % step == 0 else "" for i, m in enumerate(months)],
                        rotation=30, ha="right")
        axes.set_ylim(0, 1.1)
        axes.set_ylabel("share still available")
        axes.set_title(title)
    return _render("alive_by_month", title, figure)


def checklist_chart(counts: Sequence[int], reference_all_five: float) -> Chart:
    """Bars: repositories by how many of the checklist's five items they have, the NeurIPS 2019 share noted."""
    title = "ML Code Completeness Checklist: items per repository"
    figure = _figure()
    total = sum(counts)
    with _style():
        axes = figure.add_subplot()
        bars = axes.bar([str(items) for items in range(len(counts))], counts, color="#0288d1")
        axes.bar_label(bars, labels=[f"{count} ({count / total:.0%})" if total else "0" for count in counts],
                       padding=2, fontsize=7)
        axes.set_ylim(0, max(1, max(counts)) * 1.25)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("checklist items present (of 5)")
        axes.set_ylabel("repositories")
        share = counts[-1] / total if total else 0.0
        axes.set_title(f"{title}\nall five: {share:.0%} here, {reference_all_five:.0%} in the NeurIPS 2019 sample")
    return _render("checklist", title, figure)
