"""One artifact, checked by the client that can answer for it, judged by the one rule.

The dispatcher: a link's kind decides who is asked. Web pages go to
`WebClient` (HEAD then GET, every hop kept); DOIs to the handle system, and
Zenodo's to its records API; short links are followed like pages and their
redirect chain kept, and one that lands on a repository names that repository
(read by `canonical_repo`), which the caller links to the paper with the short
link as its provenance. Hugging Face models, datasets and spaces are
repositories of their own kinds, checked through the Hub by
`tracking.checker.RepositoryChecker`, whose facts `hub_repo_facts` makes here.

A DNS failure starts (or continues) a streak whose first moment is kept, so
that `judge_page` can call a name gone once it has failed for a day. A name
that does not resolve while no name has resolved in this run is our network's
fault and is no evidence: the streak neither starts nor ends, and the link is
`unreachable`. Offline, every web artifact is `unreachable`, none `gone`,
however many days pass.

A page asked conditionally that answers 304 Not Modified, through the same
redirects as at its previous check, is as it was then: the previous verdict
and facts are kept, and the reason says the server confirmed them. A 304 that
cannot vouch for a verdict (the chain changed, or the previous check was
inconclusive) is asked again without validators and judged afresh.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracker.artifacts.doi import DoiClient, ZenodoClient, judge_doi, judge_zenodo
from tracker.artifacts.kinds import LinkKind, zenodo_record_id
from tracker.artifacts.verdict import HubObservation, LinkState, LinkVerdict, PageObservation, judge_page
from tracker.artifacts.web import Resolver, WebClient
from tracker.clock import Clock, utc_now
from tracker.http import ConditionalCache, HttpClient
from tracker.links import NotARepository, canonical_repo
from tracker.records import Metadata, RepoFacts, RepoRef, Status
from tracker.settings import Settings


@dataclass(frozen=True, slots=True)
class PreviousCheck:
    """What an artifact's newest check said: the verdict a 304 Not Modified keeps."""

    checked_at: datetime
    verdict: LinkVerdict
    redirects: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)


# The start of the reason of a verdict kept because the server said the page had not changed.
CONFIRMED_UNCHANGED = "confirmed unchanged (the server answered 304 Not Modified); as judged before: "


@dataclass(frozen=True, slots=True)
class ArtifactTarget:
    """An artifact due for a check, with what its last check left: when DNS first failed in the current streak,
    and its verdict."""

    url: str
    kind: LinkKind
    dns_failing_since: datetime | None = None
    previous: PreviousCheck | None = None


@dataclass(frozen=True, slots=True)
class ArtifactCheck:
    """One artifact's check, ready to record.

    `redirects` are the hops as ``"<status> <url>"``, first request first;
    `facts` what the service said beyond the state (a page's title, a Zenodo
    record's versions and files, a DOI's target); `dns_failing_since` the
    streak to keep (None once the name resolves); `leads_to` the repository a
    short link lands on.
    """

    url: str
    kind: LinkKind
    checked_at: datetime
    verdict: LinkVerdict
    redirects: tuple[str, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)
    dns_failing_since: datetime | None = None
    leads_to: RepoRef | None = None


class ArtifactChecker:
    """Checks web pages, DOIs and short links; one per run (it holds a connection pool per host)."""

    def __init__(self, web: WebClient, doi: DoiClient, zenodo: ZenodoClient, *,
                 git_hosts: frozenset[str] = frozenset(), clock: Clock = utc_now) -> None:
        self.web = web
        self.doi = doi
        self.zenodo = zenodo
        self.git_hosts = git_hosts
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Settings, *, resolve: Resolver | None = None, clock: Clock = utc_now,
                      cache: ConditionalCache | None = None) -> ArtifactChecker:
        """The checker `settings` describe; `cache` (the store's `answer_cache`) keeps validators across runs."""
        web = WebClient(timeout=settings.http_timeout, allowed_hosts=settings.git_hosts, resolve=resolve,
                        cache=cache)
        # One attempt: a fault makes the artifact `unreachable`, and it is asked again next run anyway.
        doi = DoiClient(HttpClient(settings.doi_resolver_url, timeout=settings.http_timeout, attempts=1))
        zenodo = ZenodoClient(HttpClient(settings.zenodo_api_url, timeout=settings.http_timeout, attempts=1,
                                         cache=cache))
        return cls(web, doi, zenodo, git_hosts=settings.git_hosts, clock=clock)

    def close(self) -> None:
        self.web.close()

    def check(self, target: ArtifactTarget) -> ArtifactCheck:
        now = self.clock()
        try:
            if target.kind is LinkKind.DOI:
                return self._registry(target, now)
            return self._web(target, now)
        except Exception as exc:  # a fault of ours on one link must not end the run
            verdict = LinkVerdict(LinkState.NOT_CHECKED,
                                  f"repro-tracker failed while checking it ({type(exc).__name__}); see the log")
            return ArtifactCheck(target.url, target.kind, now, verdict, dns_failing_since=target.dns_failing_since)

    def _web(self, target: ArtifactTarget, now: datetime) -> ArtifactCheck:
        observation = self.web.observe(target.url)
        if observation.not_modified and not _vouches_for(target.previous, observation):
            observation = self.web.observe(target.url, conditional=False)
        # The streak ends only when the name resolves; a run that could not ask DNS leaves it as it was.
        streak = target.dns_failing_since if observation.resolver_fault else None
        if observation.dns_failed:
            if self.web.resolver_answers:
                streak = target.dns_failing_since or now
            else:
                # Not evidence either way: the streak neither starts nor ends, and the link is unreachable.
                streak = target.dns_failing_since
                observation = dataclasses.replace(
                    observation, dns_failed=False,
                    fault=f"{observation.fault}; no name has resolved in this run yet, so DNS itself may be failing")
        verdict = judge_page(observation, dns_failing_since=streak, now=now)
        redirects = tuple(f"{hop.status} {hop.url}" for hop in observation.hops)
        facts: dict[str, Any] = {}
        if observation.title:
            facts["title"] = observation.title[:200]
        if observation.final is not None:
            facts["http_status"] = observation.final.status
        leads_to = None
        if target.kind is LinkKind.SHORT_LINK:
            verdict, leads_to = self._short_link(observation, verdict)
        if observation.not_modified and target.previous is not None:
            verdict, facts = _kept(target.previous)
        return ArtifactCheck(target.url, target.kind, now, verdict, redirects, facts, streak, leads_to)

    def _short_link(self, observation: PageObservation,
                    verdict: LinkVerdict) -> tuple[LinkVerdict, RepoRef | None]:
        """A short link's verdict: redirecting is its nature, so reaching a live page is `ok`, not `moved`;
        one whose chain reaches a repository names it, whatever that repository's page answered."""
        for hop in observation.hops[1:]:
            try:
                ref = canonical_repo(hop.url, git_hosts=self.git_hosts)
            except NotARepository:
                continue
            return (LinkVerdict(LinkState.OK, f"leads to the repository {ref.canonical}", verdict.evidence,
                                hop.url), ref)
        if verdict.state is LinkState.MOVED:
            return dataclasses.replace(verdict, state=LinkState.OK, reason=f"leads to {verdict.final_url}"), None
        return verdict, None

    def _registry(self, target: ArtifactTarget, now: datetime) -> ArtifactCheck:
        record = zenodo_record_id(target.url)
        if record is not None:
            observed = self.zenodo.observe(record)
            facts: dict[str, Any] = {"record": record}
            if observed.exists:
                facts |= {"title": observed.title, "version": observed.version, "versions": observed.versions,
                          "files": list(observed.files)}
            return ArtifactCheck(target.url, target.kind, now, judge_zenodo(observed), facts=facts)
        doi = doi_of(target.url)
        found = self.doi.observe(doi)
        facts = {"doi": doi, "target": found.target} if found.target else {"doi": doi}
        return ArtifactCheck(target.url, target.kind, now, judge_doi(found), facts=facts)


def _vouches_for(previous: PreviousCheck | None, observation: PageObservation) -> bool:
    """Whether a 304 confirms `previous`: it judged an answer, reached through the same redirects."""
    if previous is None or previous.verdict.state in (LinkState.UNREACHABLE, LinkState.NOT_CHECKED):
        return False
    return previous.redirects == tuple(f"{hop.status} {hop.url}" for hop in observation.hops)


def _kept(previous: PreviousCheck) -> tuple[LinkVerdict, dict[str, Any]]:
    """The previous verdict and facts, said to be confirmed; `unchanged_since` is when they were judged."""
    verdict = previous.verdict
    reason = CONFIRMED_UNCHANGED + verdict.reason.removeprefix(CONFIRMED_UNCHANGED)
    facts = {"unchanged_since": previous.checked_at.isoformat(), **previous.facts}
    return dataclasses.replace(verdict, reason=reason), facts


def doi_of(url: str) -> str:
    """The DOI an address names: ``https://doi.org/10.1/x`` and ``doi:10.1/x`` are ``10.1/x``."""
    text = url.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if text.lower().startswith(prefix):
            return text[len(prefix):]
    return text


# What a Hub verdict is in the vocabulary of repositories: the Hub's 401/404 (no public repository) is
# `missing`, a disabled repository `disabled`, a gated one exists (`ok`, the detail says it is gated).
_HUB_STATUS = {
    LinkState.OK: Status.OK,
    LinkState.GATED: Status.OK,
    LinkState.MOVED: Status.MOVED,
    LinkState.UNREACHABLE: Status.UNREACHABLE,
    LinkState.NOT_CHECKED: Status.NOT_CHECKED,
}


def hub_repo_facts(ref: RepoRef, observation: HubObservation, verdict: LinkVerdict, now: datetime) -> RepoFacts:
    """A Hub repository's check as `RepoFacts`, so models, datasets and spaces are listed, recorded and reported
    like code repositories: the license tag as the host's license, the last modification as its last push."""
    if verdict.state is LinkState.GONE:
        status = Status.DISABLED if observation.disabled else Status.MISSING
    else:
        status = _HUB_STATUS[verdict.state]
    detail = "; ".join(part for part in (verdict.reason, *verdict.evidence) if part)
    metadata = None
    if observation.found:
        metadata = Metadata(license_spdx=observation.license, pushed_at=observation.last_modified)
    return RepoFacts(ref=ref, status=status, detail=detail, checked_at=now, metadata=metadata)
