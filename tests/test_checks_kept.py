"""What is kept per content (a tree's verdicts, a text's license reading) answers exactly as reading afresh does.

`run_checks` keeps the content checks' results per status and tree, and
`license_findings` keeps each text's reading; a key that missed a difference
would hand one repository another's verdict. Each case here differs from the
one before it in one thing the key must see.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.checks import ALL_CHECKS, run_checks
from tracker.hosts.license_text import license_findings
from tracker.records import RepoFacts, RepoFiles, RepoRef, Status

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
MIT = """MIT License

Copyright (c) 2024 Alice

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation the
rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit
persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the
Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def facts(name: str, status: Status, paths: tuple[str, ...], texts: dict[str, str]) -> RepoFacts:
    return RepoFacts(ref=RepoRef("github.com", "lab", name), status=status, detail="", checked_at=NOW,
                     files=RepoFiles(paths=paths, texts=dict(texts)))


def afresh(repo: RepoFacts) -> list[object]:
    return [check.run(repo, NOW) for check in ALL_CHECKS]


def test_each_tree_gets_its_own_verdicts_however_often_it_is_judged() -> None:
    readme = "# Model\n\n## Training\n\n```\npython train.py --epochs 10\n```\n"
    cases = [
        facts("a", Status.OK, ("README.md", "train.py"), {"README.md": readme}),
        # the same tree under another name: the same verdicts
        facts("b", Status.OK, ("README.md", "train.py"), {"README.md": readme}),
        # one path more
        facts("c", Status.OK, ("README.md", "train.py", "tests/test_model.py"), {"README.md": readme}),
        # one README word less: no training command
        facts("d", Status.OK, ("README.md", "train.py"), {"README.md": readme.replace("train.py", "main.py")}),
        # the README listed but not read
        facts("e", Status.OK, ("README.md", "train.py"), {}),
        # a text that moves from one path to another
        facts("f", Status.OK, ("README.md", "requirements.txt"), {"requirements.txt": "torch==2.1\n"}),
        facts("g", Status.OK, ("README.md", "requirements.txt"), {"README.md": "torch==2.1\n"}),
        # the same tree, another status
        facts("h", Status.ARCHIVED, ("README.md", "train.py"), {"README.md": readme}),
        facts("i", Status.UNREACHABLE, ("README.md", "train.py"), {"README.md": readme}),
    ]
    for _ in range(2):
        for repo in cases:
            assert run_checks(repo, NOW) == afresh(repo), repo.ref.name
    outcomes = {repo.ref.name: {r.name: r.outcome for r in run_checks(repo, NOW)} for repo in cases}
    assert outcomes["c"]["tests"] != outcomes["a"]["tests"]
    assert run_checks(cases[3], NOW) != run_checks(cases[0], NOW)  # the reason no longer quotes the command
    assert run_checks(cases[5], NOW) != run_checks(cases[6], NOW)
    assert outcomes["i"] != outcomes["a"]


def test_a_texts_license_reading_is_kept_per_text_and_per_role() -> None:
    as_file = license_findings({"LICENSE": MIT, "README.md": "# Model\n"}, "README.md")
    assert [(f.source, f.spdx) for f in as_file] == [("file", "MIT")]
    # The same text as a README is a README's finding, weighed as one, not the file's finding again.
    as_readme = license_findings({"README.md": f"# Model\n\n## License\n\n{MIT}"}, "README.md")
    assert [(f.source, f.spdx) for f in as_readme] == [("readme", "MIT")]
    assert as_readme[0].confidence < as_file[0].confidence
    # Asked again, the same answers; a changed text is read afresh.
    assert license_findings({"LICENSE": MIT, "README.md": "# Model\n"}, "README.md") == as_file
    changed = license_findings({"LICENSE": "Licensed under the Apache License 2.0.", "README.md": "# Model\n"},
                               "README.md")
    assert [(f.source, f.spdx) for f in changed] == [("file", "Apache-2.0")]
