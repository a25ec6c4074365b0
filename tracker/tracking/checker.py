"""One repository's check: the facts gathered from its host and from git, then judged."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime

from tracker.artifacts.check import hub_repo_facts
from tracker.artifacts.hub import HubClient
from tracker.artifacts.verdict import judge_hub
from tracker.checks import run_checks
from tracker.checks.score import health, repro_score
from tracker.clock import Clock, utc_now
from tracker.hosts.git import GitFacts, GitHost, git_url
from tracker.hosts.github import GitHubHost
from tracker.hosts.github_content import GitHubContent, PendingRead
from tracker.hosts.github_graphql import Look
from tracker.http import ConditionalCache
from tracker.records import Activity, CheckResult, RepoFacts, RepoFiles, RepoKind, RepoRef, Status
from tracker.settings import Settings

log = logging.getLogger(__name__)

# Statuses after which the repository's content can still be read with git.
_READABLE = frozenset({Status.OK, Status.MOVED, Status.ARCHIVED})
# How the details of `not_checked` begin when no rate limit caused it (see `tally.left_by_rate_limit`).
REFUSED = "not checked:"
OUR_FAULT = "repro-tracker failed"


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
                         detail=f"{OUR_FAULT} while checking it ({type(exc).__name__}); see the log")


def _unreadable(ref: RepoRef) -> str | None:
    """Why git will not read `ref` (a host not known, a name that could pass for a git option), or None.

    Hosts the user allows are `GitHost.refusal`'s to judge; this is for GitHub's names.
    """
    try:
        git_url(ref)
    except ValueError as refusal:
        return f"{REFUSED} {refusal}"
    return None

