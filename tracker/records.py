"""Plain data records shared by every layer.

These are the shapes that cross layer boundaries: readers produce `Paper`,
`links` produces `RepoRef`/`Artifact`/`PaperLinks`, hosts produce `RepoFacts`,
checks produce `CheckResult`. They are frozen dataclasses with no I/O so that
extraction, checks, scoring and report building stay pure and testable without
network or database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Paper:
    """One paper as read from a source.

    `id` is the paper's identity across sources and runs: ``arxiv:<id>`` or
    ``doi:<doi>`` where known, otherwise ``title:<hash of the normalized title>``.

    `line` is the 1-based line of `source` where the paper's record begins, so
    that a problem found after reading (by link extraction) can name it as
    readers do; None when the paper did not come from a file. `abstract_line`
    is the abstract's own line where that is another one (a scraped page puts
    it under the title), so that a problem in the abstract names its line.
    Both say where this copy was read, not what the paper is, so they take no
    part in equality or hashing and are not stored.

    `repo_fields` are the repositories a source names in a field of its own
    (the ``repo`` of a JSONL record or CSV row), as written; link extraction
    reads them with `canonical_repo` like any other repository string, and
    stores the links it makes of them, not the field.
    """

    id: str
    title: str
    abstract: str
    source: str
    url: str | None = None
    published: date | None = None
    authors: tuple[str, ...] = ()
    # arXiv's comments field, where authors often write "Code: https://..."; None where the source has none.
    comments: str | None = None
    line: int | None = field(default=None, compare=False)
    abstract_line: int | None = field(default=None, compare=False)
    repo_fields: tuple[str, ...] = field(default=(), compare=False)

    @property
    def text_line(self) -> int | None:
        """The line a problem in the abstract's text is reported at."""
        return self.abstract_line or self.line


class RepoKind(enum.StrEnum):
    """What a repository holds; only Hugging Face distinguishes more than code."""

    CODE = "code"
    MODEL = "model"
    DATASET = "dataset"
    SPACE = "space"


# Hugging Face puts datasets and spaces under a path prefix; models have none.
_HF_PREFIX = {RepoKind.DATASET: "datasets/", RepoKind.SPACE: "spaces/"}


@dataclass(frozen=True, slots=True)
class RepoRef:
    """A repository on a code host, in canonical form.

    Canonical form is ``host/owner/name``: host lowercase, owner and name as the
    author wrote them. GitLab owners may hold subgroups (``gitlab.com/a/b/name``
    has owner ``a/b``); Hugging Face datasets and spaces carry their prefix
    (``huggingface.co/datasets/owner/name``). Identity (`key`) compares
    case-insensitively, as the hosts do.
    """

    host: str
    owner: str
    name: str
    kind: RepoKind = RepoKind.CODE

    @property
    def canonical(self) -> str:
        prefix = _HF_PREFIX.get(self.kind, "")
        return f"{self.host}/{prefix}{self.owner}/{self.name}"

    @property
    def key(self) -> str:
        return self.canonical.lower()

    @property
    def https_url(self) -> str:
        return f"https://{self.canonical}"

    @property
    def full_name(self) -> str:
        """``owner/name`` as the host's API spells it."""
        return f"{self.owner}/{self.name}"

    @classmethod
    def parse(cls, canonical: str) -> RepoRef:
        """Parse a canonical string (``github.com/owner/name``); scheme tolerated.

        For the canonical forms repro-tracker wrote itself (the store, flow
        parameters); what a person or a source wrote goes through
        `tracker.links.canonical_repo`, which reads every spelling and says why
        it refuses one. Raises ValueError with the offending text when it is
        not of that form.
        """
        text = canonical.strip()
        for scheme in ("https://", "http://"):
            if text.lower().startswith(scheme):
                text = text[len(scheme):]
        parts = [p for p in text.strip("/").split("/") if p]
        if len(parts) < 3:
            raise ValueError(f"not a repository (expected host/owner/name): {canonical!r}")
        host = parts[0].lower()
        kind = RepoKind.CODE
        rest = parts[1:]
        if host in ("huggingface.co", "hf.co"):
            host = "huggingface.co"
            kind = RepoKind.MODEL
            if rest[0] in ("datasets", "spaces") and len(rest) >= 3:
                kind = RepoKind.DATASET if rest[0] == "datasets" else RepoKind.SPACE
                rest = rest[1:]
        return cls(host=host, owner="/".join(rest[:-1]), name=rest[-1], kind=kind)

    def __str__(self) -> str:
        return self.canonical


class ArtifactKind(enum.StrEnum):
    PROJECT_PAGE = "project_page"
    SHORT_LINK = "short_link"
    DOI = "doi"
    ARCHIVE = "archive"  # zenodo, figshare, osf: deposited snapshots
    VIDEO = "video"
    PAPER = "paper"  # arxiv, openreview, ...
    WEBSITE = "website"


@dataclass(frozen=True, slots=True)
class Artifact:
    url: str
    kind: ArtifactKind


class Provenance(enum.StrEnum):
    """Where a link came from. The paper's authors' own word: `FROM_THE_PAPER`; the rest are aggregators'."""

    ABSTRACT = "abstract"  # the title or abstract
    ARXIV_COMMENTS = "arxiv_comments"  # arXiv's comments field
    PWC_MENTIONED_IN_PAPER = "pwc_mentioned_in_paper"  # Papers with Code says the paper itself names it
    HF_PAPER_PAGE = "hf_paper_page"  # the Hugging Face paper page's githubRepo / projectPage
    PWC_OFFICIAL = "pwc_official"  # Papers with Code: the authors' repository
    PWC_UNOFFICIAL = "pwc_unofficial"  # Papers with Code: someone else's implementation
    # Found after reading, with when (`link_provenance.found_at`):
    SHORT_LINK = "short_link"  # a short link the paper wrote leads to this repository
    FOUND_LATER = "found_later"  # found for a paper that promised code without a link (Hub page, code search)


# Provenances that are the paper's authors speaking; a link with none of them is an aggregator's alone.
FROM_THE_PAPER = frozenset({Provenance.ABSTRACT, Provenance.ARXIV_COMMENTS, Provenance.PWC_MENTIONED_IN_PAPER,
                            Provenance.SHORT_LINK})


@dataclass(frozen=True, slots=True)
class FoundLink:
    """One link as found for a paper: the raw text, what it resolved to, and where it was found.

    Exactly one of `repo` and `artifact` is set.
    """

    raw: str
    repo: RepoRef | None = None
    artifact: Artifact | None = None
    provenance: Provenance = Provenance.ABSTRACT


class PromiseKind(enum.StrEnum):
    """How a paper that links no repository speaks of its code. docs/ARCHITECTURE.md defines each."""

    PROMISED = "promised"  # will be released / made public / open-sourced (upon acceptance, soon)
    AVAILABLE_NO_LINK = "available_no_link"  # says it is available or open source; the address is not in the text
    ON_REQUEST = "on_request"  # from the authors on request: not public


@dataclass(frozen=True, slots=True)
class Promise:
    """A statement of availability and the sentence that made it, kept as evidence a reader can check."""

    kind: PromiseKind
    sentence: str


@dataclass(frozen=True, slots=True)
class PaperLinks:
    """A paper's links, and what extraction had to ignore in its text.

    `notes` are sentences for a person ("ignored a URL of 104,857 characters
    ..."); extraction stays pure and returns them, and the caller reports them
    where it reports other input problems, at the paper's file and line.
    `promise` is what the paper said of code it does not link, and the
    sentence that said it; `find_code_links` sets it exactly when it sets
    `code_promised` (None where nobody looked, as in papers built by hand).
    """

    paper: Paper
    links: tuple[FoundLink, ...]
    code_promised: bool
    notes: tuple[str, ...] = ()
    promise: Promise | None = None

    @property
    def repos(self) -> list[RepoRef]:
        """Repositories in order of first mention, one per identity."""
        seen: dict[str, RepoRef] = {}
        for link in self.links:
            if link.repo is not None:
                seen.setdefault(link.repo.key, link.repo)
        return list(seen.values())

    @property
    def artifacts(self) -> list[Artifact]:
        seen: dict[str, Artifact] = {}
        for link in self.links:
            if link.artifact is not None:
                seen.setdefault(link.artifact.url, link.artifact)
        return list(seen.values())


class Status(enum.StrEnum):
    """What a host said about a repository. docs/ARCHITECTURE.md defines each."""

    OK = "ok"
    MOVED = "moved"
    MISSING = "missing"
    BLOCKED = "blocked"
    ARCHIVED = "archived"
    DISABLED = "disabled"
    EMPTY = "empty"
    UNREACHABLE = "unreachable"
    NOT_CHECKED = "not_checked"


# Statuses that only an authoritative answer from the host may produce.
AUTHORITATIVE_GONE = frozenset({Status.MISSING, Status.BLOCKED, Status.DISABLED})
# Statuses that say nothing about the repository, only about our attempt.
INCONCLUSIVE = frozenset({Status.UNREACHABLE, Status.NOT_CHECKED})


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a host's API says about a live repository (GitHub's REST shape)."""

    stars: int | None = None
    forks: int | None = None
    open_issues: int | None = None
    description: str | None = None
    homepage: str | None = None
    default_branch: str | None = None
    created_at: datetime | None = None
    pushed_at: datetime | None = None
    fork_parent: str | None = None
    topics: tuple[str, ...] = ()
    language: str | None = None
    license_spdx: str | None = None  # the API's own detection (spdx_id)
    latest_release: str | None = None  # release or tag name
    latest_release_at: datetime | None = None
    size_kb: int | None = None  # the host's estimate of the repository's size; not stored


@dataclass(frozen=True, slots=True)
class Activity:
    """Activity read from the git history of the default branch."""

    head_commit: str | None = None
    last_commit_at: datetime | None = None
    first_commit_at: datetime | None = None  # known when the history is at most 100 commits long
    commits_90d: int = 0
    commits_365d: int = 0
    contributors: int = 0  # distinct author e-mails of the latest 100 commits, however they were read
    tags: int = 0  # every tag of the repository (refs/tags/*), however it was read


@dataclass(frozen=True, slots=True)
class LicenseFinding:
    """A license identified in one place of a repository."""

    spdx: str | None  # None: a license file exists but matched nothing known
    confidence: float  # 0..1; the matcher's score, lower for weaker sources
    source: str  # "api", "file" or "readme"
    path: str | None = None  # file path inside the repository
    # How the text was read: "text" (matched whole), "sections" (several licenses in one file),
    # "front matter" (its spdx-id), "declaration" (a sentence naming it), "badge"; None for the API.
    how: str | None = None
    closest: str | None = None  # the matcher's best guess when nothing matched confidently


@dataclass(frozen=True, slots=True)
class RepoFiles:
    """A repository's tree at HEAD: paths and the few file texts checks read.

    `texts` holds only the few files checks read, as `texts_to_read` in
    `tracker.hosts.git` chooses them (READMEs at the top and one folder down,
    license files, dependency and container specs, CITATION.cff,
    ``.gitmodules``, a few entry-point scripts), decoded with replacement, each
    capped in size. A path in `paths` but not in `texts` was not read.
    """

    paths: tuple[str, ...] = ()
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def readme_path(self) -> str | None:
        for path in self.paths:
            if "/" not in path and path.lower().startswith("readme"):
                return path
        return None


@dataclass(frozen=True, slots=True)
class RepoFacts:
    """Everything gathered about one repository in one check.

    `status` and `detail` come from the host; the rest is None/empty when it
    could not be gathered (then the checks that need it say "unknown").
    """

    ref: RepoRef
    status: Status
    detail: str  # one sentence a person reads: the evidence for `status`
    checked_at: datetime
    http_status: int | None = None
    moved_to: RepoRef | None = None
    metadata: Metadata | None = None
    activity: Activity | None = None
    files: RepoFiles | None = None
    licenses: tuple[LicenseFinding, ...] = ()


class Outcome(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's verdict, in the shape OpenSSF Scorecard uses.

    `score` is 0-10, None when the outcome is unknown. `reason` is one sentence
    a maintainer reads; `evidence` lists file paths, README lines or API facts.
    """

    name: str
    outcome: Outcome
    score: int | None
    reason: str
    evidence: tuple[str, ...] = ()
