"""A tracking run's stages as plain functions: ingest, check, record.

The CLI calls these directly and the Prefect flows call them from tasks, so a
run means the same thing from either face. The only concurrency here is
`check_many`'s bounded thread pool, which both faces use for one batch;
retries, batching and scheduling belong to the caller (the flow).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tracker.artifacts.check import ArtifactCheck, ArtifactChecker, ArtifactTarget, hub_repo_facts
from tracker.artifacts.hub import HubClient
from tracker.artifacts.promises import PromiseFinder, arxiv_id_of
from tracker.artifacts.verdict import judge_hub
from tracker.checks import run_checks
from tracker.checks.score import health, repro_score
from tracker.hosts.git import GitFacts, GitHost, git_url
from tracker.hosts.github import GitHubHost
from tracker.hosts.github_content import GitHubContent, PendingRead
from tracker.hosts.github_graphql import LOOK_BATCH, Look
from tracker.http import ConditionalCache
from tracker.ingest import InputProblem, read_papers
from tracker.ingest.problems import log_or_raise
from tracker.links import find_code_links
from tracker.records import (
    INCONCLUSIVE,
    Activity,
    CheckResult,
    PaperLinks,
    RepoFacts,
    RepoFiles,
    RepoKind,
    RepoRef,
    Status,
)
from tracker.settings import Settings
from tracker.sources import is_spec, parse_spec
from tracker.sources.read import read_source
from tracker.store import IngestSummary, Store
from tracker.store.checks import CheckToRecord

Clock = Callable[[], datetime]
# Papers per commit when reading the Papers with Code archive (see bench/results.md).
ARCHIVE_BATCH = 5_000
log = logging.getLogger(__name__)

# Statuses after which the repository's content can still be read with git.
_READABLE = frozenset({Status.OK, Status.MOVED, Status.ARCHIVED})
# How the details of `not_checked` begin when no rate limit caused it.
_REFUSED = "not checked:"
_OUR_FAULT = "repro-tracker failed"
# Statuses that say the repository was there: "not found" after one of them is asked again before it counts.
_LIVE = frozenset({Status.OK, Status.MOVED, Status.ARCHIVED, Status.EMPTY})


def utc_now() -> datetime:
    return datetime.now(UTC)


def found_links(paths: Iterable[str | Path], *, format: str | None = None,
                on_problem: Callable[[InputProblem], None] | None = None,
                git_hosts: frozenset[str] | None = None, settings: Settings | None = None) -> Iterator[PaperLinks]:
    """Every paper of every source (files and source specs) with its code links, streamed in input order.

    Links to `git_hosts` (default: `Settings.git_hosts`, from the environment)
    are repositories, as links to known forges are.

    What extraction had to ignore in a paper (an overlong URL, links past the
    cap) is an input problem like any other, named by the paper's file and
    line; not fatal, since the paper and its other links are still good. A
    source spec is read without harvest state (see `read_source`); a fault
    raises `SourceFault`.
    """
    handler = on_problem or log_or_raise
    hosts = (settings or Settings.from_env()).git_hosts if git_hosts is None else git_hosts
    for path in paths:
        if is_spec(str(path)):
            spec = parse_spec(str(path), today=utc_now().date())
            for page in read_source(spec, settings or Settings.from_env(), on_problem=on_problem):
                yield from _noted(page, handler)
        else:
            yield from _noted((find_code_links(paper, git_hosts=hosts) for paper in
                               read_papers(path, format=format, on_problem=on_problem)), handler)


def _noted(found: Iterable[PaperLinks], handler: Callable[[InputProblem], None]) -> Iterator[PaperLinks]:
    for paper_links in found:
        paper = paper_links.paper
        for note in paper_links.notes:
            handler(InputProblem(paper.source, paper.text_line, f"paper {paper.id}: {note}"))
        yield paper_links


def ingest(store: Store, paths: Iterable[str | Path], *, format: str | None = None,
           on_problem: Callable[[InputProblem], None] | None = None,
           git_hosts: frozenset[str] | None = None, settings: Settings | None = None) -> IngestSummary:
    """Read sources (files and source specs), extract links and store them; ingesting twice adds nothing.

    A source that cannot be read raises `SourceFault` after what came before it is stored.
    """
    total = IngestSummary()
    for path in paths:
        total = add_summaries(total, ingest_source(store, str(path), format=format, on_problem=on_problem,
                                                   git_hosts=git_hosts, settings=settings))
    return total


def ingest_source(store: Store, source: str, *, format: str | None = None,
                  on_problem: Callable[[InputProblem], None] | None = None,
                  git_hosts: frozenset[str] | None = None, settings: Settings | None = None) -> IngestSummary:
    """One source into the store, page by page: what was read before a fault stays stored.

    An ``arxiv-list`` harvest keeps its place in the store after every page,
    so that the next harvest starts where this one ended (or was killed).
    """
    handler = on_problem or log_or_raise
    if not is_spec(source):
        return store.add_papers(found_links([source], format=format, on_problem=on_problem, git_hosts=git_hosts))
    spec = parse_spec(source, today=utc_now().date())
    # An archive's records are small and many: a commit costs more than the batch's memory.
    batch_size = ARCHIVE_BATCH if spec.kind.startswith("pwc-") else None
    total = IngestSummary()
    for page in read_source(spec, settings or Settings.from_env(), on_problem=on_problem, state=store):
        total = add_summaries(total, store.add_papers(_noted(page, handler), batch_size=batch_size))
    return total


def add_summaries(first: IngestSummary, second: IngestSummary) -> IngestSummary:
    """Two ingests' counts together; a paper in both is counted twice (the pages of one source rarely share)."""
    return IngestSummary(**{field.name: getattr(first, field.name) + getattr(second, field.name)
                            for field in dataclasses.fields(IngestSummary)})


@dataclass(frozen=True, slots=True)
class CheckedRepository:
    """One repository's check, ready to record."""

    facts: RepoFacts
    results: tuple[CheckResult, ...]
    health: str
    repro_score: int | None


def with_git_facts(facts: RepoFacts, git: GitFacts) -> RepoFacts:
    """Add what git saw to what the host's API said.

    The API is the authority on existence where there is one; git can only add
    activity, files and licenses. When git fails on a repository the API calls
    live, the content stays unknown and the detail says why.
    """
    if git.status in (Status.OK, Status.EMPTY) or facts.status not in _READABLE:
        detail = facts.detail
    else:
        detail = f"{facts.detail}; its content could not be read: {git.detail}"
    status = Status.EMPTY if git.status == Status.EMPTY and facts.status == Status.OK else facts.status
    return dataclasses.replace(
        facts,
        status=status,
        detail=detail,
        activity=git.activity,
        files=git.files,
        licenses=facts.licenses + git.licenses,
    )


class RepositoryChecker:
    """Gathers the facts about one repository from its host and from git, then judges them.

    GitHub repositories are first looked at in batches (`look_many`, one
    GraphQL query for many); a repository the look calls plainly live is
    finished from GitHub's API (`GitHubContent`) and, failing that, from git.
    Every other case, and every repository on another host, goes the way of
    `gather`: REST for GitHub's word on existence, git for the content.
    Hugging Face models, datasets and spaces are asked of the Hub's API
    (`HubClient`), never cloned: what a paper's reader needs of a model is
    whether it is there, gated or gone, its license tag and last change.
    """

    def __init__(self, github: GitHubHost, git: GitHost, clock: Clock = utc_now,
                 hub: HubClient | None = None) -> None:
        self.github = github
        self.git = git
        self.clock = clock
        if hub is None:
            settings = Settings.from_env()
            hub = HubClient(settings.hf_endpoint, token=settings.hf_token, timeout=settings.http_timeout)
        self.hub = hub
        self.content = GitHubContent(github, git.cache_dir)

    @classmethod
    def from_settings(cls, settings: Settings, *, answer_cache: ConditionalCache | None = None,
                      clock: Clock = utc_now) -> RepositoryChecker:
        github = GitHubHost.from_settings(settings, answer_cache=answer_cache)
        git = GitHost(settings.cache_dir, timeout=settings.git_timeout, max_clone_bytes=settings.max_clone_bytes,
                      whole_clone_max_kb=settings.whole_clone_max_kb, git_hosts=settings.git_hosts,
                      secrets=(settings.github_token,) if settings.github_token else ())
        hub = HubClient(settings.hf_endpoint, token=settings.hf_token, timeout=settings.http_timeout)
        return cls(github, git, clock, hub)

    @staticmethod
    def looks_in_batches(ref: RepoRef) -> bool:
        """Whether `ref` is looked at with others first (a GitHub code repository git could read)."""
        return ref.host == "github.com" and ref.kind is RepoKind.CODE and _unreadable(ref) is None

    def look_many(self, refs: list[RepoRef]) -> list[Look | None]:
        """GitHub's batched look at `refs` (see `GitHubHost.look_many`); None where `gather` must decide.

        A fault of ours in a look must not end the run: the batch then goes the REST and git way.
        """
        try:
            return self.github.look_many(refs)
        except Exception:
            log.exception("looking at %d repositories through GitHub's GraphQL API failed; REST and git check them",
                          len(refs))
            return [None] * len(refs)

    def prepare(self, ref: RepoRef, look: Look) -> CheckedRepository | PendingRead:
        """The first half of a looked check: the whole check when nothing is left to read
        (empty, read at this head before, or read with git), else the read for `finish_many` to batch."""
        try:
            facts = self._looked(ref, look)
            if facts.files is not None:
                return self.judge(facts)
            content = self.content.kept(ref, look)
            if content is None:
                pending = self.content.tree(ref, look)
                if pending is not None:
                    return pending
            return self.judge(self._with_content(facts, look, content))
        except Exception as exc:
            return self.judge(self._failed(ref, exc))

    def finish_many(self, pending: list[PendingRead]) -> list[CheckedRepository | PendingRead]:
        """The second half: one query reads every pending repository. What it could not read is
        handed back as it came, for `finish_with_git`."""
        try:
            contents = self.content.read_many(pending)
        except Exception:
            log.exception("reading %d repositories through GitHub's API failed; git reads them", len(pending))
            contents = [None] * len(pending)
        finished: list[CheckedRepository | PendingRead] = []
        for item, content in zip(pending, contents, strict=True):
            if content is None:
                finished.append(item)
                continue
            try:
                facts = self._with_content(self._looked(item.ref, item.look), item.look, content)
            except Exception as exc:
                facts = self._failed(item.ref, exc)
            finished.append(self.judge(facts))
        return finished

    def finish_with_git(self, item: PendingRead) -> CheckedRepository:
        """A looked repository whose content the API did not give, read with git."""
        try:
            facts = self._with_content(self._looked(item.ref, item.look), item.look, None)
        except Exception as exc:
            facts = self._failed(item.ref, exc)
        return self.judge(facts)

    def _looked(self, ref: RepoRef, look: Look) -> RepoFacts:
        """What the look says, with the (known) content of an empty repository."""
        facts = RepoFacts(ref=ref, status=look.status, detail=look.detail, checked_at=self.clock(), http_status=200,
                          metadata=look.metadata, licenses=look.licenses)
        if look.status is Status.EMPTY:
            return dataclasses.replace(facts, activity=Activity(), files=RepoFiles())
        return facts

    def _with_content(self, facts: RepoFacts, look: Look, content: GitFacts | None) -> RepoFacts:
        if content is None:
            content = self.git.inspect(facts.ref, now=facts.checked_at, size_kb=look.metadata.size_kb,
                                       pushed_at=look.metadata.pushed_at)
        return with_git_facts(facts, content)

    def gather(self, ref: RepoRef) -> RepoFacts:
        now = self.clock()
        if ref.kind is not RepoKind.CODE:
            observation = self.hub.observe(ref)
            return hub_repo_facts(ref, observation, judge_hub(observation), now)
        refusal = self.git.refusal(ref)
        if refusal is not None:
            return RepoFacts(ref=ref, status=Status.NOT_CHECKED, detail=refusal, checked_at=now)
        if ref.host == "github.com":
            facts = self.github.check(ref)
            if facts.status is Status.NOT_CHECKED:
                return self._through_git_alone(ref, now, facts.detail)
            if facts.status not in _READABLE:
                return facts
            readable = facts.moved_to or ref
            refusal = self.git.refusal(readable)
            if refusal is not None:
                return dataclasses.replace(facts, detail=f"{facts.detail}; its content was not read: {refusal}")
            metadata = facts.metadata
            content = self.git.inspect(readable, now=now, size_kb=metadata.size_kb if metadata else None,
                                       pushed_at=metadata.pushed_at if metadata else None)
            return with_git_facts(facts, content)
        return self.git.inspect(ref, now=now).to_repo_facts(ref, now)

    def _through_git_alone(self, ref: RepoRef, now: datetime, why: str) -> RepoFacts:
        """A GitHub repository the API may not be asked about now (its budget is spent), checked as other hosts are.

        Git's own answer decides the status ("Repository not found" is
        GitHub's word as much as a 404 is); what only the API knows (stars,
        the archived flag, GitHub's license detection) stays unknown for this
        check (`metadata` None) and the next run with budget reads it again.
        """
        facts = self.git.inspect(ref, now=now).to_repo_facts(ref, now)
        unknown = "stars, archived flag and GitHub's license unknown"
        return dataclasses.replace(facts, detail=f"{facts.detail}; checked through git alone ({unknown}): {why}")

    def check(self, ref: RepoRef) -> CheckedRepository:
        """Check `ref` on its own: the REST and git way."""
        try:
            facts = self.gather(ref)
        except Exception as exc:
            facts = self._failed(ref, exc)
        return self.judge(facts)

    def judge(self, facts: RepoFacts) -> CheckedRepository:
        results = tuple(run_checks(facts, self.clock()))
        return CheckedRepository(
            facts=facts,
            results=results,
            health=health(facts, results),
            repro_score=repro_score(results),
        )

    def _failed(self, ref: RepoRef, exc: Exception) -> RepoFacts:
        """A fault of ours on one repository must not end the run for all the others;
        it is recorded as not checked, so the next run tries again."""
        log.error("checking %s failed", ref.canonical, exc_info=exc)
        return RepoFacts(ref=ref, status=Status.NOT_CHECKED, checked_at=self.clock(),
                         detail=f"{_OUR_FAULT} while checking it ({type(exc).__name__}); see the log")


def _unreadable(ref: RepoRef) -> str | None:
    """Why git will not read `ref` (a host not known, a name that could pass for a git option), or None.

    Hosts the user allows are `GitHost.refusal`'s to judge; this is for GitHub's names.
    """
    try:
        git_url(ref)
    except ValueError as refusal:
        return f"{_REFUSED} {refusal}"
    return None


# Checks committed together by `check_and_record`: a look's worth, so a crash loses at most one look's checks.
RECORD_BATCH = LOOK_BATCH


def record(store: Store, run_id: int, checked: CheckedRepository) -> None:
    record_all(store, run_id, [checked])


def record_all(store: Store, run_id: int, checked: Sequence[CheckedRepository]) -> None:
    """Commit these checks in one transaction (`Store.record_checks`)."""
    store.record_checks(run_id, [CheckToRecord(item.facts, item.results, item.health, item.repro_score)
                                 for item in checked])


@dataclass(frozen=True, slots=True)
class _Looked:
    refs: list[RepoRef]
    looks: list[Look | None]


@dataclass(eq=False, slots=True)
class _Batch:
    """One look's repositories on their way: how many are still being prepared, and the reads they left."""

    preparing: int
    pending: list[PendingRead] = dataclasses.field(default_factory=list)


def check_many(checker: RepositoryChecker, refs: Iterable[RepoRef], *, workers: int) -> Iterator[CheckedRepository]:
    """Check repositories with at most `workers` at once, yielding each as it finishes.

    GitHub repositories go in batches of `LOOK_BATCH` through three stages:
    one look for the batch, then each repository on its own (`prepare`: its
    tree, or the whole check when nothing is left to read), then one read for
    what the batch left (`finish_many`). A repository the look left to REST,
    and every repository of another host, is checked on its own.

    Looks and reads run on two threads of their own, so that the next batch's
    look is under way while this batch's repositories are prepared: at most
    `workers` + 2 requests at once, far below GitHub's limit of 100. Input is
    consumed only as fast as work finishes (two looks ahead at most). Threads
    suit this work: it waits on HTTP and on git subprocesses.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    from tracker.interrupts import interrupt_deferred, wait_first

    workers = max(1, workers)
    # Ctrl-C is raised between two waits, never inside one (where it left futures' locks held: a hang).
    with interrupt_deferred() as interrupt, \
            ThreadPoolExecutor(max_workers=workers, thread_name_prefix="check") as pool, \
            ThreadPoolExecutor(max_workers=2, thread_name_prefix="batch") as batch_pool:
        running: dict[Future[Any], _Batch | None] = {}
        looks: set[Future[Any]] = set()

        def look(batch: list[RepoRef]) -> _Looked:
            return _Looked(batch, checker.look_many(batch))

        def start_look(batch: list[RepoRef]) -> None:
            future = batch_pool.submit(look, batch)
            running[future] = None
            looks.add(future)

        def finished(done: set[Future[Any]]) -> Iterator[CheckedRepository]:
            for future in done:
                batch = running.pop(future)
                looks.discard(future)
                outcome = future.result()
                if isinstance(outcome, _Looked):
                    looked = _Batch(preparing=sum(found is not None for found in outcome.looks))
                    for ref, found in zip(outcome.refs, outcome.looks, strict=True):
                        if found is None:
                            running[pool.submit(checker.check, ref)] = None
                        else:
                            running[pool.submit(checker.prepare, ref, found)] = looked
                elif isinstance(outcome, PendingRead):
                    assert batch is not None
                    batch.pending.append(outcome)
                elif isinstance(outcome, list):
                    for item in outcome:
                        if isinstance(item, PendingRead):
                            running[pool.submit(checker.finish_with_git, item)] = None
                        else:
                            yield item
                else:
                    yield outcome
                if batch is not None:
                    batch.preparing -= 1
                    if batch.preparing == 0 and batch.pending:
                        running[batch_pool.submit(checker.finish_many, batch.pending)] = None

        def busy() -> bool:
            return len(looks) >= 2 or len(running) - len(looks) >= workers + LOOK_BATCH

        gathering: list[RepoRef] = []
        for ref in refs:
            if checker.looks_in_batches(ref):
                gathering.append(ref)
                if len(gathering) == LOOK_BATCH:
                    start_look(gathering)
                    gathering = []
            else:
                running[pool.submit(checker.check, ref)] = None
            while busy():
                yield from finished(wait_first(running, interrupt))
        if gathering:
            start_look(gathering)
        while running:
            yield from finished(wait_first(running, interrupt))


@dataclass
class RunTally:
    """What one run checked, by status, and what it cost at the host.

    `awaiting_confirmation` holds the repositories (canonical name -> when
    they first answered "not found") whose 404 is not recorded yet: they were
    live at their last conclusive check and are asked again (`confirm_gone`).
    """

    by_status: dict[str, int] = dataclasses.field(default_factory=dict)
    requests_made: int = 0
    requests_rate_limited: int = 0
    status_override: str | None = None
    awaiting_confirmation: dict[str, datetime] = dataclasses.field(default_factory=dict)
    rate_limited: int = 0  # the `not_checked` ones that a rate limit left unasked
    deferred: int = 0  # GitHub repositories due but left for the next run by the budget plan (not recorded)
    unfinished: int = 0  # repositories of check batches that failed (a dead worker) before recording them

    @property
    def checked(self) -> int:
        return sum(self.by_status.values())

    @property
    def run_status(self) -> str:
        """`rate_limited` when the limit left repositories unchecked (`not_checked`, or left for the next run
        by the budget plan); the next run picks them up.

        Names refused as unreadable and our own faults are `not_checked` too,
        but no rate limit caused them and none will lift them.
        """
        if self.status_override:
            return self.status_override
        return "rate_limited" if self.rate_limited or self.deferred else "completed"

    def add(self, other: RunTally) -> None:
        for status, count in other.by_status.items():
            self.by_status[status] = self.by_status.get(status, 0) + count
        self.requests_made += other.requests_made
        self.requests_rate_limited += other.requests_rate_limited
        self.awaiting_confirmation.update(other.awaiting_confirmation)
        self.rate_limited += other.rate_limited
        self.deferred += other.deferred
        self.unfinished += other.unfinished

    def count(self, checked: CheckedRepository) -> None:
        self.count_facts(checked.facts)

    def count_facts(self, facts: RepoFacts) -> None:
        status = str(facts.status)
        self.by_status[status] = self.by_status.get(status, 0) + 1
        if left_by_rate_limit(facts):
            self.rate_limited += 1

    def interrupted(self) -> RunTally:
        """This tally, for a run that stopped before checking everything it meant to."""
        return dataclasses.replace(self, by_status=dict(self.by_status), status_override="interrupted",
                                   awaiting_confirmation=dict(self.awaiting_confirmation))


def left_by_rate_limit(facts: RepoFacts) -> bool:
    """Whether a rate limit is why `facts` is `not_checked` (not a name git refuses, nor a fault of ours)."""
    return facts.status is Status.NOT_CHECKED and "rate limit" in facts.detail \
        and not facts.detail.startswith((_REFUSED, _OUR_FAULT))


def needs_confirmation(store: Store, checked: CheckedRepository) -> bool:
    """Whether this "not found" must be asked again before it counts: the last conclusive check found it live.

    A repository never seen live (a first check, or one already missing) is
    taken at its word: asking again could only repeat the same answer.
    """
    if checked.facts.status is not Status.MISSING:
        return False
    for earlier in reversed(store.history(checked.facts.ref.key)):
        if earlier.status not in INCONCLUSIVE:
            return earlier.status in _LIVE
    return False


def read_by_git_alone(facts: RepoFacts) -> bool:
    """Whether a GitHub repository's check could not ask the API (`RepositoryChecker._through_git_alone`)."""
    return facts.ref.host == "github.com" and facts.metadata is None and facts.http_status is None \
        and facts.status in _LIVE


def with_last_known_archive(store: Store, checker: RepositoryChecker, checked: CheckedRepository) -> CheckedRepository:
    """A repository read by git alone stays `archived` when the last check that asked GitHub's API found it so.

    Git cannot see the archived flag; recording `ok` would show the
    repository as un-archived in `history` and `status` when nothing but the
    way of reading changed. Archiving is undone rarely, and the next check
    with API budget reads the flag again.
    """
    facts = checked.facts
    if facts.status is not Status.OK or not read_by_git_alone(facts):
        return checked
    for earlier in reversed(store.history(facts.ref.key)):
        if earlier.status in INCONCLUSIVE or earlier.stars is None:
            continue
        if earlier.status is not Status.ARCHIVED:
            return checked
        detail = f"{facts.detail}; archived at the last check that asked GitHub's API ({earlier.checked_at:%Y-%m-%d})"
        return checker.judge(dataclasses.replace(facts, status=Status.ARCHIVED, detail=detail))
    return checked


def check_and_record(store: Store, run_id: int, checker: RepositoryChecker, refs: Iterable[RepoRef], *,
                     workers: int, on_checked: Callable[[CheckedRepository], None] | None = None,
                     confirm_gone_after: float | None = None, defer_confirmation: bool = False,
                     sleep: Callable[[float], None] = time.sleep) -> RunTally:
    """Check each repository and commit the checks a batch at a time, so a crash loses only the batch in flight.

    Checks GitHub's API answered are committed `RECORD_BATCH` at a time (a
    commit costs more than recording an unchanged re-check); a check git alone
    answered (another host, or GitHub when its API could not be asked) is
    committed at once with what is pending, since the clone cost far more than a
    commit and a slow run's progress should not wait for fifty of them. An
    interrupt (Ctrl-C, SIGTERM) commits what is pending before it goes on;
    `on_checked` sees a check only once it is committed.

    With `confirm_gone_after` (seconds), a repository that was live and now
    answers "not found" is held back and asked again once that long has
    passed since its first answer (`confirm_gone`): after every other
    repository, so the wait costs only what is left of it. With
    `defer_confirmation` the held ones are returned in the tally's
    `awaiting_confirmation` instead, for the caller to confirm after all its
    batches (the flow does).
    """
    tally = RunTally()
    pending: list[CheckedRepository] = []

    def commit_pending() -> None:
        batch = pending[:]
        pending.clear()  # before recording, so that a failed batch is not recorded again on the way out
        record_all(store, run_id, batch)
        for done in batch:
            tally.count(done)
            if on_checked is not None:
                on_checked(done)

    try:
        for checked in check_many(checker, refs, workers=workers):
            if confirm_gone_after is not None and needs_confirmation(store, checked):
                tally.awaiting_confirmation[checked.facts.ref.canonical] = checker.clock()
                continue
            pending.append(with_last_known_archive(store, checker, checked))
            if len(pending) >= RECORD_BATCH or not answered_by_api(checked.facts):
                commit_pending()
    finally:
        commit_pending()
    if tally.awaiting_confirmation and confirm_gone_after is not None and not defer_confirmation:
        held, tally.awaiting_confirmation = tally.awaiting_confirmation, {}
        tally.add(_confirm(store, run_id, checker, held, after=confirm_gone_after, workers=workers,
                           on_checked=on_checked, sleep=sleep))
    stats = checker.github.stats
    tally.requests_made = stats.requests_made
    tally.requests_rate_limited = stats.requests_rate_counted
    return tally


def answered_by_api(facts: RepoFacts) -> bool:
    """Whether a check was answered by GitHub's API (cheap, batched) rather than by git (a clone, slow)."""
    return facts.ref.host == "github.com" and not read_by_git_alone(facts)


def confirm_gone(store: Store, run_id: int, checker: RepositoryChecker, awaiting: dict[str, datetime], *,
                 after: float, workers: int, on_checked: Callable[[CheckedRepository], None] | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> RunTally:
    """Ask again about the repositories whose "not found" was held back, and record the second answer.

    Waits only for what is left of `after` seconds since the latest first
    answer (`checker.clock` tells the time, `sleep` waits). A second "not
    found" is recorded `missing`, saying it was confirmed; a live answer is
    recorded as whatever it says.
    """
    tally = _confirm(store, run_id, checker, awaiting, after=after, workers=workers, on_checked=on_checked,
                     sleep=sleep)
    stats = checker.github.stats
    tally.requests_made = stats.requests_made
    tally.requests_rate_limited = stats.requests_rate_counted
    return tally


def _confirm(store: Store, run_id: int, checker: RepositoryChecker, awaiting: dict[str, datetime], *,
             after: float, workers: int, on_checked: Callable[[CheckedRepository], None] | None,
             sleep: Callable[[float], None]) -> RunTally:
    tally = RunTally()
    if not awaiting:
        return tally
    remaining = after - (checker.clock() - max(awaiting.values())).total_seconds()
    if remaining > 0:
        log.info("asking %d repositories again in %.0f s: they were live and now answer 'not found'",
                 len(awaiting), remaining)
        sleep(remaining)
    refs = [RepoRef.parse(canonical) for canonical in awaiting]
    for checked in check_many(checker, refs, workers=workers):
        first = awaiting.get(checked.facts.ref.canonical)
        if checked.facts.status is Status.MISSING and first is not None:
            waited = (checker.clock() - first).total_seconds()
            confirmed = f"{checked.facts.detail}; confirmed: the same answer {waited:.0f} s after the first"
            checked = dataclasses.replace(checked, facts=dataclasses.replace(checked.facts, detail=confirmed))
        checked = with_last_known_archive(store, checker, checked)
        record(store, run_id, checked)
        tally.count(checked)
        if on_checked is not None:
            on_checked(checked)
    return tally


def source_fault_or_transient(state: object) -> bool:
    """Whether a failed source is worth reading again: its service faulted, or the database did."""
    from tracker.sources.read import SourceFault

    failure = state.result(raise_on_failure=False)  # type: ignore[attr-defined]
    return isinstance(failure, SourceFault) or is_transient(state)


@dataclass
class ArtifactTally:
    """What one run's artifact stage checked, by state, and the repositories short links led to that were new."""

    by_state: dict[str, int] = dataclasses.field(default_factory=dict)
    new_repositories: list[RepoRef] = dataclasses.field(default_factory=list)

    @property
    def checked(self) -> int:
        return sum(self.by_state.values())


def check_artifacts_and_record(store: Store, run_id: int, checker: ArtifactChecker,
                               targets: Iterable[ArtifactTarget], *, workers: int,
                               on_checked: Callable[[ArtifactCheck], None] | None = None) -> ArtifactTally:
    """Check each web page, DOI and short link with at most `workers` at once, committing each check at once.

    The web client keeps to a few requests per host whatever `workers` is. A
    repository a short link led to is added to the store and returned, for
    the run to check with the others.
    """
    from concurrent.futures import ThreadPoolExecutor

    tally = ArtifactTally()
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="artifact") as pool:
        for checked in pool.map(checker.check, targets):
            new = store.record_artifact_check(run_id, checked)
            if new is not None:
                tally.new_repositories.append(new)
            state = str(checked.verdict.state)
            tally.by_state[state] = tally.by_state.get(state, 0) + 1
            if on_checked is not None:
                on_checked(checked)
    return tally


@dataclass
class PromiseTally:
    """What one run's look for promised code did: papers looked at, and repositories found for them."""

    looked: int = 0
    found: list[str] = dataclasses.field(default_factory=list)  # "paper id: repository"


def look_for_promised_code(store: Store, finder: PromiseFinder) -> PromiseTally:
    """Look again for the code each promising paper without a link has not been looked at for today.

    A repository found is linked to the paper as `found_later` with the date;
    every paper looked at is marked so, found or not, so it waits a day.
    """
    tally = PromiseTally()
    for due in store.promises_due():
        try:
            found = finder.look(arxiv_id_of(due.paper_id), due.title)
        except Exception:
            log.exception("looking for the code promised by %s failed", due.paper_id)
            continue
        tally.looked += 1
        if store.record_promise_look(due.paper_id, found=found.ref if found else None,
                                     where=found.where if found else ""):
            assert found is not None
            tally.found.append(f"{due.paper_id}: {found.ref.canonical}")
    return tally


def is_transient(state: object) -> bool:
    """Whether a failed batch is worth retrying: faults of the network or the database, not of the code.

    Per-repository network faults never fail a batch (they are recorded as
    `unreachable`); what reaches here is the store being unavailable or locked.
    """
    import sqlalchemy.exc

    try:
        state.result()  # type: ignore[attr-defined]
    except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, ConnectionError, TimeoutError):
        return True
    except Exception:
        return False
    return False
