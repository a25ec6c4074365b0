"""The world the shared corpus links to, built locally: one repository for each link.

Acceptance tests run the real program (the CLI, unchanged) against the shared
corpus. Every repository the corpus links gets a repository of our own making:
on the GitHub stand-in (for github.com links) and as a real git repository
reached through ``url.<base>.insteadOf`` (github.com and Hugging Face alike).
Hugging Face models, datasets and spaces are asked of a Hub stand-in at
``HF_ENDPOINT`` instead, answering in the Hub's JSON (their git remotes stay
built, and no check may clone them). Their content varies on purpose, so that every status and score has a case:
complete ML repositories, bare ones, one without a license, one archived, one
stale, one empty.

Building ~25 git repositories costs a few seconds, so `build_world_template`
runs once per session; each test gets a copy it may change (`CorpusWorld`'s
`delete`, `rename`, `archive`, `change_license`), because a test that changes
the world must not change it for the next one.

Use it as::

    def test_x(corpus_world: CorpusWorld) -> None:  # fixture in the test module
        ...
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from gitrepos import (
    CommitSpec,
    LocalRepo,
    add_commit,
    empty_repo,
    license_text,
    minimal_repo,
    ml_repo,
    route_git,
)
from standin_github import StandinGitHub
from standin_http import ScriptedService, scripted_service

from tracker.ingest import read_papers
from tracker.links import find_code_links
from tracker.records import RepoKind, RepoRef

# Repositories whose content is a case of its own; every other one is a complete
# ML repository, MIT or Apache-2.0 in turn.
BARE = ("github.com/sir-lab/data-release", "github.com/weiber2002/ICRTL", "huggingface.co/suwesh/ParallelPerceptionNetwork")
UNLICENSED = "github.com/jianglanwei/HD3C"
ARCHIVED = "github.com/Tencent/PatrickStar"
STALE = "github.com/aheuillet/D-DARTS"
EMPTY = "github.com/OswaldHe/InTAR"

STALE_DATE = datetime(2019, 6, 1, 12, 0, tzinfo=UTC)
RECENT_PUSH = "2026-10-01T10:00:00Z"


def corpus_repositories(corpus: Path) -> list[RepoRef]:
    """Every repository the corpus links, one per identity, in order of first mention."""
    seen: dict[str, RepoRef] = {}
    for paper in read_papers(corpus):
        for ref in find_code_links(paper).repos:
            seen.setdefault(ref.key, ref)
    return list(seen.values())


@dataclass(frozen=True, slots=True)
class Recipe:
    """What one repository holds, as the API reports it and as git serves it."""

    kind: str  # ml, bare, unlicensed, archived, stale, empty
    license: str | None


def recipe_for(ref: RepoRef, index: int) -> Recipe:
    canonical = ref.canonical
    if canonical in BARE:
        return Recipe("bare", None)
    if canonical == UNLICENSED:
        return Recipe("unlicensed", None)
    if canonical == ARCHIVED:
        return Recipe("archived", "Apache-2.0")
    if canonical == STALE:
        return Recipe("stale", "MIT")
    if canonical == EMPTY:
        return Recipe("empty", None)
    return Recipe("ml", "MIT" if index % 3 else "Apache-2.0")


def _build_git(root: Path, ref: RepoRef, recipe: Recipe) -> None:
    canonical = ref.canonical
    if recipe.kind == "empty":
        empty_repo(root, canonical)
    elif recipe.kind == "bare":
        minimal_repo(root, canonical)
    elif recipe.kind == "stale":
        ml_repo(root, canonical, license="MIT", commits=[CommitSpec(when=STALE_DATE, message="initial")])
    else:
        # Recent commits, so that an ML repository reads as alive in 2026.
        ml_repo(root, canonical, license=recipe.license,
                commits=[CommitSpec(when=datetime(2026, 10, 1, tzinfo=UTC), message="initial")])


def build_world_template(corpus: Path, root: Path) -> dict[str, Recipe]:
    """Build the git side of the world under `root`; return each repository's recipe by canonical name."""
    recipes: dict[str, Recipe] = {}
    for index, ref in enumerate(corpus_repositories(corpus)):
        recipe = recipe_for(ref, index)
        _build_git(root, ref, recipe)
        recipes[ref.canonical] = recipe
    return recipes


_HUB_PATH = {RepoKind.MODEL: "models", RepoKind.DATASET: "datasets", RepoKind.SPACE: "spaces"}


def _add_to_hub(hub: ScriptedService, ref: RepoRef, recipe: Recipe) -> None:
    """The Hub's answer to `GET /api/{models,datasets,spaces}/{owner}/{name}` for a public repository."""
    repo_id = ref.full_name
    license_tag = (recipe.license or "").lower() or None
    body = {
        "_id": f"{abs(hash(repo_id)) % 16**24:024x}", "id": repo_id, "author": ref.owner,
        "sha": "0123456789abcdef0123456789abcdef01234567", "lastModified": "2026-10-01T10:00:00.000Z",
        "createdAt": "2025-01-01T00:00:00.000Z", "private": False, "disabled": False, "gated": False,
        "downloads": 42, "likes": 1, "tags": [f"license:{license_tag}"] if license_tag else [],
        "cardData": {"license": license_tag} if license_tag else {}, "siblings": [{"rfilename": "README.md"}],
    }
    if ref.kind is RepoKind.MODEL:
        body["modelId"] = repo_id
    hub.answer(f"/api/{_HUB_PATH[ref.kind]}/{repo_id}", 200, json.dumps(body), Content_Type="application/json")


def _standin_fields(recipe: Recipe) -> dict[str, object]:
    if recipe.kind == "stale":
        return {"license": "MIT", "pushed_at": "2019-06-01T12:00:00Z", "updated_at": "2019-06-01T12:00:00Z"}
    if recipe.kind == "empty":
        return {"license": None, "empty": True}
    return {"license": recipe.license, "archived": recipe.kind == "archived",
            "pushed_at": RECENT_PUSH, "updated_at": RECENT_PUSH}


@dataclass
class CorpusWorld:
    """A private copy of the world: the stand-in's repositories and the git remotes under `root`."""

    root: Path
    standin: StandinGitHub
    recipes: dict[str, Recipe]
    changes: list[str] = field(default_factory=list)

    @property
    def canonicals(self) -> list[str]:
        return list(self.recipes)

    def with_kind(self, kind: str) -> list[str]:
        return [canonical for canonical, recipe in self.recipes.items() if recipe.kind == kind]

    def _git_path(self, canonical: str) -> Path:
        return self.root / RepoRef.parse(canonical).canonical

    def delete(self, canonical: str) -> None:
        """Gone at GitHub (404) and from git."""
        self.standin.delete(RepoRef.parse(canonical).full_name)
        shutil.rmtree(self._git_path(canonical))
        self.changes.append(f"deleted {canonical}")

    def rename(self, canonical: str, new_canonical: str) -> None:
        """GitHub redirects the old name; git serves only the new one."""
        old, new = RepoRef.parse(canonical), RepoRef.parse(new_canonical)
        self.standin.rename(old.full_name, new.full_name)
        target = self._git_path(new_canonical)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._git_path(canonical).rename(target)
        self.changes.append(f"renamed {canonical} to {new_canonical}")

    def archive(self, canonical: str) -> None:
        self.standin.update(RepoRef.parse(canonical).full_name, archived=True)
        self.changes.append(f"archived {canonical}")

    def change_license(self, canonical: str, spdx: str) -> None:
        """Both the API's detection and the LICENSE file in a new commit, pushed as GitHub records it."""
        ref = RepoRef.parse(canonical)
        pushed = datetime(2026, 11, 1, tzinfo=UTC)
        self.standin.update(ref.full_name, license=spdx)
        self.standin.push(ref.full_name, pushed.strftime("%Y-%m-%dT%H:%M:%SZ"))
        local = LocalRepo(path=self._git_path(canonical), ref=ref, commits=("HEAD",))
        add_commit(local, CommitSpec(when=pushed, message="relicense", changes={"LICENSE": license_text(spdx)}))
        self.changes.append(f"relicensed {canonical} to {spdx}")


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Recipe]]:
    from conftest import shared_corpus

    root = tmp_path_factory.mktemp("world-template")
    return root, build_world_template(shared_corpus(), root)


@pytest.fixture
def corpus_world(world_template: tuple[Path, dict[str, Recipe]], tmp_path: Path,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[CorpusWorld]:
    """A fresh copy of the world, with GitHub's API and git pointed at it through the environment."""
    template, recipes = world_template
    root = tmp_path / "remote"
    shutil.copytree(template, root, symlinks=True)
    # GraphQL is served too (from the same git remotes); the client uses it only with a token.
    with StandinGitHub(git_root=root) as standin, scripted_service() as hub:
        for canonical, recipe in recipes.items():
            ref = RepoRef.parse(canonical)
            if ref.host == "github.com":
                standin.add_repo(ref.full_name, description=f"Code for {ref.name}.", stars=10 + len(ref.name),
                                 **_standin_fields(recipe))
            elif ref.kind is not RepoKind.CODE:
                _add_to_hub(hub, ref, recipe)
        monkeypatch.setenv("GITHUB_API_URL", standin.api_url)
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        route_git(monkeypatch, tmp_path, root)
        yield CorpusWorld(root=root, standin=standin, recipes=dict(recipes))

