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
- SourceHut (``sr.ht`` and ``git.sr.ht``) is spelled ``git.sr.ht/~owner/name``.
- Any other host is a git server only when the user allows it
  (``REPRO_TRACKER_GIT_HOSTS``, passed in as `git_hosts`), when its name says
  so by convention (``git.``, ``gitea.``, ``forgejo.`` or ``cgit.`` before a
  domain), or when the URL ends a path segment in ``.git``, which only git
  servers serve. Such a host's path is
  read like GitLab's (subgroups allowed, routes such as ``/-/``, ``/tree/`` and
  ``/src/`` end it). A ``.git`` URL is thus a repository *link* on any host;
  whether git may fetch it is another decision (`tracker.hosts.git`).
- `canonical_repo` is the one parser of a repository string given alone (a
  ``--repo`` option, a ``repo`` field): besides web URLs it reads
  ``git@host:owner/name.git``, ``ssh://``, ``git://`` and ``git+https://``,
  and refuses what names no repository with `NotARepository`, whose message
  says why.
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
    [
        "about", "account", "apps", "blog", "codespaces", "collections", "contact", "copilot", "customer-stories",
        "dashboard", "discussions", "enterprise", "events", "explore", "features", "git-guides", "github-copilot",
        "home", "issues", "join", "login", "logout", "marketplace", "mobile", "new", "nonprofit", "notifications",
        "open-source", "orgs", "organizations", "partners", "password_reset", "premium-support", "pricing", "pulls",
        "readme", "resources", "search", "security", "sessions", "settings", "site", "sitemap", "solutions",
        "sponsors", "stars", "team", "topics", "trending", "users", "watching",
    ]
)
_GITLAB_RESERVED = frozenset(
    [
        "-", "admin", "api", "dashboard", "explore", "groups", "help", "import", "oauth", "profile", "projects",
        "public", "search", "snippets", "uploads", "users",
    ]
)
# Legacy GitLab routes written without the ``/-/`` separator.
_GITLAB_ROUTES = frozenset(
    [
        "tree", "blob", "raw", "commits", "commit", "issues", "merge_requests", "wikis", "releases", "tags",
        "pipelines", "jobs",
    ]
)
_FORGE_RESERVED = frozenset(
    [
        "account", "admin", "api", "assets", "dashboard", "explore", "issues", "login", "notifications", "org",
        "product", "pulls", "repo", "settings", "site", "support", "user",
    ]
)
_HF_RESERVED = frozenset(
    [
        "api", "blog", "changelog", "chat", "collections", "docs", "enterprise", "hardware", "inference-endpoints",
        "join", "learn", "login", "models", "new", "organizations", "papers", "posts", "pricing", "privacy",
        "settings", "tasks", "terms-of-service", "welcome",
    ]
)

_GITHUB_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_REPO_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_PATH_PART = re.compile(r"[A-Za-z0-9_.-]{1,255}")


def _strip_git(name: str) -> str:
    return name[:-4] if name.lower().endswith(".git") and len(name) > 4 else name


def _valid_name(name: str) -> bool:
    return bool(_REPO_NAME.fullmatch(name)) and name not in (".", "..")


def _grouped_repo(host: str, path: list[str]) -> RepoRef | None:
    """``group[/sub...]/name`` as one repository, or None when a part is not a name a forge allows."""
    if len(path) < 2:
        return None
    parts = [*path[:-1], _strip_git(path[-1])]
    if not all(_PATH_PART.fullmatch(part) and part not in (".", "..") for part in parts):
        return None
    return RepoRef(host, "/".join(parts[:-1]), parts[-1])


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
        return _grouped_repo(host, path)

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


def _sourcehut(segments: list[str]) -> RepoRef | None:
    """``git.sr.ht/~owner/name``: SourceHut owners are always written with their ``~``."""
    if len(segments) < 2 or not segments[0].startswith("~"):
        return None
    owner, name = segments[0], _strip_git(segments[1])
    if not (_PATH_PART.fullmatch(owner[1:]) and _valid_name(name)):
        return None
    return RepoRef("git.sr.ht", owner, name)


# Path segments after which a self-hosted forge's URL names a page of the
# repository, not a deeper group (GitLab, Gitea/Forgejo, cgit, gitweb).
_SELF_HOSTED_ROUTES = _GITLAB_ROUTES | {
    "src", "branches", "pulls", "pull", "wiki", "activity", "graphs", "milestones", "labels", "projects", "actions",
}


def _self_hosted(host: str) -> Callable[[list[str]], RepoRef | None]:
    """A git server whose software is not known: ``host/group[/sub...]/name[.git]``.

    The path ends at the first segment ending in ``.git`` (cgit and gitweb put
    pages after it), at GitLab's ``/-/`` or at a route word.
    """

    def parse(segments: list[str]) -> RepoRef | None:
        if segments and segments[0].lower() in _SELF_HOSTED_PAGES and not any(map(_has_git_suffix, segments)):
            return None
        path: list[str] = []
        for segment in segments:
            if segment == "-" or (len(path) >= 2 and segment.lower() in _SELF_HOSTED_ROUTES):
                break
            path.append(segment)
            if _has_git_suffix(segment):
                break
        return _grouped_repo(host, path)

    return parse


# First path segments that are a forge's own pages (GitLab's and Gitea's), unless a ``.git`` segment follows.
_SELF_HOSTED_PAGES = _GITLAB_RESERVED | _FORGE_RESERVED
# First labels that name a git server by convention (``git.example.org``, ``gitea.lab.example``).
_GIT_SERVER_LABELS = frozenset({"git", "gitea", "forgejo", "cgit"})


def _named_like_a_git_server(host: str) -> bool:
    """``git.<domain>`` and the like: a git server's name, where ``gitea.io`` (two labels) is a project's site."""
    labels = host.split(".")
    return len(labels) >= 3 and labels[0] in _GIT_SERVER_LABELS and not known_host(host)


def _has_git_suffix(segment: str) -> bool:
    return segment.lower().endswith(".git") and len(segment) > 4


# Host as written (after IDNA, lowercase, without ``www.``) -> repository parser.
_REPO_HOSTS: dict[str, Callable[[list[str]], RepoRef | None]] = {
    "github.com": _github,
    "raw.githubusercontent.com": _github,
    "codeload.github.com": _github,
    "gitlab.com": _gitlab("gitlab.com"),
    "bitbucket.org": _forge("bitbucket.org"),
    "codeberg.org": _forge("codeberg.org"),
    "gitea.com": _forge("gitea.com"),
    "git.sr.ht": _sourcehut,
    "sr.ht": _sourcehut,
    "sourceforge.net": _sourceforge,
    "sf.net": _sourceforge,
    "huggingface.co": _huggingface,
    "hf.co": _huggingface,
}


# --- Artifacts --------------------------------------------------------------

_ARTIFACT_HOSTS: dict[ArtifactKind, frozenset[str]] = {
    ArtifactKind.SHORT_LINK: frozenset(
        [
            "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "v.gd", "buff.ly", "rb.gy", "cutt.ly",
            "tiny.cc", "shorturl.at", "t.ly", "lnkd.in", "aka.ms", "git.io", "s.id", "dub.sh",
        ]
    ),
    ArtifactKind.DOI: frozenset(["doi.org", "dx.doi.org"]),
    ArtifactKind.ARCHIVE: frozenset(
        [
            "zenodo.org", "figshare.com", "osf.io", "datadryad.org", "archive.softwareheritage.org", "codeocean.com",
            "data.mendeley.com", "dataverse.harvard.edu",
        ]
    ),
    ArtifactKind.VIDEO: frozenset(["youtube.com", "youtu.be", "vimeo.com", "bilibili.com", "b23.tv"]),
    ArtifactKind.PAPER: frozenset(
        [
            "arxiv.org", "openreview.net", "aclanthology.org", "aclweb.org", "proceedings.neurips.cc",
            "papers.nips.cc", "openaccess.thecvf.com", "proceedings.mlr.press", "dl.acm.org", "ieeexplore.ieee.org",
            "link.springer.com", "biorxiv.org", "medrxiv.org", "semanticscholar.org",
        ]
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
GENERIC_TLDS = frozenset(["com", "org", "net", "io", "ai", "dev", "app", "edu", "gov", "info", "tech", "science"])


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


# --- Repairing text ---------------------------------------------------------

_LATEX_ESCAPE = re.compile(r"\\([_%#&~])")
# PDF extraction leaves soft hyphens and zero-width marks inside URLs and turns
# their hyphens into typographic ones.
_PDF_MARKS = {
    **dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff")),
    ord("\u2010"): "-",
    ord("\u2011"): "-",
}
_TRAILING = ".,;:!?'\"*"
_CLOSERS = {")": "(", "]": "["}


def trim(text: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets from the end."""
    while text:
        last = text[-1]
        if last in _TRAILING or (last in _CLOSERS and text.count(last) > text.count(_CLOSERS[last])):
            text = text[:-1]
        else:
            break
    return text


def repair(text: str) -> str:
    """The URL a candidate string stands for: joins removed, escapes and trailing text dropped."""
    url = "".join(text.split()).translate(_PDF_MARKS)
    return trim(_LATEX_ESCAPE.sub(r"\1", url))


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


def repo_of(target: Target, git_hosts: frozenset[str] = frozenset()) -> RepoRef | None:
    """The repository a parsed URL names, or None; `git_hosts` are the hosts the user allows."""
    found = _repo_or_reason(target, git_hosts)
    return found if isinstance(found, RepoRef) else None


def _repo_or_reason(target: Target, git_hosts: frozenset[str], *, any_host: bool = False) -> RepoRef | str:
    """The repository a parsed URL names, or why it names none (a phrase for a person)."""
    host = target.bare_host
    if not target.ascii_written:
        return f"its host is written with non-ASCII letters ({target.host}), so it is no known git host"
    parser = _REPO_HOSTS.get(host)
    if parser is None and host.startswith("gitlab."):
        parser = _gitlab(host)
    if parser is None and (host in git_hosts or target.host in git_hosts or any_host
                           or _named_like_a_git_server(host)):
        parser = _self_hosted(host)
    if parser is None:
        if not any(_has_git_suffix(segment) for segment in target.segments) or known_host(host):
            return f"{host} is not a known git host; add it to REPRO_TRACKER_GIT_HOSTS to check repositories there"
        parser = _self_hosted(host)
    found = parser(target.segments)
    if found is None:
        return f"it names an owner alone or a page of {host}, not a repository (expected {host}/owner/name)"
    return found


class NotARepository(ValueError):
    """A string that names no repository; the message says why, for the person who wrote it."""


# Schemes git fetches over, whose repository has the same path over HTTPS.
_GIT_SCHEMES = frozenset({"ssh", "git", "git+ssh", "ssh+git"})
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")
# scp-like syntax: ``git@github.com:owner/name.git``.
_SCP_LIKE = re.compile(r"[\w.+-]+@(?P<host>[A-Za-z0-9.-]+):(?!//)/?(?P<path>.*)")


def _web_form(text: str) -> str:
    """`text` as an ``https://`` URL (or without scheme); NotARepository for a scheme git does not fetch over."""
    scp = _SCP_LIKE.fullmatch(text)
    if scp and "://" not in text:
        return f"https://{scp['host']}/{scp['path']}"
    scheme, separator, rest = text.partition("://")
    if not separator or not _SCHEME.fullmatch(scheme):
        return text
    scheme = scheme.lower()
    if scheme in ("http", "https"):
        return text
    if scheme in ("git+https", "git+http"):  # pip's form; ``@ref`` after the name picks a revision
        head, slash, last = rest.rpartition("/")
        return f"https://{head}{slash}{last.split('@', 1)[0]}"
    if scheme in _GIT_SCHEMES:
        authority, _, path = rest.partition("/")
        host, _, port = authority.rpartition("@")[2].partition(":")
        if port and not port.isdigit():  # ``ssh://git@host:owner/name``: scp syntax behind a scheme
            path = f"{port}/{path}"
        return f"https://{host}/{path}"
    raise NotARepository(
        f"not a repository: {text!r}: {scheme}:// is not a way to fetch one "
        "(use https://, ssh://, git:// or git@host:owner/name)"
    )


def canonical_repo(text: str, *, git_hosts: frozenset[str] = frozenset(), any_host: bool = False) -> RepoRef:
    """The repository one string names, in canonical form; NotARepository with the reason otherwise.

    The one parser of a repository given alone (``check --repo``, a ``repo``
    field, a host's redirect); link extraction resolves the URLs it finds in
    running text through the same rules (`repo_of`). Accepted: any case of
    scheme and host, ``www.``, ``.git``, pages under a repository
    (``/tree/..``, ``/blob/..``, ``/issues``, ``/wiki``, ...), query and
    fragment, trailing punctuation, ``git@host:owner/name``, ``ssh://``,
    ``git://`` and ``git+https://``. `git_hosts` are the hosts the user allows
    besides the known ones. `any_host` reads any host as a git server, for
    naming a repository already stored (whose host was accepted then), never
    for one about to be fetched.
    """
    written = text.strip()
    cleaned = trim(repair(written).strip("<>"))
    if not cleaned:
        raise NotARepository(f"not a repository: {text!r} is empty (expected host/owner/name)")
    target = parse_url(_web_form(cleaned))
    if target is None:
        raise NotARepository(f"not a repository: {written!r} has no host name (expected host/owner/name)")
    found = _repo_or_reason(target, git_hosts, any_host=any_host)
    if isinstance(found, str):
        raise NotARepository(f"not a repository: {written!r}: {found}")
    return found


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
