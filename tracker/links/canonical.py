"""Reduce one URL to what it points at: a repository in canonical form, or an artifact.

Decisions a reader of the results needs to know:

- A host counts only if its name is exactly the host's name once IDNA has turned
  it into ASCII. ``gіthub.com`` with a Cyrillic ``і`` becomes ``xn--gthub-n2e.com``
  and is never GitHub; a host written with any non-ASCII letter is at most a
  WEBSITE artifact, shown in its punycode form so the look-alike stays visible.
- An owner page (``github.com/owner``), an organisation page and a host's own
  pages (``github.com/topics/...``) are not repositories; they are kept as WEBSITE
  artifacts because a reader may still follow them to find the code.
- A host's root (``github.com``, ``arxiv.org``) alone names a service, not anything
  of the paper, and is dropped.
- SourceForge projects have no owner; their canonical form is
  ``sourceforge.net/projects/<name>`` (owner ``projects``), which is also the
  project's real address, so ``canonical_repo(ref.https_url) == ref`` holds.
- Self-hosted GitLab (a host whose first label is ``gitlab``, e.g.
  ``gitlab.inria.fr``) follows gitlab.com's rules: any git client can clone it.
- Hugging Face: ``hf.co`` is ``huggingface.co``; ``owner/name`` is a model,
  ``datasets/...`` and ``spaces/...`` carry their kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit

import idna

from tracker.records import Artifact, ArtifactKind, RepoKind, RepoRef

# --- Repositories -----------------------------------------------------------

# First path segments that are GitHub's own pages, never a user or organisation.
_GITHUB_RESERVED = frozenset(
    """
    about account apps blog codespaces collections contact copilot customer-stories dashboard
    discussions enterprise events explore features git-guides github-copilot home issues join
    login logout marketplace mobile new nonprofit notifications open-source orgs organizations
    partners password_reset premium-support pricing pulls readme resources search security
    sessions settings site sitemap solutions sponsors stars team topics trending users watching
    """.split()
)
_GITLAB_RESERVED = frozenset(
    "- admin api dashboard explore groups help import oauth profile projects public search "
    "snippets uploads users".split()
)
# Legacy GitLab routes written without the ``/-/`` separator.
_GITLAB_ROUTES = frozenset(
    "tree blob raw commits commit issues merge_requests wikis releases tags pipelines jobs".split()
)
_FORGE_RESERVED = frozenset(
    "account admin api assets dashboard explore issues login notifications org product pulls "
    "repo settings site support user".split()
)
_HF_RESERVED = frozenset(
    """
    api blog changelog chat collections docs enterprise hardware inference-endpoints join learn
    login models new organizations papers posts pricing privacy settings tasks
    terms-of-service welcome
    """.split()
)

_GITHUB_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_REPO_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_PATH_PART = re.compile(r"[A-Za-z0-9_.-]{1,255}")


def _strip_git(name: str) -> str:
    return name[:-4] if name.lower().endswith(".git") and len(name) > 4 else name


def _valid_name(name: str) -> bool:
    return bool(_REPO_NAME.fullmatch(name)) and name not in (".", "..")


def _github(segments: list[str]) -> RepoRef | None:
    if len(segments) < 2 or segments[0].lower() in _GITHUB_RESERVED:
        return None
    owner, name = segments[0], _strip_git(segments[1])
    if not (_GITHUB_OWNER.fullmatch(owner) and _valid_name(name)):
        return None
    return RepoRef("github.com", owner, name)


def _gitlab(host: str) -> Callable[[list[str]], RepoRef | None]:
    def parse(segments: list[str]) -> RepoRef | None:
        if segments and segments[0].lower() in _GITLAB_RESERVED:
            return None
        path: list[str] = []
        for segment in segments:
            if segment == "-" or (len(path) >= 2 and segment in _GITLAB_ROUTES):
                break
            path.append(segment)
        if len(path) < 2:
            return None
        path[-1] = _strip_git(path[-1])
        if not all(_PATH_PART.fullmatch(part) and part not in (".", "..") for part in path):
            return None
        return RepoRef(host, "/".join(path[:-1]), path[-1])

    return parse


def _forge(host: str) -> Callable[[list[str]], RepoRef | None]:
    """Bitbucket and Codeberg: ``host/owner/name`` and nothing deeper."""

    def parse(segments: list[str]) -> RepoRef | None:
        if len(segments) < 2 or segments[0].lower() in _FORGE_RESERVED:
            return None
        owner, name = segments[0], _strip_git(segments[1])
        if not (_PATH_PART.fullmatch(owner) and _valid_name(name)):
            return None
        return RepoRef(host, owner, name)

    return parse


def _sourceforge(segments: list[str]) -> RepoRef | None:
    # ``/projects/<name>`` is the project page, ``/p/<name>`` the Allura code browser.
    if len(segments) < 2 or segments[0] not in ("projects", "p"):
        return None
    name = segments[1]
    return RepoRef("sourceforge.net", "projects", name) if _valid_name(name) else None


def _huggingface(segments: list[str]) -> RepoRef | None:
    kind = RepoKind.MODEL
    if segments and segments[0] in ("datasets", "spaces"):
        kind = RepoKind.DATASET if segments[0] == "datasets" else RepoKind.SPACE
        segments = segments[1:]
    elif segments and segments[0].lower() in _HF_RESERVED:
        return None
    if len(segments) < 2:
        return None
    owner, name = segments[0], segments[1]
    if not (_PATH_PART.fullmatch(owner) and _valid_name(name)):
        return None
    return RepoRef("huggingface.co", owner, name, kind)


# Host as written (after IDNA, lowercase, without ``www.``) -> repository parser.
_REPO_HOSTS: dict[str, Callable[[list[str]], RepoRef | None]] = {
    "github.com": _github,
    "raw.githubusercontent.com": _github,
    "codeload.github.com": _github,
    "gitlab.com": _gitlab("gitlab.com"),
    "bitbucket.org": _forge("bitbucket.org"),
    "codeberg.org": _forge("codeberg.org"),
    "sourceforge.net": _sourceforge,
    "sf.net": _sourceforge,
    "huggingface.co": _huggingface,
    "hf.co": _huggingface,
}


# --- Artifacts --------------------------------------------------------------

_ARTIFACT_HOSTS: dict[ArtifactKind, frozenset[str]] = {
    ArtifactKind.SHORT_LINK: frozenset(
        "bit.ly tinyurl.com t.co goo.gl ow.ly is.gd v.gd buff.ly rb.gy cutt.ly tiny.cc "
        "shorturl.at t.ly lnkd.in aka.ms git.io s.id dub.sh".split()
    ),
    ArtifactKind.DOI: frozenset("doi.org dx.doi.org".split()),
    ArtifactKind.ARCHIVE: frozenset(
        "zenodo.org figshare.com osf.io datadryad.org archive.softwareheritage.org "
        "codeocean.com data.mendeley.com dataverse.harvard.edu".split()
    ),
    ArtifactKind.VIDEO: frozenset("youtube.com youtu.be vimeo.com bilibili.com b23.tv".split()),
    ArtifactKind.PAPER: frozenset(
        """
        arxiv.org openreview.net aclanthology.org aclweb.org proceedings.neurips.cc papers.nips.cc
        openaccess.thecvf.com proceedings.mlr.press dl.acm.org ieeexplore.ieee.org
        link.springer.com biorxiv.org medrxiv.org semanticscholar.org
        """.split()
    ),
}
# Hosts under which every site is a project's own page.
_PAGE_SUFFIXES = (
    "github.io", "gitlab.io", "sourceforge.net", "sourceforge.io", "pages.dev",
    "netlify.app", "vercel.app", "readthedocs.io",
)
_PAGE_HOSTS = frozenset({"sites.google.com"})

# Top-level domains accepted for a host written without a scheme that is in no
# table above. Country codes are left out on purpose: ``train.py``, ``README.md``
# and ``config.sh`` are file names far more often than hosts.
GENERIC_TLDS = frozenset("com org net io ai dev app edu gov info tech science".split())


def _under(host: str, domains: frozenset[str] | tuple[str, ...]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def known_host(host: str) -> bool:
    """Whether `host` (ASCII, lowercase) is a code host or a known artifact host."""
    bare = _strip_www(host)
    return (
        bare in _REPO_HOSTS
        or bare.startswith("gitlab.")
        or any(_under(bare, hosts) for hosts in _ARTIFACT_HOSTS.values())
        or _under(bare, _PAGE_SUFFIXES)
        or bare in _PAGE_HOSTS
    )


# --- Parsing ----------------------------------------------------------------


class Target:
    """A URL split into the parts the rules look at; built by `parse_url`."""

    __slots__ = ("scheme", "host", "ascii_written", "segments", "path", "query")

    def __init__(self, parts: SplitResult, host: str, ascii_written: bool) -> None:
        self.scheme = parts.scheme.lower() or "https"
        self.host = host
        self.ascii_written = ascii_written
        self.path = parts.path
        self.segments = [segment for segment in parts.path.split("/") if segment]
        self.query = parts.query

    @property
    def bare_host(self) -> str:
        return _strip_www(self.host)


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _ascii_host(host: str) -> str | None:
    host = host.rstrip(".")
    if host.isascii():
        return host.lower()
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return None


def parse_url(url: str) -> Target | None:
    """Split a repaired URL; None when it has no usable host."""
    if "://" not in url[:12]:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        return None
    if not hostname or parts.scheme.lower() not in ("http", "https"):
        return None
    host = _ascii_host(hostname)
    if not host or "." not in host:
        return None
    return Target(parts, host, hostname.isascii())


def repo_of(target: Target) -> RepoRef | None:
    """The repository a parsed URL names, or None."""
    if not target.ascii_written:
        return None
    host = target.bare_host
    parser = _REPO_HOSTS.get(host)
    if parser is None and host.startswith("gitlab."):
        parser = _gitlab(host)
    return parser(target.segments) if parser is not None else None


def wants_more(target: Target) -> bool:
    """Whether a URL on a code host stops before it names a repository.

    Text after a space or line break is joined to such a URL only, because on
    any other site a URL that ends with ``/`` is complete.
    """
    host = target.bare_host
    on_code_host = host in _REPO_HOSTS or host.startswith("gitlab.")
    # Three segments: Hugging Face datasets and spaces need a prefix before owner/name.
    return on_code_host and len(target.segments) < 3 and repo_of(target) is None


def artifact_of(target: Target, *, project_page_hint: bool = False) -> Artifact | None:
    """The artifact a parsed URL is when it is no repository; None when dropped."""
    host = target.bare_host
    kind = ArtifactKind.WEBSITE
    if not target.ascii_written:
        pass  # a look-alike host is never more than a website
    elif host in ("huggingface.co", "hf.co") and target.segments[:1] == ["papers"]:
        kind = ArtifactKind.PAPER
    elif host in _REPO_HOSTS or host.startswith("gitlab."):
        if not target.segments:
            return None
    elif (table_kind := _artifact_kind(host)) is not None:
        if not target.segments:
            return None
        kind = table_kind
    elif _under(host, _PAGE_SUFFIXES) or host in _PAGE_HOSTS or project_page_hint:
        kind = ArtifactKind.PROJECT_PAGE
    return Artifact(_artifact_url(target), kind)


def _artifact_kind(host: str) -> ArtifactKind | None:
    for kind, hosts in _ARTIFACT_HOSTS.items():
        if _under(host, hosts):
            return kind
    return None


def _artifact_url(target: Target) -> str:
    """One spelling per address, so that `PaperLinks.artifacts` deduplicates.

    The fragment is dropped (it only scrolls a page); the query is kept because
    some addresses live in it (``youtube.com/watch?v=``).
    """
    if _artifact_kind(target.bare_host) is ArtifactKind.DOI:
        return "https://doi.org/" + target.path.lstrip("/")
    path = target.path.rstrip("/") or "/"
    query = f"?{target.query}" if target.query else ""
    return f"{target.scheme}://{target.host}{path}{query}"
