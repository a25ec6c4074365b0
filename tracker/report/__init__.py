"""Reports: terminal tables, Markdown and self-contained HTML, CSV/JSON, charts.

Everything is built from a plain `ReportData` (see `model`), so nothing here
touches the database or the network; `load.report_data(store)` fills it.
"""

from typing import Any

from tracker.report.analysis import (
    Change,
    ChangeKind,
    Changes,
    Coverage,
    Headline,
    change_summary,
    changes,
    checklist_coverage,
    headline,
    license_distribution,
    promised_without_link,
    status_mix,
)
from tracker.report.licenses import LicenseGroup, license_group
from tracker.report.listing import SortKey, filter_rows, sort_rows, status_json
from tracker.report.model import CheckEntry, PaperEntry, RepoEntry, ReportData, RunInfo
from tracker.report.survival import SurvivalPoint, kaplan_meier, link_survival
from tracker.report.terminal import render_history, render_status

__all__ = [
    "Change", "ChangeKind", "Changes", "CheckEntry", "Coverage", "Headline", "LicenseGroup", "PaperEntry",
    "RepoEntry", "ReportData", "RunInfo", "SortKey", "SurvivalPoint", "change_summary", "changes",
    "checklist_coverage", "filter_rows", "headline", "kaplan_meier", "license_distribution", "license_group",
    "link_survival", "promised_without_link", "render_history", "render_status", "sort_rows", "status_json",
    "status_mix", "write_report",
]


def __getattr__(name: str) -> Any:
    # The file writer brings Jinja2 (~35 ms to import), which `status` never uses.
    if name == "write_report":
        from tracker.report.files import write_report

        return write_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
