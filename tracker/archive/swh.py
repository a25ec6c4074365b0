"""The Software Heritage Web API client: I/O at the edge, over `tracker.http`.

It asks, reads the answers' shapes and the budget headers, and hands plain
values to the judge (`tracker.archive.state`). An answer counts only in the
archive's own shapes: a 200 with its JSON, or a 404 whose body is its
`{"exception": "NotFoundExc", "reason": ...}`; anything else is a fault.

Both budgets are small and separate (the archive throttles reads and save
requests under different scopes): reads default to 60 a minute in its
software, save requests to about 10 an hour without an account. Each answer's
`X-RateLimit-Limit/-Remaining/-Reset` is read; questions stop one short of the
limit (`Budget.reserve`), and when more questions wait than the window has
left, they are spaced out until the window resets, never waiting more than
`max_wait` in all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from tracker.archive.state import ArchiveAnswers, Lookup, Visit
from tracker.http import Answer, HttpClient, HttpFault
from tracker.settings import Settings

log = logging.getLogger(__name__)


class BudgetSpent(Exception):
    """No question may be asked before the archive's window resets."""


@dataclass
class Budget:
    """One of the archive's rate-limit windows, as its headers last described it."""

    name: str
    reserve: int = 1  # questions never asked, so that we stop before the limit, not at it
    max_wait: float = 180.0  # the longest this run may spend spacing questions out
    sleep: Callable[[float], None] = time.sleep
    wall_clock: Callable[[], float] = time.time
    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # epoch seconds
    waited: float = 0.0
    spent_reason: str | None = None

    def observe(self, headers: Mapping[str, str]) -> None:
        lowered = {key.lower(): value for key, value in headers.items()}
        for attribute, header in (("limit", "x-ratelimit-limit"), ("remaining", "x-ratelimit-remaining")):
            value = lowered.get(header, "").strip()
            if value.isdigit():
                setattr(self, attribute, int(value))
        reset = lowered.get("x-ratelimit-reset", "").strip()
        if reset.isdigit():
            self.reset = float(reset)

    def exhaust(self, reason: str) -> None:
        """The archive refused (a 429 longer than we wait): nothing more this run."""
        self.spent_reason = reason
        self.remaining = 0

    def take(self, questions_left: int = 1) -> None:
        """Before one question: wait if the window's pace asks for it; BudgetSpent if it may not be asked."""
        if self.spent_reason is not None:
            raise BudgetSpent(self.spent_reason)
        if self.remaining is None:
            return
        now = self.wall_clock()
        until_reset = max(0.0, self.reset - now) if self.reset is not None else None
        usable = self.remaining - self.reserve
        if usable <= 0:
            if until_reset is not None and self.waited + until_reset <= self.max_wait:
                self._wait(until_reset)
                self.remaining = self.limit
                return
            raise BudgetSpent(self.describe())
        if until_reset and questions_left > usable:
            pace = until_reset / usable
            if self.waited + pace > self.max_wait:
                raise BudgetSpent(f"{self.describe()}; spacing the rest out would wait more than {self.max_wait:.0f} s")
            self._wait(pace)
        self.remaining -= 1

    def _wait(self, seconds: float) -> None:
        if seconds > 0:
            self.waited += seconds
            self.sleep(seconds)

    def describe(self) -> str:
        """What is left, in words: "3 of 10 left, the window resets at 11:00 UTC"."""
        if self.spent_reason is not None and self.remaining == 0 and self.limit is None:
            return self.spent_reason
        if self.remaining is None:
            return f"{self.name}: no budget announced yet"
        limit = f" of {self.limit}" if self.limit is not None else ""
        when = ""
        if self.reset is not None:
            when = f", the window resets at {datetime.fromtimestamp(self.reset).astimezone():%H:%M %Z}"
        return f"{self.name}: {self.remaining}{limit} left{when}"

    def as_dict(self) -> dict[str, Any]:
        return {"limit": self.limit, "remaining": self.remaining, "reset": self.reset, "stopped": self.spent_reason}


@dataclass(frozen=True, slots=True)
class SaveAnswer:
    """A save request as the archive describes it (`POST`/`GET origin/save/git/url/{url}/`)."""

    request_id: int | None
    save_request_status: str  # accepted, rejected, pending
    save_task_status: str | None  # not created, pending, scheduled, running, succeeded, failed
    request_date: datetime | None = None
    visit_date: datetime | None = None
    visit_status: str | None = None
    snapshot_swhid: str | None = None
    note: str | None = None


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)  # Python 3.11 reads "Z" too
    except ValueError:
        return None


def _save_answer(item: Mapping[str, Any]) -> SaveAnswer:
    identifier = item.get("id")
    return SaveAnswer(
        request_id=identifier if isinstance(identifier, int) else None,
        save_request_status=str(item.get("save_request_status") or "unknown"),
        save_task_status=item.get("save_task_status"),
        request_date=_when(item.get("save_request_date")),
        visit_date=_when(item.get("visit_date")),
        visit_status=item.get("visit_status"),
        snapshot_swhid=item.get("snapshot_swhid"),
        note=item.get("note"),
    )


class SoftwareHeritage:
    """Questions to one Software Heritage API (`SWH_API_URL`), within its two budgets."""

    def __init__(self, http: HttpClient, *, reads: Budget | None = None, saves: Budget | None = None) -> None:
        self.http = http
        self.reads = reads or Budget("reads")
        self.saves = saves or Budget("save requests")

    @classmethod
    def from_settings(cls, settings: Settings, *, sleep: Callable[[float], None] = time.sleep,
                      wall_clock: Callable[[], float] = time.time) -> SoftwareHeritage:
        http = HttpClient(settings.swh_api_url, timeout=settings.http_timeout, token=settings.swh_token,
                          max_retry_wait=min(60.0, settings.max_rate_wait), sleep=sleep, wall_clock=wall_clock)
        budget = {"max_wait": settings.max_rate_wait, "sleep": sleep, "wall_clock": wall_clock}
        return cls(http, reads=Budget("reads", **budget), saves=Budget("save requests", **budget))  # type: ignore[arg-type]

    def close(self) -> None:
        self.http.close()

    # -- reading ---------------------------------------------------------------

    def look(self, origin_url: str, head: str | None, *, gone: bool = False, questions_left: int = 1) -> ArchiveAnswers:
        """Ask what the archive holds of `origin_url` and whether `head` is in it.

        The latest visit with a snapshot comes first: when there is one the
        origin is known, and its `get` is not asked. Only a gone repository
        asks for the snapshot's HEAD, the revision a reviewer is pointed at.
        """
        path = f"origin/{_in_path(origin_url)}"
        try:
            visit_lookup, body = self._read(f"{path}/visit/latest/", {"require_snapshot": "true"}, questions_left)
            if visit_lookup is Lookup.NOT_FOUND:
                origin_lookup, _ = self._read(f"{path}/get/", None, questions_left)
                return ArchiveAnswers(origin_url, visit=Lookup.NOT_FOUND, origin=origin_lookup, head=head)
            visit = _visit(body)
            if visit is None:
                return ArchiveAnswers(origin_url, visit=Lookup.FAULT, head=head,
                                      fault="the latest visit's answer has no date")
            revision = Lookup.NOT_ASKED
            if head is not None:
                revision, _ = self._read(f"revision/{head}/", None, questions_left)
            if gone and revision is not Lookup.FOUND and visit.snapshot:
                visit = Visit(visit.date, visit.status, visit.snapshot, self._snapshot_head(visit.snapshot))
            return ArchiveAnswers(origin_url, visit=Lookup.FOUND, latest_visit=visit, origin=Lookup.FOUND,
                                  head=head, revision=revision)
        except _Fault as fault:
            return ArchiveAnswers(origin_url, visit=Lookup.FAULT, head=head, fault=fault.reason)
        except BudgetSpent as spent:
            return ArchiveAnswers(origin_url, visit=Lookup.NOT_ASKED, head=head,
                                  fault=f"not asked: the read budget is spent ({spent})")

    def _snapshot_head(self, snapshot: str) -> str | None:
        """The revision the snapshot's HEAD branch leads to (through its alias), or None."""
        try:
            lookup, body = self._read(f"snapshot/{snapshot}/", None, 1)
        except (_Fault, BudgetSpent):
            return None  # the visit is still known; only the pointer to its revision is missing
        branches = body.get("branches") if lookup is Lookup.FOUND and isinstance(body, dict) else None
        if not isinstance(branches, dict):
            return None
        branch = branches.get("HEAD")
        for _ in range(3):  # HEAD -> refs/heads/main -> a revision
            if not isinstance(branch, dict):
                return None
            if branch.get("target_type") == "revision":
                target = branch.get("target")
                return target if isinstance(target, str) else None
            if branch.get("target_type") != "alias":
                return None
            branch = branches.get(branch.get("target"))
        return None

    def _read(self, path: str, params: Mapping[str, str] | None, questions_left: int) -> tuple[Lookup, Any]:
        self.reads.take(questions_left)
        answer = self._ask(self.reads, lambda: self.http.get(path, params))
        return _lookup(answer)

    # -- saving ----------------------------------------------------------------

    def save(self, origin_url: str) -> SaveAnswer:
        """Ask the archive to save `origin_url` now. BudgetSpent before the save budget's limit; _Fault on a fault."""
        self.saves.take()
        answer = self._ask(self.saves, lambda: self.http.post(f"origin/save/git/url/{_in_path(origin_url)}/"))
        body = _json(answer)
        if answer.status == 200 and isinstance(body, dict):
            return _save_answer(body)
        if answer.status in (400, 403) and isinstance(body, dict) and "exception" in body:
            return SaveAnswer(None, "rejected", None, note=str(body.get("reason") or body["exception"]))
        raise _Fault(f"HTTP {answer.status} to a save request")

    def save_status(self, origin_url: str, request_id: int | None) -> SaveAnswer | None:
        """How the save request `request_id` fares (else the newest for the origin); None if the archive has none."""
        self.saves.take()
        answer = self._ask(self.saves, lambda: self.http.get(f"origin/save/git/url/{_in_path(origin_url)}/"))
        lookup, body = _lookup(answer)
        if lookup is Lookup.NOT_FOUND:
            return None
        if lookup is not Lookup.FOUND or not isinstance(body, list):
            raise _Fault(f"HTTP {answer.status} to a save request's status")
        items = [_save_answer(item) for item in body if isinstance(item, dict)]
        mine = [item for item in items if request_id is not None and item.request_id == request_id]
        newest = sorted(items, key=lambda item: item.request_id or 0)[-1:]
        chosen = mine or newest
        return chosen[0] if chosen else None

    def _ask(self, budget: Budget, send: Callable[[], Answer]) -> Answer:
        try:
            answer = send()
        except HttpFault as fault:
            if fault.status == 429:
                budget.exhaust(f"{budget.name}: the archive answered 429 ({fault.reason})")
                raise BudgetSpent(budget.spent_reason or "429") from None
            raise _Fault(fault.reason) from None
        budget.observe(answer.headers)
        return answer


class _Fault(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# The public name of a fault of the save endpoint, for callers that report it.
SaveFault = _Fault


def _in_path(origin_url: str) -> str:
    # The archive takes the origin URL as is in its paths (`origin/https://github.com/a/b/get/`).
    return quote(origin_url, safe=":/@+")


def _json(answer: Answer) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


def _lookup(answer: Answer) -> tuple[Lookup, Any]:
    body = _json(answer)
    if answer.status == 200 and body is not None:
        return Lookup.FOUND, body
    if answer.status == 404 and isinstance(body, dict) and body.get("exception") == "NotFoundExc":
        return Lookup.NOT_FOUND, body
    raise _Fault(f"HTTP {answer.status} that is not the archive's answer")


def _visit(body: Any) -> Visit | None:
    if not isinstance(body, dict):
        return None
    date = _when(body.get("date"))
    if date is None:
        return None
    snapshot = body.get("snapshot")
    return Visit(date=date, status=str(body.get("status") or ""),
                 snapshot=snapshot if isinstance(snapshot, str) else None)
