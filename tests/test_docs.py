"""The design documents in ``docs/``: every link resolves, and the code points to them.

Relative links in ``docs/*.md`` and ``README.md`` must name an existing file and, with a
``#fragment``, a heading of that file (GitHub's anchors). References such as
``docs/methods.md#trend-markers`` in the package's docstrings and comments must resolve the
same way, and nothing in the package may point to design documents outside the repository
("DESIGN §5", "methods M7", "issue 4").
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PACKAGE = ROOT / "src" / "analys"

LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~)")
INLINE_CODE = re.compile(r"`[^`]*`")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
DOC_REFERENCE = re.compile(r"\bdocs/([\w.-]+\.md)(?:#([\w-]+))?")
OUTSIDE = re.compile(
    r"DESIGN(?:\.md)?\s*§|\bDESIGN\.md\b|\bmethods M\d|\bmethods §|\bSTYLE\.md\b|\.\./shared/docs/"
    r"|\bdocs/(?:toolchain|kolada-api|kolada-facts)\.md\b|\b[Ii]ssue \d+"
)


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """The lines outside fenced code blocks, numbered from 1."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line))
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    """Every heading anchor of a Markdown file, with GitHub's -1, -2 for repeats."""
    seen: dict[str, int] = {}
    found = set()
    for _, line in _prose_lines(path.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return frozenset(found)


def links(path: Path) -> list[tuple[int, str]]:
    """(line, target) of every Markdown link outside code."""
    found = []
    for number, line in _prose_lines(path.read_text(encoding="utf-8")):
        for match in LINK.finditer(INLINE_CODE.sub("", line)):
            found.append((number, match.group(1)))
    return found


def broken(target: str, source: Path) -> str | None:
    """Why a link in the Markdown file ``source`` does not resolve, or ``None``."""
    if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
        return None
    path_part, _, fragment = target.partition("#")
    document = (source.parent / path_part).resolve() if path_part else source
    if ROOT not in (document, *document.parents):
        return f"{target}: points outside the repository"
    if not document.exists():
        return f"{target}: {document.relative_to(ROOT)} does not exist"
    if fragment and document.suffix == ".md" and fragment not in anchors(document):
        return f"{target}: no heading #{fragment} in {document.relative_to(ROOT)}"
    return None


def test_the_docs_exist() -> None:
    names = {path.name for path in DOCS.glob("*.md")}
    assert names >= {"README.md", "architecture.md", "data-contract.md", "judgements.md"}
    assert "methods.md" in names


def test_the_slugs_follow_github() -> None:
    assert slug("1. Polarity: `higher`, `lower` or `neutral`") == (
        "1-polarity-higher-lower-or-neutral"
    )
    assert slug("Exception list (red-red)") == "exception-list-red-red"
    assert slug("Förväntat värde & samband") == "förväntat-värde--samband"


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(path: Path) -> None:
    problems = [
        f"{path.relative_to(ROOT)}:{number}: {why}"
        for number, target in links(path)
        if (why := broken(target, path)) is not None
    ]
    assert not problems, "\n".join(problems)


REPOSITORY_PATH = re.compile(
    r"`((?:src|tests|params|notebooks|benchmarks|scripts|docs)/[\w./-]+\.(?:py|md|yaml|ipynb|csv))`"
)


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_named_repository_file_exists(path: Path) -> None:
    """A path such as `tests/test_peers.py` or `params/kultur.yaml` names a real file."""
    problems = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(1)} does not exist"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in REPOSITORY_PATH.finditer(line)
        if not (ROOT / match.group(1)).exists()
    ]
    assert not problems, "\n".join(problems)


def test_the_link_check_catches_broken_links() -> None:
    readme, methods = DOCS / "README.md", DOCS / "methods.md"
    assert broken("methods.md#trend-markers", readme) is None
    assert broken("methods.md#no-such-heading", readme) is not None
    assert broken("no-such-file.md", readme) is not None
    assert broken("#quartile-colours", methods) is None
    assert broken("#no-such-heading", methods) is not None
    assert broken("../../outside.md", readme) is not None
    assert broken("../README.md", readme) is None
    assert broken("https://www.kolada.se/", readme) is None
    named = REPOSITORY_PATH.search("see `tests/test_no_such_file.py`")
    assert named and not (ROOT / named.group(1)).exists()


def _package_texts() -> list[Path]:
    return sorted(
        path
        for pattern in ("*.py", "*.md", "*.yaml")
        for path in PACKAGE.rglob(pattern)
        if "__pycache__" not in path.parts
    )


def test_the_package_points_to_the_repositorys_docs() -> None:
    """``docs/x.md#anchor`` in docstrings and comments names a real file and heading.

    The package, the tests (this file aside: it names broken links on purpose) and the
    benchmarks.
    """
    others = [
        path
        for folder in ("tests", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != Path(__file__).resolve()
    ]
    problems, seen = [], 0
    for path in [*_package_texts(), *others]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in DOC_REFERENCE.finditer(line):
                seen += 1
                document = DOCS / match.group(1)
                where = f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
                if not document.is_file():
                    problems.append(f"{where}: no such document")
                elif match.group(2) and match.group(2) not in anchors(document):
                    problems.append(f"{where}: no such heading")
    assert seen >= 20, "the docstrings should point to docs/ (methods, data contract, …)"
    assert not problems, "\n".join(problems)


def test_nothing_points_outside_the_repository() -> None:
    """No "DESIGN §5", "methods M7", "issue 4" or ../shared document in the package."""
    problems = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _package_texts()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert not problems, "\n".join(problems)


def test_the_outside_pattern_catches_old_references() -> None:
    old = ("(DESIGN §5)", "methods M7", "issue 12", "docs/toolchain.md §2", "../shared/docs/x.md")
    for text in old:
        assert OUTSIDE.search(text), text
    for text in ("docs/methods.md#trend-markers", "a design decision", "../shared/data/"):
        assert not OUTSIDE.search(text), text
