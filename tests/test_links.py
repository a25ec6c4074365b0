"""Link extraction: each repair rule, each host's canonical form, promises, and bounded cost."""

from __future__ import annotations

import random
import string

import pytest

from tracker.links import (
    MAX_LINKS,
    MAX_URL_LENGTH,
    NotARepository,
    canonical_repo,
    code_promised,
    extract_links,
    find_code_links,
)
from tracker.records import Artifact, ArtifactKind, Paper, RepoKind, RepoRef


def repos(text: str) -> list[str]:
    """Distinct repositories in order; a markdown link names its repository twice."""
    return list(dict.fromkeys(link.repo.canonical for link in extract_links(text) if link.repo is not None))


def artifacts(text: str) -> list[tuple[str, ArtifactKind]]:
    return [(link.artifact.url, link.artifact.kind) for link in extract_links(text) if link.artifact is not None]


# --- Repairs ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Code: https://github.com/owner/repo.",
        "Code: https://github.com/owner/repo,",
        "(code at https://github.com/owner/repo)",
        "code at https://github.com/owner/repo .",
        "see https://github.com/owner/repo; more",
        "see https://github.com/owner/repo!",
        "see 'https://github.com/owner/repo'",
        'see "https://github.com/owner/repo"',
        "see https://github.com/ owner/repo.",
        "see https://github.com/owner/ repo.",
        "see https://github.com/owner/\nrepo",
        "see https://github.com/owner/repo{this url}.",
        "see \\url{https://github.com/owner/repo}.",
        "see \\href{https://github.com/owner/repo}{our code}.",
        "see https://github.com/owner/repo.git",
        "see https://github.com/owner/repo.git.",
        "see https://github.com/owner/repo/tree/main/src/model.py",
        "see https://github.com/owner/repo/blob/v1.0/README.md#install",
        "see https://github.com/owner/repo#readme",
        "see https://github.com/owner/repo?tab=readme-ov-file",
        "see https://www.github.com/owner/repo",
        "see http://github.com/owner/repo/",
        "see github.com/owner/repo.",
        "see www.github.com/owner/repo",
        "see <https://github.com/owner/repo>",
        "see [our code](https://github.com/owner/repo).",
        "see [github.com/owner/repo](https://github.com/owner/repo)",
        "see https://github.com/owner/repo/releases/tag/v2",
        "see https://raw.githubusercontent.com/owner/repo/main/setup.py",
        "see HTTPS://GitHub.com/owner/repo",
        "code：https://github.com/owner/repo。",
    ],
)
def test_repairs_reach_the_same_repository(text: str) -> None:
    assert repos(text) == ["github.com/owner/repo"]


def test_dots_that_belong_to_a_name_are_kept() -> None:
    assert repos("at https://github.com/arthurdouillard/incremental_learning.pytorch.") == [
        "github.com/arthurdouillard/incremental_learning.pytorch"
    ]
    assert repos("at hf.co/Org/Model-4B-A0.6B-Instruct and") == ["huggingface.co/Org/Model-4B-A0.6B-Instruct"]
    assert repos("site repo https://github.com/someone/someone.github.io.") == [
        "github.com/someone/someone.github.io"
    ]


def test_hyphen_before_a_line_break_is_part_of_the_url() -> None:
    # LaTeX's url package breaks at hyphens without adding one.
    assert repos("at https://github.com/sail-sg/zero-bubble-\npipeline-parallelism.") == [
        "github.com/sail-sg/zero-bubble-pipeline-parallelism"
    ]
    assert repos("at https://github.com/owner/long_\nname.") == ["github.com/owner/long_name"]


def test_complete_url_is_not_joined_with_the_next_word() -> None:
    assert repos("at https://github.com/owner/repo/\nThe results") == ["github.com/owner/repo"]
    assert artifacts("page https://example.org/ and more") == [("https://example.org/", ArtifactKind.WEBSITE)]
    assert artifacts("page https://example.org/\nNext line") == [("https://example.org/", ArtifactKind.WEBSITE)]


def test_latex_escapes_inside_urls_are_undone() -> None:
    assert repos(r"at https://github.com/owner/my\_repo.") == ["github.com/owner/my_repo"]


def test_pdf_extraction_marks_inside_urls_are_undone() -> None:
    assert repos("at https://github.com/owner/zero\u00adbubble\u200b and") == ["github.com/owner/zerobubble"]
    assert repos("at https://github.com/owner/zero\u2010bubble.") == ["github.com/owner/zero-bubble"]


def test_raw_is_the_text_as_written_without_trailing_punctuation() -> None:
    [link] = extract_links("Code and models are available at https://github.com/ altair199797/LowFormer.")
    assert link.raw == "https://github.com/ altair199797/LowFormer"
    assert link.repo == RepoRef("github.com", "altair199797", "LowFormer")


def test_balanced_parentheses_stay_in_a_url() -> None:
    assert artifacts("(see https://en.wikipedia.org/wiki/Rust_(language))") == [
        ("https://en.wikipedia.org/wiki/Rust_(language)", ArtifactKind.WEBSITE)
    ]


# --- Hosts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://gitlab.com/group/name", RepoRef("gitlab.com", "group", "name")),
        ("https://gitlab.com/group/sub/name/-/tree/main/src", RepoRef("gitlab.com", "group/sub", "name")),
        ("gitlab.com/a/b/c/d.git", RepoRef("gitlab.com", "a/b/c", "d")),
        ("https://gitlab.com/group/name/tree/master", RepoRef("gitlab.com", "group", "name")),
        ("https://gitlab.inria.fr/team/project/-/blob/main/x", RepoRef("gitlab.inria.fr", "team", "project")),
        ("https://bitbucket.org/owner/name/src/master/", RepoRef("bitbucket.org", "owner", "name")),
        ("https://codeberg.org/owner/name.git", RepoRef("codeberg.org", "owner", "name")),
        ("https://sourceforge.net/projects/mytool/files/latest", RepoRef("sourceforge.net", "projects", "mytool")),
        ("https://sourceforge.net/p/mytool/code/ci/master/tree/", RepoRef("sourceforge.net", "projects", "mytool")),
        ("https://huggingface.co/owner/model", RepoRef("huggingface.co", "owner", "model", RepoKind.MODEL)),
        ("hf.co/owner/model/tree/main", RepoRef("huggingface.co", "owner", "model", RepoKind.MODEL)),
        ("https://huggingface.co/owner/model/resolve/main/w.bin", RepoRef("huggingface.co", "owner", "model", RepoKind.MODEL)),
        ("https://huggingface.co/datasets/owner/data", RepoRef("huggingface.co", "owner", "data", RepoKind.DATASET)),
        ("hf.co/datasets/owner/data/viewer", RepoRef("huggingface.co", "owner", "data", RepoKind.DATASET)),
        ("https://huggingface.co/spaces/owner/demo", RepoRef("huggingface.co", "owner", "demo", RepoKind.SPACE)),
    ],
)
def test_code_hosts_canonical_form(url: str, expected: RepoRef) -> None:
    assert canonical_repo(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/owner",
        "https://github.com/orgs/acme/repositories",
        "https://github.com/topics/deep-learning",
        "https://github.com/features/actions",
        "https://github.com/marketplace/actions/x",
        "https://github.com/sponsors/someone",
        "https://gist.github.com/owner/0123abcd",
        "https://owner.github.io/project",
        "https://huggingface.co/owner",
        "https://huggingface.co/papers/2401.00001",
        "https://huggingface.co/datasets/owner",
        "https://gitlab.com/group",
        "https://gitlab.com/explore/projects",
        "https://example.com/owner/repo",
        "https://gіthub.com/owner/repo",  # Cyrillic і
        "not a url at all",
    ],
)
def test_not_a_repository(url: str) -> None:
    with pytest.raises(NotARepository, match="not a repository"):
        canonical_repo(url)


def test_owner_and_host_pages_are_websites_and_host_roots_are_dropped() -> None:
    assert artifacts("org https://github.com/acme and https://github.com/topics/nlp and github.com.") == [
        ("https://github.com/acme", ArtifactKind.WEBSITE),
        ("https://github.com/topics/nlp", ArtifactKind.WEBSITE),
    ]
    assert extract_links("papers from arxiv.org and models from https://huggingface.co/") == []


def test_look_alike_hosts_are_only_websites() -> None:
    found = extract_links("code: https://gіthub.com/owner/repo and gіthub.com/owner/other")
    assert [link.repo for link in found] == [None, None]
    assert [link.artifact for link in found] == [
        Artifact("https://xn--gthub-n2e.com/owner/repo", ArtifactKind.WEBSITE),
        Artifact("https://xn--gthub-n2e.com/owner/other", ArtifactKind.WEBSITE),
    ]
    # Fullwidth letters are a disguise too, even though IDNA maps them to ASCII.
    assert repos("https://ｇｉｔｈｕｂ.com/owner/repo") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://rand-ar.github.io/.", ("https://rand-ar.github.io/", ArtifactKind.PROJECT_PAGE)),
        ("Project page: https://example.org/proj.", ("https://example.org/proj", ArtifactKind.PROJECT_PAGE)),
        ("Project website: https://sk-fun.fun/PVD-AL.", ("https://sk-fun.fun/PVD-AL", ArtifactKind.PROJECT_PAGE)),
        ("https://tool.readthedocs.io/en/latest/", ("https://tool.readthedocs.io/en/latest", ArtifactKind.PROJECT_PAGE)),
        ("see https://bit.ly/ArchGym.", ("https://bit.ly/ArchGym", ArtifactKind.SHORT_LINK)),
        ("see https://tinyurl.com/abc123", ("https://tinyurl.com/abc123", ArtifactKind.SHORT_LINK)),
        ("see https://git.io/JvXyZ", ("https://git.io/JvXyZ", ArtifactKind.SHORT_LINK)),
        ("video https://youtu.be/ByhQjQSjxVM", ("https://youtu.be/ByhQjQSjxVM", ArtifactKind.VIDEO)),
        ("video https://www.youtube.com/watch?v=abc#t=1", ("https://www.youtube.com/watch?v=abc", ArtifactKind.VIDEO)),
        ("data https://zenodo.org/records/123.", ("https://zenodo.org/records/123", ArtifactKind.ARCHIVE)),
        ("data https://figshare.com/s/abc", ("https://figshare.com/s/abc", ArtifactKind.ARCHIVE)),
        ("data https://osf.io/xyz12/", ("https://osf.io/xyz12", ArtifactKind.ARCHIVE)),
        ("https://doi.org/10.5281/zenodo.123.", ("https://doi.org/10.5281/zenodo.123", ArtifactKind.DOI)),
        ("https://dx.doi.org/10.1000/xyz", ("https://doi.org/10.1000/xyz", ArtifactKind.DOI)),
        ("(doi:10.5281/zenodo.42)", ("https://doi.org/10.5281/zenodo.42", ArtifactKind.DOI)),
        ("DOI: 10.1145/3297858.3304072.", ("https://doi.org/10.1145/3297858.3304072", ArtifactKind.DOI)),
        ("arxiv.org/abs/2401.00001v2", ("https://arxiv.org/abs/2401.00001v2", ArtifactKind.PAPER)),
        ("https://openreview.net/forum?id=abc", ("https://openreview.net/forum?id=abc", ArtifactKind.PAPER)),
        ("https://huggingface.co/papers/2401.00001", ("https://huggingface.co/papers/2401.00001", ArtifactKind.PAPER)),
        ("API at asterlab.ai.", ("https://asterlab.ai/", ArtifactKind.WEBSITE)),
        ("at www.Example.com/tool", ("https://www.example.com/tool", ArtifactKind.WEBSITE)),
    ],
)
def test_artifact_kinds(text: str, expected: tuple[str, ArtifactKind]) -> None:
    assert artifacts(text) == [expected]


def test_words_with_dots_are_not_hosts() -> None:
    text = (
        "We use CUDA.jl and Node.js, edit README.md and train.py, e.g. on v1.0; "
        "prior architectures.In this work, write to user@github.com, 3.5x faster, 0.61%."
    )
    assert extract_links(text) == []


# --- Properties -----------------------------------------------------------------


def _random_refs(count: int) -> list[RepoRef]:
    rng = random.Random(20240601)
    name_chars = string.ascii_letters + string.digits + "-_."
    owner_chars = string.ascii_letters + string.digits + "-"
    refs = []
    for _ in range(count):
        owner = rng.choice(string.ascii_letters) + "".join(rng.choices(owner_chars, k=rng.randint(0, 12)))
        name = rng.choice(string.ascii_letters) + "".join(rng.choices(name_chars, k=rng.randint(0, 20)))
        name = name.rstrip(".")  # a trailing dot is sentence punctuation, never part of a name
        if name.lower().endswith(".git"):
            name += "x"
        host, kind = rng.choice(
            [("github.com", RepoKind.CODE), ("bitbucket.org", RepoKind.CODE), ("codeberg.org", RepoKind.CODE),
             ("gitlab.com", RepoKind.CODE), ("huggingface.co", RepoKind.MODEL),
             ("huggingface.co", RepoKind.DATASET), ("huggingface.co", RepoKind.SPACE)]
        )
        if host == "gitlab.com" and rng.random() < 0.5:
            owner += "/sub-" + owner.lower()
        refs.append(RepoRef(host, owner, name, kind))
    refs.append(RepoRef("sourceforge.net", "projects", "mytool"))
    return refs


def test_canonical_repo_of_https_url_is_the_ref_itself() -> None:
    for ref in _random_refs(500):
        assert canonical_repo(ref.https_url) == ref, ref
        assert repos(f"Code: {ref.https_url}.") == [ref.canonical], ref


def test_identity_ignores_case_and_dedupes_in_order() -> None:
    paper = Paper(
        id="t:1",
        title="A title with code at github.com/Owner/Repo",
        abstract="See https://github.com/owner/repo.git and https://youtu.be/x and https://youtu.be/x again, "
        "then hf.co/Org/Model.",
        source="test",
    )
    links = find_code_links(paper)
    assert [repo.canonical for repo in links.repos] == ["github.com/Owner/Repo", "huggingface.co/Org/Model"]
    assert [link.raw for link in links.links] == ["github.com/Owner/Repo", "https://youtu.be/x", "hf.co/Org/Model"]
    assert links.code_promised is False


# --- Promises -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Code will be made available.",
        "All the codes will be made available soon.",
        "The code and models will be publicly available.",
        "We will release our code and pretrained weights.",
        "We will make the code and data publicly available upon acceptance.",
        "The implementation, to be open sourced, scales well.",
        "Source code will be open-sourced.",
        "Code is available upon request.",
        "The dataset is available on reasonable request from the authors.",
        "Code: coming soon.",
        "Our benchmark is planned to be released next year.",
        "We plan to release the toolkit.",
        "Models will soon be released.",
        "Our weights will be publicly shared.",
        "We intend to share the dataset with the community.",
        # said to be there, with no address: as unkept for a reader as a promise
        "Our code is publicly available.",
        "We make our code available under a permissive MIT license.",
        "We release Kubric and all of the generation code.",
    ],
)
def test_promises_are_recognised(text: str) -> None:
    assert code_promised(text)


@pytest.mark.parametrize(
    "text",
    [
        "Comparing publicly available code with our implementation shows speedups.",
        "Prior methods lack publicly available code altogether.",
        "The model will be further improved upon in forthcoming papers.",
        "The code will not be released.",
        "Results will be published in a follow-up. The code is in the appendix.",
        "Weights will be shared across all layers.",
        "The two branches will share weights.",
        "Input data will be provided to the model by the sensors.",
        "Code will be released at https://github.com/owner/repo.",
    ],
)
def test_not_promises(text: str) -> None:
    assert not code_promised(text)


def test_promise_with_only_an_artifact_link_still_counts() -> None:
    paper = Paper(id="t:2", title="T", abstract="Project page: https://x.github.io/p. Code will be released.", source="t")
    assert find_code_links(paper).code_promised is True


# --- Bounds ---------------------------------------------------------------------


ADVERSARIAL = {
    "a 100 kB url": "https://github.com/o/r/" + "a" * 100_000,
    "dotted words": "a." * 50_000,
    "hyphen breaks": "https://github.com/o/x-\n" + "x-\n" * 30_000,
    "space joins": "github.com/ " + "/ " * 50_000,
    "schemes": "https://" * 12_000,
    "parentheses": "https://a.com/" + "(" * 50_000 + ")" * 50_000,
    "trailing dots": "https://a.com/x" + "." * 100_000,
    "promise words": "will be made " * 8_000 + "code",
    "availability claims": "our code is available at " * 4_000,
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("name", ADVERSARIAL)
def test_adversarial_text_finishes(name: str) -> None:
    # ~100 kB: linear work takes milliseconds, backtracking minutes; the timeout, not a clock, tells them apart.
    text = ADVERSARIAL[name]
    assert len(extract_links(text)) <= 1000  # the per-paper cap holds on hostile text too
    code_promised(text)


def test_overlong_url_is_dropped_and_noted() -> None:
    paper = Paper(id="t:long", title="Long",
                  abstract="Code: https://github.com/o/r/" + "a" * 100_000 + " and https://github.com/o/s.", source="t")
    links = find_code_links(paper)
    assert [repo.canonical for repo in links.repos] == ["github.com/o/s"]
    assert links.notes == (
        f"ignored a URL of 100,023 characters starting 'https://github.com/o/r/{'a' * 17}'... "
        f"(the limit is {MAX_URL_LENGTH:,})",
    )


def test_overlong_url_note_cannot_act_on_a_terminal() -> None:
    paper = Paper(id="t:esc", title="Esc", abstract="https://a.com/\x1b\u202e" + "a" * 3_000, source="t")
    (note,) = find_code_links(paper).notes
    assert "\x1b" not in note and "\u202e" not in note
    assert "'https://a.com/\\x1b\\u202eaaa" in note


def test_link_count_is_capped_and_truncation_noted() -> None:
    text = " ".join(f"https://github.com/o/r{i}" for i in range(10_000))
    paper = Paper(id="t:many", title="Many", abstract=text, source="t")
    links = find_code_links(paper)
    assert len(links.links) == MAX_LINKS
    assert links.repos[-1].name == f"r{MAX_LINKS - 1}"
    assert links.notes == (f"kept the first {MAX_LINKS:,} links; {10_000 - MAX_LINKS:,} more were ignored",)


def test_text_at_the_limits_has_no_notes() -> None:
    longest = "https://a.com/" + "a" * (MAX_URL_LENGTH - len("https://a.com/"))
    text = " ".join([*(f"https://github.com/o/r{i}" for i in range(MAX_LINKS - 1)), longest])
    links = find_code_links(Paper(id="t:edge", title="Edge", abstract=text, source="t"))
    assert len(links.links) == MAX_LINKS
    assert links.links[-1].raw == longest
    assert links.notes == ()
