"""The layer rules of docs/ARCHITECTURE.md, read off the source: what each part of the code may import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Pure parts: judged over plain records, so they import no network, database or Prefect.
PURE = ["tracker/checks", "tracker/links", "tracker/report/analysis.py", "tracker/report/survival.py",
        "tracker/report/totals.py", "tracker/report/listing.py", "tracker/report/wording.py",
        "tracker/report/chart_slots.py"]
IO_MODULES = {"sqlalchemy", "httpx", "requests", "github", "git", "prefect", "huggingface_hub", "tracker.store",
              "tracker.hosts", "tracker.http", "tracker.sources", "urllib.request", "socket"}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (lazy imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _files(*parts: str) -> list[Path]:
    found: list[Path] = []
    for part in parts:
        path = ROOT / part
        found.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return found


@pytest.mark.parametrize("path", _files("tracker"), ids=lambda path: str(path.relative_to(ROOT)))
def test_the_library_never_imports_the_flows(path: Path) -> None:
    offending = {name for name in _imports(path) if name == "flows" or name.startswith("flows.")}
    assert not offending, f"{path.relative_to(ROOT)} imports {sorted(offending)}"


@pytest.mark.parametrize("path", _files(*PURE), ids=lambda path: str(path.relative_to(ROOT)))
def test_pure_parts_import_no_io(path: Path) -> None:
    offending = {name for name in _imports(path)
                 if any(name == module or name.startswith(module + ".") for module in IO_MODULES)}
    assert not offending, f"{path.relative_to(ROOT)} imports {sorted(offending)}"
