"""A GitHub repository's files and history through GitHub's API instead of a clone.

For a repository GitHub's GraphQL look called plainly live (`Look`), the
content git would give comes from the whole tree at the head (REST
``git/trees/{head}?recursive=1``, one request) and a share of one GraphQL
query that reads a batch's latest commits and the few texts checks read (the
files `texts_to_read` picks for git too). No git process runs, which on a
first run is most of the work.

What was read at a head is kept in the cache directory beside where the clone
would be (``<key>.api-reading.json``): a commit's tree and history never
change, so a later look that finds the same head reads nothing again. Commit
counts in the 90- and 365-day windows come from each look, so they move with
the clock.

When the API cannot give the content (a tree too large for one answer, a
fault, an answer we do not understand) `tree` or `read_many` gives None for
that repository and the caller reads it with git, as for any other host.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.hosts.git import TEXT_CAP, GitFacts, TreeEntry, texts_to_read
from tracker.hosts.github import GitHubHost
from tracker.hosts.github_graphql import Look, ReadRequest, parse_read, read_query
from tracker.hosts.license_text import license_findings
from tracker.hosts.reading import Reading
from tracker.records import RepoFiles, RepoRef, Status


@dataclass(frozen=True, slots=True)
class PendingRead:
    """A repository whose tree at the look's head is known and whose history and texts are still to read."""

    ref: RepoRef
    look: Look
    paths: tuple[str, ...]
    wanted: list[tuple[str, str]]  # (path, blob id) of the texts to read

    @property
    def request(self) -> ReadRequest:
        assert self.look.head is not None
        return ReadRequest(self.ref, self.look.head, tuple(oid for _, oid in self.wanted))


class GitHubContent:
    """Reads what checks need from GitHub's API, keeping each reading in `cache_dir`.

    Three steps, so that a caller can batch the last: `kept` (what was read at
    this head before, no request), `tree` (one REST request), `read_many` (one
    GraphQL query for many repositories).
    """

    def __init__(self, github: GitHubHost, cache_dir: Path) -> None:
        self.github = github
        self.cache_dir = Path(cache_dir)

    def reading_path(self, ref: RepoRef) -> Path:
        # normpath, not resolve: the check is about ".." in a name, and resolve
        # costs a system call per path segment on every repository of every run.
        path = os.path.normpath(os.path.join(self.cache_dir, f"{ref.key}.api-reading.json"))
        if not path.startswith(os.path.join(os.path.normpath(self.cache_dir), "")):
            raise ValueError(f"refusing {ref.canonical!r}: its reading would leave {self.cache_dir}")
        return Path(path)

    def kept(self, ref: RepoRef, look: Look) -> GitFacts | None:
        """The content read at the look's head in an earlier run, if any."""
        reading = Reading.load(self.reading_path(ref)) if look.head is not None else None
        if reading is None or reading.head != look.head:
            return None
        return _facts(look, reading)

    def tree(self, ref: RepoRef, look: Look) -> PendingRead | None:
        """The whole tree at the look's head, or None when GitHub gave none or only part of one."""
        tree = self.github.git_tree(ref, look.head) if look.head is not None else None
        if tree is None:
            return None
        paths, wanted = files_in(tree)
        return PendingRead(ref, look, paths, wanted)

    def read_many(self, pending: list[PendingRead]) -> list[GitFacts | None]:
        """History and texts for each of `pending` in one query; each reading is kept. None where it failed."""
        if not pending:
            return []
        requests = [item.request for item in pending]
        query, variables = read_query(requests)
        answer = self.github.graphql(query, variables)
        parsed = parse_read(answer.get("data") if answer is not None else None, requests, TEXT_CAP)
        facts: list[GitFacts | None] = []
        for item, read in zip(pending, parsed, strict=True):
            if read is None:
                facts.append(None)
                continue
            history, texts = read
            reading = Reading(item.request.head, item.paths,
                              {path: text for (path, _), text in zip(item.wanted, texts, strict=True)
                               if text is not None}, history=history)
            reading.save(self.reading_path(item.ref))
            facts.append(_facts(item.look, reading))
        return facts


def _facts(look: Look, reading: Reading) -> GitFacts:
    files = RepoFiles(paths=reading.paths, texts=reading.texts)
    return GitFacts(
        status=Status.OK,
        detail=look.detail,
        head_commit=look.head,
        activity=reading.history.activity(look) if reading.history is not None else None,
        files=files,
        licenses=license_findings(reading.texts, files.readme_path),
    )


def files_in(tree: list[dict[str, Any]]) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    """The file paths of a recursive tree answer (blobs and symlinks, in git's order, as ``git ls-tree -r``
    lists them) and the (path, blob id) of the texts checks read, chosen as the git way chooses them."""
    entries = [TreeEntry(str(entry.get("mode", "")), entry["sha"], entry["path"]) for entry in tree
               if entry.get("type") == "blob" and isinstance(entry.get("path"), str)
               and isinstance(entry.get("sha"), str)]
    return tuple(entry.path for entry in entries), [(entry.path, entry.oid) for entry in texts_to_read(entries)]
