"""Licenses as files really are: several in one file, front matter, README declarations, vendored copies.

The license texts are real ones: the LICENSE files that installed packages
ship in their metadata (rich: MIT, tenacity: Apache-2.0, Jinja2: BSD-3-Clause,
PyGithub: GPL-3.0 with the LGPL-3.0's COPYING.LESSER, pathspec: MPL-2.0) and the
CC-BY-4.0 legal code license-expression ships in its data.
Multi-license files, front matter and comment-prefixed preambles are built
from them here, at test time; the README sentences are our own writing.
"""

from __future__ import annotations

import importlib.metadata
from datetime import UTC, datetime
from pathlib import Path

import license_expression
import pytest

from tracker.checks import license as license_check
from tracker.hosts.git import is_relevant
from tracker.hosts.license_text import (
    badge_licenses,
    declared_licenses,
    front_matter,
    is_license_file,
    license_findings,
    license_of,
    readme_license,
)
from tracker.records import (
    LicenseFinding,
    Outcome,
    RepoFacts,
    RepoFiles,
    RepoRef,
    Status,
)
from tracker.report.licenses import LicenseGroup, license_group
from tracker.spdx import combine, normalise, repository_license, same, within

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def shipped(distribution: str, name: str) -> str:
    """The text of a license file an installed distribution ships (its path ends with `name`)."""
    try:
        files = importlib.metadata.distribution(distribution).files or []
    except importlib.metadata.PackageNotFoundError:
        pytest.skip(f"{distribution} is not installed")
    for file in files:
        if ".dist-info/" in str(file) and str(file).endswith(f"/{name}"):
            return file.read_text(encoding="utf-8")
    pytest.skip(f"{distribution} ships no {name}")


def license_expression_data(name: str) -> str:
    """A license text license-expression ships in its package data (ScanCode's copy of the SPDX text)."""
    path = Path(license_expression.__file__).parent / "data" / name
    if not path.is_file():
        pytest.skip(f"license-expression ships no {name}")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {
        "MIT": shipped("rich", "LICENSE"),
        "Apache-2.0": shipped("tenacity", "LICENSE"),
        "BSD-3-Clause": shipped("Jinja2", "LICENSE.txt"),
        "GPL-3.0": shipped("PyGithub", "COPYING"),
        "LGPL-3.0": shipped("PyGithub", "COPYING.LESSER"),
        "MPL-2.0": shipped("pathspec", "LICENSE"),
        "CC-BY-4.0": license_expression_data("cc-by-4.0.LICENSE"),
    }


def commented(text: str) -> str:
    """A license as a source file's header writes it: every line behind ``# ``."""
    return "\n".join(f"# {line}" if line else "#" for line in text.splitlines())


def megatron_like(texts: dict[str, str]) -> str:
    """The shape of Megatron-LM's LICENSE: the repository's own BSD-3-Clause preamble, then vendored code's."""
    return (
        "The following applies to all files unless otherwise noted:\n\n"
        f"{commented(texts['BSD-3-Clause'])}\n\n--\n\n"
        "This repository also contains code from several other projects. Files from these projects have\n"
        "notices at the top of each file. Below are the licenses used in those files, as indicated.\n\n"
        f"{'-' * 70}\n-- LICENSE FROM the vision toolkit {'-' * 30}\n\n{texts['Apache-2.0']}\n\n"
        f"------------- LICENSE FOR various code from the tokenizer project --------------\n\n{texts['MIT']}"
    )


# --- one text ------------------------------------------------------------------

@pytest.mark.parametrize("spdx_id", ["MIT", "Apache-2.0", "BSD-3-Clause", "GPL-3.0", "MPL-2.0", "CC-BY-4.0"])
def test_single_real_license_is_named(texts: dict[str, str], spdx_id: str) -> None:
    match = license_of(texts[spdx_id])

    assert same(match.spdx, spdx_id)
    assert match.confidence >= 0.8
    assert match.how == "text"


def test_apache_without_its_appendix_is_apache_not_pixar(texts: dict[str, str]) -> None:
    body = texts["Apache-2.0"].split("APPENDIX")[0]

    assert license_of(body).spdx == "Apache-2.0"


def test_several_licenses_in_one_file_give_all_the_repositorys_own_first(texts: dict[str, str]) -> None:
    match = license_of(megatron_like(texts))

    assert match.spdx == "BSD-3-Clause AND Apache-2.0 AND MIT"
    assert match.how == "sections"


@pytest.mark.parametrize("joint", ["\n\n", "\n\n----------\n\n", "\n\n=====================\n\n"])
def test_licenses_pasted_one_after_another_are_all_found(texts: dict[str, str], joint: str) -> None:
    assert license_of(texts["MIT"] + joint + texts["Apache-2.0"]).spdx == "MIT AND Apache-2.0"
    assert license_of(texts["Apache-2.0"] + joint + texts["BSD-3-Clause"]).spdx == "Apache-2.0 AND BSD-3-Clause"


def test_a_license_under_markdown_headings_is_one_license(texts: dict[str, str]) -> None:
    text = "# MIT License\n\n" + texts["MIT"]

    assert license_of(text).spdx == "MIT"


def test_front_matter_spdx_id_is_read(texts: dict[str, str]) -> None:
    text = ("---\ntitle: MIT License\nspdx-id: MIT\nfeatured: true\nhidden: false\n\n"
            "description: A short and simple permissive license.\n\nusing:\n  jQuery: https://example.org\n"
            "---\n\n" + texts["MIT"].replace("2020 Will McGugan", "[year] [fullname]"))

    match = license_of(text)

    assert (match.spdx, match.how) == ("MIT", "front matter")
    assert front_matter(text)[1].lstrip().startswith("Copyright")


def test_front_matter_id_is_normalised(texts: dict[str, str]) -> None:
    text = "---\ntitle: GNU General Public License v3.0\nspdx-id: gpl-3.0\n---\n\n" + texts["GPL-3.0"]

    assert license_of(text).spdx == "GPL-3.0-only"


def test_text_that_matches_nothing_is_no_assertion_with_the_closest_guess() -> None:
    text = ("All rights reserved. No part of this software may be copied, modified or distributed "
            "without the written permission of the authors. " * 5)

    match = license_of(text)

    assert match.spdx is None
    assert match.confidence < 0.8 and match.closest is not None


# --- a repository's files ---------------------------------------------------------

def test_license_mit_beside_license_apache_is_a_dual_license(texts: dict[str, str]) -> None:
    findings = license_findings({"LICENSE-APACHE": texts["Apache-2.0"], "LICENSE-MIT": texts["MIT"]})

    expression, confidence, paths = repository_license(findings)

    assert expression == "MIT OR Apache-2.0"
    assert confidence is not None and confidence >= 0.8
    assert sorted(paths) == ["LICENSE-APACHE", "LICENSE-MIT"]


def test_copying_with_copying_lesser_is_the_lgpl(texts: dict[str, str]) -> None:
    findings = license_findings({"COPYING": texts["GPL-3.0"], "COPYING.LESSER": texts["LGPL-3.0"]})

    assert repository_license(findings)[0] == "LGPL-3.0-only"


def test_a_third_party_notice_beside_the_license_is_not_the_repositorys(texts: dict[str, str]) -> None:
    findings = license_findings({"LICENSE": texts["MIT"], "LICENSE-THIRD-PARTY": texts["Apache-2.0"]})

    assert repository_license(findings)[0] == "MIT"
    assert [f.path for f in findings] == ["LICENSE", "LICENSE-THIRD-PARTY"]  # still shown as evidence


@pytest.mark.parametrize("path", ["LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "COPYING", "UNLICENSE",
                                  "LICENSE-MIT", "LICENSE-APACHE", "COPYING.LESSER"])
def test_root_license_files_are_read_both_ways(path: str) -> None:
    assert is_license_file(path)
    assert is_relevant(path)  # texts_to_read picks it for the git way and the API way alike


@pytest.mark.parametrize("path", ["third_party/lib/LICENSE", "vendor/x/LICENSE", "ext/pybind11/LICENSE",
                                  "external/eigen/COPYING", "node_modules/left-pad/LICENSE",
                                  "submodules/apex/LICENSE", "docs/LICENSE", "licenses.json"])
def test_license_files_below_the_root_are_not_the_repositorys(path: str) -> None:
    assert not is_license_file(path)
    assert not is_relevant(path)


def test_a_script_named_license_is_no_license_file() -> None:
    # Read all the same, as a top-level script the checklist items may need; never as the repository's license.
    assert not is_license_file("license.py")


# --- what a README declares ----------------------------------------------------------

@pytest.mark.parametrize(("sentence", "expected"), [
    ("This project is licensed under the MIT License - see the LICENSE file for details.", "MIT"),
    ("Licensed under the Apache License, Version 2.0.", "Apache-2.0"),
    ("Released under GPLv3.", "GPL-3.0-only"),
    ("Distributed under the GNU GPL v3 or later.", "GPL-3.0-or-later"),
    ("The code is under the BSD 3-Clause license.", "BSD-3-Clause"),
    ("Available under CC BY-NC-SA 4.0.", "CC-BY-NC-SA-4.0"),
    ("Creative Commons Attribution-NonCommercial 4.0 International License", "CC-BY-NC-4.0"),
    ("Licensed under either of Apache License, Version 2.0 or MIT license at your option.",
     "Apache-2.0 OR MIT"),
    ("SPDX: Apache-2.0", "Apache-2.0"),
    ("We use the LGPL-2.1.", "LGPL-2.1-only"),
    ("See the LICENSE file.", None),
    ("Contact us for licensing.", None),
])
def test_license_names_in_a_sentence(sentence: str, expected: str | None) -> None:
    assert declared_licenses(sentence) == expected


def test_readme_license_section_declaration_is_a_weaker_finding() -> None:
    readme = ("# Seeing\n\nCode for our paper.\n\n## License\n\n"
              "This project is licensed under the MIT License.\n\n## Citation\n\n@article{x}\n")

    said = readme_license(readme)

    assert said is not None
    assert (said.spdx, said.how) == ("MIT", "declaration")
    assert said.confidence < 0.8


def test_readme_section_about_code_and_weights_names_the_codes_license() -> None:
    readme = ("# Seeing\n\n## License\n\nThe code is released under the Apache 2.0 license, "
              "and the model weights under CC-BY-NC 4.0.\n")

    said = readme_license(readme)

    assert said is not None and said.spdx == "Apache-2.0"


def test_readme_that_credits_others_code_declares_nothing() -> None:
    readme = ("# Seeing\n\nOur data loader is adapted from fairseq, which is released under the MIT license.\n\n"
              "## License\n\nSee LICENSE.\n")

    assert readme_license(readme) is None


@pytest.mark.parametrize(("readme", "expected"), [
    ("[![License: MIT](https://img.shields.io/badge/License-MIT-yellow.svg)](https://opensource.org/licenses/MIT)",
     "MIT"),
    ("![license](https://img.shields.io/badge/license-Apache_2.0-blue)", "Apache-2.0"),
    ("![l](https://img.shields.io/badge/License-BSD_3--Clause-blue.svg)", "BSD-3-Clause"),
    ("![l](https://img.shields.io/badge/License-CC%20BY--NC%204.0-lightgrey.svg)", "CC-BY-NC-4.0"),
    ("![l](https://badgen.net/badge/license/MIT/blue)", "MIT"),
    # GitHub's own detection shown as a badge declares nothing of its own.
    ("![l](https://img.shields.io/github/license/acme/seeing)", None),
    ("![python](https://img.shields.io/badge/python-3.10-blue)", None),
])
def test_license_badges(readme: str, expected: str | None) -> None:
    assert badge_licenses(readme) == expected


def test_readme_with_only_a_badge_is_a_badge_finding() -> None:
    readme = "# Seeing\n\n![License](https://img.shields.io/badge/License-Apache_2.0-blue.svg)\n\nCode.\n"

    (finding,) = license_findings({"README.md": readme}, "README.md")

    assert (finding.spdx, finding.source, finding.how) == ("Apache-2.0", "readme", "badge")


# --- the check -------------------------------------------------------------------

def facts(findings: tuple[LicenseFinding, ...], paths: tuple[str, ...] = ("README.md",)) -> RepoFacts:
    return RepoFacts(ref=RepoRef.parse("github.com/acme/seeing"), status=Status.OK, detail="ok", checked_at=NOW,
                     files=RepoFiles(paths=paths), licenses=findings)


def test_check_shows_every_license_of_a_multi_license_file_and_githubs_partial_answer(
        texts: dict[str, str]) -> None:
    found = license_findings({"LICENSE": megatron_like(texts)})
    result = license_check.run(facts((*found, LicenseFinding("Apache-2.0", 1.0, "api")), ("LICENSE",)), NOW)

    assert (result.outcome, result.score) == (Outcome.PASS, 10)
    assert result.reason == ("Licensed BSD-3-Clause AND Apache-2.0 AND MIT (LICENSE). "
                             "GitHub's API names only Apache-2.0, one of them.")
    assert result.evidence[0].startswith("LICENSE: BSD-3-Clause AND Apache-2.0 AND MIT (file, several licenses")
    assert "GitHub API: Apache-2.0" in result.evidence


def test_check_shows_github_disagreeing_with_the_file(texts: dict[str, str]) -> None:
    found = license_findings({"LICENSE": texts["BSD-3-Clause"]})
    result = license_check.run(facts((*found, LicenseFinding("MIT", 1.0, "api")), ("LICENSE",)), NOW)

    assert (result.outcome, result.score) == (Outcome.PASS, 8)
    assert "LICENSE says BSD-3-Clause but GitHub API reports MIT" in result.reason


def test_check_notes_github_not_naming_a_front_matter_license(texts: dict[str, str]) -> None:
    found = license_findings({"LICENSE": "---\ntitle: MIT License\nspdx-id: MIT\n---\n\n" + texts["MIT"]})
    result = license_check.run(facts((*found, LicenseFinding(None, 1.0, "api")), ("LICENSE",)), NOW)

    assert (result.outcome, result.score) == (Outcome.PASS, 10)
    assert result.reason == "Licensed MIT (LICENSE). GitHub's API could not name it (NOASSERTION)."


def test_check_dual_license_files() -> None:
    found = (LicenseFinding("Apache-2.0", 0.99, "file", "LICENSE-APACHE", how="text"),
             LicenseFinding("MIT", 1.0, "file", "LICENSE-MIT", how="text"),
             LicenseFinding("MIT", 1.0, "api"))
    result = license_check.run(facts(found, ("LICENSE-APACHE", "LICENSE-MIT")), NOW)

    assert result.reason == ("Licensed MIT OR Apache-2.0 (LICENSE-APACHE, LICENSE-MIT). "
                             "GitHub's API names only MIT, one of them.")


def test_check_readme_only_declaration_says_it_is_weaker() -> None:
    found = license_findings({"README.md": "# T\n\n## License\n\nReleased under the MIT license.\n"}, "README.md")
    result = license_check.run(facts(found), NOW)

    assert (result.outcome, result.score) == (Outcome.PASS, 5)
    assert result.reason.startswith("Only the README declares a license (MIT, from a sentence naming it): "
                                    "a weaker finding")
    assert result.evidence == ("README.md: MIT (readme, a sentence naming it, confidence 0.50)",)


def test_check_vendored_license_only_is_no_license_of_the_repositorys(texts: dict[str, str]) -> None:
    tree = ("README.md", "train.py", "third_party/apex/LICENSE", "vendor/tok/LICENSE")
    found = license_findings({"README.md": "# T\n", "third_party/apex/LICENSE": texts["BSD-3-Clause"]}, "README.md")
    result = license_check.run(facts(found, tree), NOW)

    assert found == ()
    assert (result.outcome, result.score) == (Outcome.FAIL, 0)
    assert result.reason.startswith("No license file")


def test_check_unrecognised_file_is_no_assertion_with_a_reason() -> None:
    text = "You may look at this code. You may not use it for anything. " * 8
    found = license_findings({"LICENSE": text})
    result = license_check.run(facts(found, ("LICENSE",)), NOW)

    assert found[0].spdx is None
    assert result.outcome is Outcome.FAIL
    assert result.reason.startswith("A license file exists but is not a recognised license (LICENSE)")
    assert result.evidence[0].startswith("LICENSE: not a recognised license (closest: ")


# --- expressions --------------------------------------------------------------------

def test_expressions_are_normalised_and_compared_by_license_expression() -> None:
    assert normalise("mit and apache-2.0 AND MIT") == "MIT AND Apache-2.0"
    assert normalise("GPL-3.0") == "GPL-3.0-only"
    assert normalise("NOASSERTION") is None
    assert combine(["MIT", "Apache-2.0"], "OR") == "MIT OR Apache-2.0"
    assert same("GPL-3.0", "GPL-3.0-only")
    assert within("Apache-2.0", "BSD-3-Clause AND Apache-2.0 AND MIT")
    assert not within("GPL-2.0", "MIT")


@pytest.mark.parametrize(("expression", "group"), [
    ("BSD-3-Clause AND Apache-2.0 AND MIT", LicenseGroup.PERMISSIVE),
    ("MIT OR Apache-2.0", LicenseGroup.PERMISSIVE),
    ("MIT AND GPL-3.0-only", LicenseGroup.COPYLEFT),
    ("MIT OR GPL-3.0-only", LicenseGroup.PERMISSIVE),
    ("Apache-2.0 AND CC-BY-NC-4.0", LicenseGroup.NON_COMMERCIAL),
])
def test_report_groups_an_expression_by_what_it_lets_a_reader_do(expression: str, group: LicenseGroup) -> None:
    assert license_group(expression) is group


@pytest.mark.parametrize(("text", "expected"), [
    ("MIT License\n\nCopyright (c) 2024 Example Lab\n", "MIT"),
    ("Copyright 2024 Example Lab.\n\nLicensed under the Apache License, Version 2.0.\n", "Apache-2.0"),
    ("Copyright (c) 2024 MIT CSAIL. All rights reserved.\n", None),
])
def test_a_short_license_file_that_only_names_its_license_is_a_declaration(text: str, expected: str | None) -> None:
    match = license_of(text)

    assert match.spdx == expected
    assert match.how == ("declaration" if expected else "text")


def test_readme_sentence_about_code_this_repository_builds_on_declares_nothing() -> None:
    readme = "# T\n\n## License\n\nThis repository is built upon detectron2, which is licensed under Apache-2.0.\n"

    assert readme_license(readme) is None
