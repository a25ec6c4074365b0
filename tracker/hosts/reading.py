"""What was read at one head, kept as JSON: the one reading cache of both ways of reading.

A commit's tree, texts and history never change, so a reading stays true as
long as the repository's head is that commit; only activity windows move with
the clock, and they are counted each time (from the look, or from the log).
Git keeps its reading in the clone (``repro-tracker-reading.json``), GitHub's
API beside where the clone would be (``<key>.api-reading.json``); both are this
type. What the history is depends on who read it: git keeps the whole log
(``git log --format=LOG_FORMAT``), the API the latest commits (`History`). A
reading that cannot be loaded (absent, damaged, another format) is simply made
again.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tracker.hosts.github_graphql import History


@dataclass(frozen=True, slots=True)
class Reading:
    """The file list, the relevant texts and the history at `head`."""

    head: str
    paths: tuple[str, ...]
    texts: dict[str, str]
    log: str | None = None  # git's way: the whole log at head
    history: History | None = None  # the API's way: the latest commits at head
    detail: str = ""  # git's way: what the remote said of HEAD when it was read or last confirmed
    pushed_at: str | None = None  # git's way: the host API's "last pushed" when last confirmed, ISO 8601
    tags: int = 0  # git's way: every tag when last confirmed (tags move without HEAD moving)

    # 2: READMEs one folder down and entry-point scripts are read; git's tag count is kept
    FORMAT = 2

    @classmethod
    def load(cls, path: Path) -> Reading | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != cls.FORMAT:
                return None
            history = None
            if "total" in data:
                history = History(total=int(data["total"]),
                                  dates=tuple(datetime.fromisoformat(when) for when in data["dates"]),
                                  emails=tuple(data["emails"]))
            log = data.get("log")
            if (history is None) == (log is None) or not isinstance(log, str | None):
                return None
            return cls(data["head"], tuple(data["paths"]), dict(data["texts"]), log=log, history=history,
                       detail=data.get("detail", ""), pushed_at=data.get("pushed_at"), tags=int(data.get("tags", 0)))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def save(self, path: Path) -> None:
        """Written atomically: a crash leaves the old reading or the new one, never half of one.

        The scratch file's name is this writer's own, since two runs may read
        the same repository at once through the API (no lock is held: either reading is true).
        """
        data: dict[str, Any] = {"format": self.FORMAT, "head": self.head, "paths": list(self.paths),
                                "texts": self.texts}
        if self.log is not None:
            data |= {"detail": self.detail, "pushed_at": self.pushed_at, "log": self.log, "tags": self.tags}
        if self.history is not None:
            data |= {"total": self.history.total, "dates": [when.isoformat() for when in self.history.dates],
                     "emails": list(self.history.emails)}
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, scratch = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".new")
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False)
            os.replace(scratch, path)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
