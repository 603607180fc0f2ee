"""Every relative link in README.md, docs/*.md and examples/**/README.md resolves: the
file exists inside the repository and, for `page.md#anchor`, the page has a heading with
that anchor.

The user's manual is split over README.md and docs/ pages that link to each other; a
page renamed or a heading reworded breaks links silently (GitHub shows a 404 or lands
at the top of the page), and a link to a file outside the repository (a design file
of the developers' workspace) is dead for every reader of the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [ROOT / "README.md", *DOCS, *sorted((ROOT / "examples").glob("**/README.md"))]

FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")
# [text](target) or [text](target "title"); images ![alt](target) too
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces -> '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        slug = github_anchor(heading)
        n = seen.get(slug, 0)
        result.add(slug if n == 0 else f"{slug}-{n}")
        seen[slug] = n + 1
    return result


def links(page: Path) -> list[str]:
    text = CODE_SPAN.sub("", FENCE.sub("", page.read_text(encoding="utf-8")))
    return LINK.findall(text)


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        where = f"{page.relative_to(root)}: ({target})"
        if not resolved.is_relative_to(root):
            problems.append(f"{where} points outside the repository")
        elif not resolved.exists():
            problems.append(f"{where} does not exist")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            problems.append(f"{where}: no heading with anchor #{anchor} in {resolved.name}")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_relative_links_resolve(page):
    assert broken_links(page) == []


def paths_outside(page: Path, root: Path = ROOT) -> list[str]:
    """Relative paths quoted as code (`../x/y.md`) that leave the repository."""
    text = page.read_text(encoding="utf-8")
    found = re.findall(r"`(\.\./[^`\s]+)`", text)
    return [p for p in found if not (page.parent / p).resolve().is_relative_to(root)]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_no_page_points_outside_the_repository(page):
    # a reader of the repository has no `../shared/DESIGN.md`
    assert paths_outside(page) == []


def test_the_docs_are_linked_from_the_readme():
    # a page no one links to is a page no one finds
    readme_targets = {t.partition("#")[0] for t in links(ROOT / "README.md")}
    unlinked = [p.name for p in DOCS if f"docs/{p.name}" not in readme_targets]
    assert unlinked == []


def test_anchor_rule_matches_github():
    # headings of these pages, with the anchors GitHub renders for them
    assert github_anchor("BI tools and `dbt build` at the same time") == (
        "bi-tools-and-dbt-build-at-the-same-time"
    )
    assert github_anchor("Connect your CRM (HubSpot, Salesforce)") == (
        "connect-your-crm-hubspot-salesforce"
    )
    assert github_anchor("Vars (`dbt_project.yml`, override with `--vars`)") == (
        "vars-dbt_projectyml-override-with---vars"
    )


def test_a_broken_link_is_found(tmp_path):
    # the checker itself: a missing page, a missing anchor and a path out of the repo
    tmp_path = tmp_path / "repo"
    (tmp_path / "docs").mkdir(parents=True)
    (tmp_path / "docs" / "a.md").write_text("# A page\n\n## Some part\n", encoding="utf-8")
    page = tmp_path / "README.md"
    page.write_text(
        "[ok](docs/a.md#some-part) [gone](docs/b.md) [anchor](docs/a.md#other)\n"
        "[out](../DESIGN.md) `[code](not/a/link.md)`\n",
        encoding="utf-8",
    )
    (tmp_path.parent / "DESIGN.md").touch()
    problems = broken_links(page, root=tmp_path)
    assert len(problems) == 3, problems
    assert "docs/b.md) does not exist" in problems[0]
    assert "no heading with anchor #other" in problems[1]
    assert "outside the repository" in problems[2]
    page.write_text("see `../shared/DESIGN.md` for the contract\n", encoding="utf-8")
    assert paths_outside(page, root=tmp_path) == ["../shared/DESIGN.md"]
