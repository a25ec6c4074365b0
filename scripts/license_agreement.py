"""How often the license read from files agrees with what the software's authors declare.

Every installed Python distribution that declares a ``License-Expression``
(PEP 639) and ships its root license files in ``.dist-info/licenses/`` is a
pair of (files, an author's answer). The files are read exactly as a
repository's root license files are (`license_findings`, then
`repository_license`), and compared with license-expression's equivalence
(``same``: the same licenses, spelling and order aside), and by the first
license only (the package's own, which a multi-license file names first).

Run: ``.venv/bin/python scripts/license_agreement.py`` (about a minute).
"""

from __future__ import annotations

import importlib.metadata

from tracker.hosts.license_text import license_findings
from tracker.spdx import license_ids, repository_license, same


def pairs() -> list[tuple[str, str, dict[str, str]]]:
    """(name, declared expression, root license texts) for each distribution that has both."""
    found = []
    for dist in importlib.metadata.distributions():
        declared = dist.metadata.get("License-Expression")
        if not declared:
            continue
        texts = {}
        for file in dist.files or []:
            parts = str(file).split("/")
            if len(parts) == 3 and parts[0].endswith(".dist-info") and parts[1] == "licenses":
                texts[parts[2]] = file.locate().read_text(encoding="utf-8", errors="replace")  # type: ignore[attr-defined]
        if texts:
            found.append((dist.metadata["Name"], declared, texts))
    return sorted(found)


def main() -> None:
    rows = []
    for name, declared, texts in pairs():
        ours, _, _ = repository_license(license_findings(texts))
        first = license_ids(ours)[:1] == license_ids(declared)[:1] or same(
            (license_ids(ours) or [""])[0], (license_ids(declared) or [""])[0])
        whole = same(ours, declared)
        rows.append((name, declared, ours, whole, whole or first))
    print(f"{len(rows)} distributions; whole expression agrees: {sum(r[3] for r in rows)}; "
          f"first license agrees: {sum(r[4] for r in rows)}")
    for name, declared, ours, whole, first in rows:
        if not whole:
            print(f"  {name}: declared {declared}; files say {ours}{'' if first else '  (first differs)'}")


if __name__ == "__main__":
    main()
