"""Judging git's answers: which hosts and names git may be pointed at, and what its words mean.

Pure functions over what git printed (``ls-remote`` output, stderr): the one
rule holds here, so only a host's own "not found" (or a request for
credentials, which public hosts give for deleted and private repositories
alike) is `missing`; a timeout, a refused connection or a TLS fault is
`unreachable`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tracker.netguard import non_public_address
from tracker.records import RepoRef, Status

# Known forges. SourceForge serves git from its own host: git.code.sf.net/p/<project>/<repo>.
GIT_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "gitea.com", "git.sr.ht",
                       "huggingface.co", "git.code.sf.net"})
ALLOW_HINT = "add it to REPRO_TRACKER_GIT_HOSTS"

# Owner/name path segments as the hosts allow them. A leading "-" would read
# as an option; "..", whitespace, control characters, "%", "@", ":" or "?"
# could change what the URL means.
_SEGMENT = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.+-]*")
# A host name or IPv4 address as `RepoRef` keeps it (lowercase, no port).
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")

_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")



@dataclass(frozen=True, slots=True)
class RemoteHead:
    """What ``git ls-remote`` says: is the repository there, and where is HEAD."""

    status: Status
    detail: str
    head_commit: str | None = None
    default_branch: str | None = None  # "main", not "refs/heads/main"
    redirected_to: str | None = None  # the URL the host sent git to instead, as git wrote it
    tags: int | None = None  # every tag the remote has (refs/tags/*); None: not listed




def fetch_allowed(host: str, git_hosts: frozenset[str]) -> bool:
    """Whether git may fetch from `host`: a known forge, or a host `git_hosts` names or matches.

    An entry of `git_hosts` is a host (``git.example.org``), every host under a
    domain (``*.example.org``) or any host (``*``). Only a host named exactly
    may be at a private or loopback address (see `address_refusal`).
    """
    if host in GIT_HOSTS or host in git_hosts or "*" in git_hosts:
        return True
    return any(entry.startswith("*.") and host.endswith(entry[1:]) for entry in git_hosts)


def git_url(ref: RepoRef, git_hosts: frozenset[str] = frozenset()) -> str:
    """The ``https://`` URL git may fetch `ref` from; ValueError when it is not safe to.

    The check runs before any git process starts, so nothing a paper wrote
    can become a git option, a transport (``ext::``, ``file://``) or a path
    outside the host, and only known forges and the hosts in `git_hosts` are
    fetched. A self-hosted server of unknown make is asked for ``name.git``,
    the path plain git servers (``git http-backend``, cgit) serve and GitLab,
    Gitea and Forgejo accept too.
    """
    known = ref.host in GIT_HOSTS
    if not fetch_allowed(ref.host, git_hosts):
        raise ValueError(f"refusing {ref.canonical!r}: host {ref.host} not allowed; {ALLOW_HINT}")
    if not _HOST.fullmatch(ref.host):
        raise ValueError(f"refusing {ref.canonical!r}: {ref.host!r} is not a host name")
    segments = [*ref.owner.split("/"), ref.name]
    if ref.host == "git.sr.ht":  # SourceHut owners are written ``~owner``
        segments[0] = segments[0].removeprefix("~")
    for segment in segments:
        if segment in ("", ".") or ".." in segment or not _SEGMENT.fullmatch(segment):
            raise ValueError(
                f"refusing {ref.canonical!r}: path segment {segment!r} is empty, begins with '-', contains '..', "
                "or holds characters other than letters, digits, '.', '_', '-', '+'"
            )
    return ref.https_url if known else f"{ref.https_url}.git"


def address_refusal(host: str, addresses: Iterable[str]) -> str | None:
    """Why git must not contact `host` at these addresses (one not public, see `tracker.netguard`), or None."""
    found = non_public_address(addresses)
    if found is None:
        return None
    return (f"not fetched: {host} resolves to {found.address}, {found.kind} address; a paper's link must not make "
            f"the tracker probe a local network. If this server is yours, {ALLOW_HINT}")


def classify_failure(stderr: str, secrets: Iterable[str] = ()) -> tuple[Status, str]:
    """Status and a readable reason from a failed git command's stderr.

    Only an answer *from the host* may say the repository is gone; everything
    else (DNS, refused connection, TLS, 5xx, 403 rate limits, our own limits)
    says only that we could not look, hence `unreachable`.
    """
    text = redact(stderr, secrets)
    lowered = text.lower()
    evidence = _evidence(text)
    if "dmca" in lowered:
        return Status.BLOCKED, f"the host blocks it (DMCA takedown): {evidence}"
    if "access to this repository has been disabled" in lowered or "repository access blocked" in lowered:
        return Status.DISABLED, f"the host has disabled it: {evidence}"
    if (
        "repository not found" in lowered
        or re.search(r"repository '[^']*' not found", lowered)
        or re.search(r"returned error: (404|410)\b", lowered)
        or "does not appear to be a git repository" in lowered
    ):
        return Status.MISSING, f"the host says it does not exist: {evidence}"
    if (
        "could not read username" in lowered
        or "could not read password" in lowered
        or "authentication failed" in lowered
        or re.search(r"returned error: 401\b", lowered)
    ):
        return Status.MISSING, f"the host asks for credentials: deleted or private ({evidence})"
    return Status.UNREACHABLE, f"could not reach the repository: {evidence}"


_REDIRECT = re.compile(r"^warning: redirecting to (\S+)$", re.MULTILINE)


def redirect_in(stderr: str) -> str | None:
    """The URL git says the host redirected it to (its "warning: redirecting to <url>"), or None."""
    match = _REDIRECT.search(stderr)
    return match.group(1) if match else None


def parse_ls_remote(output: str) -> RemoteHead:
    """`RemoteHead` from the output of ``git ls-remote --symref``."""
    head: str | None = None
    branch: str | None = None
    refs = 0
    tags = 0
    for line in output.splitlines():
        target, _, name = line.partition("\t")
        if target.startswith("ref: ") and name == "HEAD":
            branch = target.removeprefix("ref: ").removeprefix("refs/heads/")
            continue
        refs += 1
        if name == "HEAD":
            head = target
        elif name.startswith("refs/tags/") and not name.endswith("^{}"):  # "^{}": an annotated tag, peeled
            tags += 1
    if refs == 0:
        return RemoteHead(Status.EMPTY, "the repository has no commits")
    if head is None:
        return RemoteHead(Status.OK, "the repository has branches but no default branch (HEAD)", tags=tags)
    return RemoteHead(Status.OK, f"HEAD is {head[:12]} on {branch or 'a detached HEAD'}", head, branch, tags=tags)




def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove credentials a user's URL rewrite may carry, and `secrets` (the GitHub token)."""
    text = _USERINFO.sub("", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def _evidence(stderr: str) -> str:
    """The lines of git's message that say what happened, as one line.

    Clone's opening line names our scratch directory: no evidence, and no
    business in a report.
    """
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and not line.startswith("Cloning into")]
    return " / ".join(lines[:3])[:300] or "git gave no reason"
