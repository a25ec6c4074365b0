"""The interface between fetching and judging, as OpenSSF Scorecard's `clients.RepoClient` draws it.

Two ways to ask a host, each written once per host and used by
`tracker.tracking.checker.RepositoryChecker`, which only judges what comes back:

- a `Looker` *looks* at a batch of repositories: status, metadata, activity
  (GitHub: one GraphQL query per batch with a token; `RestChecker` one REST
  check each otherwise; other hosts: git's ``ls-remote``);
- a `ContentReader` *reads* what is at a head: the tree and the few texts the
  checks need (GitHub's API for a plainly live GitHub repository, else git).

Every method keeps the one rule: a fault of the network, the host or our side
gives None or an `unreachable`/`not_checked` answer, never evidence of absence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from tracker.hosts.git_read import GitFacts
from tracker.hosts.github_graphql import Look
from tracker.records import RepoFacts, RepoRef


class Looker(Protocol):
    """Looks at many repositories at once; None where the one-by-one way must decide."""

    def look_many(self, refs: Sequence[RepoRef]) -> list[Look | None]: ...


class RestChecker(Protocol):
    """The host's word on one repository (existence, metadata), never raising for its faults."""

    def check(self, ref: RepoRef) -> RepoFacts: ...


class ContentReader(Protocol):
    """Reads the tree, texts and log at a repository's head (git; GitHub's API reads in batches itself)."""

    def inspect(self, ref: RepoRef, *, now: datetime, size_kb: int | None = None,
                pushed_at: datetime | None = None) -> GitFacts: ...
