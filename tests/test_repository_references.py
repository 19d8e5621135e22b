"""Every reference in the repository can be followed by a contributor.

- No file cites a design document that is not in the repository (``PROTOCOLS.md``,
  ``DESIGN.md``, ``ANCHORS.md``, ``STYLE.md``, ``TOOLCHAIN.md``, ``FRONTEND.md``): wire formats
  are in ``docs/protocols.md``, the structure in ``docs/architecture.md``, performance targets
  in ``bench/README.md``.
- Every relative link of README.md, CONTRIBUTING.md and ``docs/*.md`` points to a file that
  exists.
- Every citation of a section of ``docs/protocols.md`` (``docs/protocols.md, "Dahua"``) names
  one of its headings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
import re

ROOT = Path(__file__).parent.parent
THIS = Path(__file__).resolve()

#: Folders scanned whole (every text file), and the integration's own text formats.
SCANNED_DIRS = ("tests", "tools", "bench", "scripts", "docs")
SCANNED_FILES = ("README.md", "CONTRIBUTING.md")
INTEGRATION = ROOT / "custom_components" / "anpr"
INTEGRATION_SUFFIXES = {".py", ".json", ".yaml", ".yml", ".md"}
#: Folders never scanned: caches, virtual environments, installed packages.
SKIPPED_DIRS = {"__pycache__", "node_modules"}

#: Upper-case names only: ``docs/protocols.md`` is the repository's own document.
MISSING_DOCUMENT = re.compile(r"\b(?:PROTOCOLS|DESIGN|ANCHORS|STYLE|TOOLCHAIN|FRONTEND)\.md\b")

#: ``[text](target)`` and ``![alt](target)``, and reference definitions ``[id]: target``.
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$", re.MULTILINE)
FENCE = re.compile(r"^\s*(```|~~~).*?^\s*\1", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")

#: ``docs/protocols.md, "Section"`` (the path may be in backticks, the comma may be missing).
SECTION_CITATION = re.compile(r"docs/protocols\.md`{0,2},?\s*\"([^\"]+)\"")
#: A line break inside a comment or docstring, with the next line's comment marker.
CONTINUATION = re.compile(r"\s*\n\s*(?:#:?|//|\*)?\s*")


def _is_text(path: Path) -> bool:
    """Return True for a file that is text (no NUL byte in its first 8 KiB)."""
    with path.open("rb") as file:
        return b"\0" not in file.read(8192)


def _walk(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name in SKIPPED_DIRS:
            continue
        if path.is_dir():
            yield from _walk(path)
        elif path.is_file():
            yield path


def scanned_files() -> list[Path]:
    """Return every text file the rules apply to (this test file excluded)."""
    files = [ROOT / name for name in SCANNED_FILES]
    for name in SCANNED_DIRS:
        files += _walk(ROOT / name)
    files += [p for p in _walk(INTEGRATION) if p.suffix in INTEGRATION_SUFFIXES]
    return [p for p in files if p.resolve() != THIS and _is_text(p)]


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_scan_covers_the_repository() -> None:
    """The scan sees code, tests, tools, bench, scripts and documentation (not only a few)."""
    names = {_relative(p) for p in scanned_files()}
    for expected in (
        "README.md",
        "CONTRIBUTING.md",
        "docs/protocols.md",
        "docs/architecture.md",
        "bench/README.md",
        "custom_components/anpr/core/pipeline.py",
        "custom_components/anpr/manifest.json",
        "custom_components/anpr/quality_scale.yaml",
        "scripts/setup",
        "tools/hass_runner.py",
        "tests/conftest.py",
    ):
        assert expected in names
    assert "tests/test_repository_references.py" not in names
    assert not any(name.endswith(".jpg") for name in names)


def test_no_reference_to_a_document_outside_the_repository() -> None:
    """Cite docs/protocols.md (section by name), docs/architecture.md or the primary source."""
    offending = [
        f"{_relative(path)}:{number}: {line.strip()[:120]}"
        for path in scanned_files()
        for number, line in enumerate(_text(path).splitlines(), start=1)
        if MISSING_DOCUMENT.search(line)
    ]
    assert not offending, "References to documents not in the repository:\n" + "\n".join(
        offending
    )


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]


def _link_targets(text: str) -> list[str]:
    """Return the targets of the links in Markdown ``text`` (code blocks and spans skipped)."""
    text = INLINE_CODE.sub("", FENCE.sub("", text))
    return INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)


def test_link_targets_are_found() -> None:
    """The link pattern sees inline, picture and reference links, not code."""
    text = (
        "[a](docs/x.md) ![b](<docs/y.png> \"t\") [c](https://e.org) `[d](no.md)`\n"
        "```\n[e](no.md)\n```\n[f]: CONTRIBUTING.md#tests\n"
    )
    assert _link_targets(text) == ["docs/x.md", "docs/y.png", "https://e.org", "CONTRIBUTING.md#tests"]


def test_relative_markdown_links_point_to_files() -> None:
    """Every relative link of README.md, CONTRIBUTING.md and docs/*.md names a file that exists."""
    broken = []
    for page in _markdown_files():
        for target in _link_targets(_text(page)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
                continue  # a URL (https:, mailto:) or an anchor in the same page
            path = target.split("#", 1)[0].split("?", 1)[0]
            base = ROOT if path.startswith("/") else page.parent
            if not (base / path.lstrip("/")).exists():
                broken.append(f"{_relative(page)}: {target}")
    assert not broken, "Links to files that do not exist:\n" + "\n".join(broken)


def _protocol_sections() -> set[str]:
    text = _text(ROOT / "docs" / "protocols.md")
    return {m.group(1).strip() for m in re.finditer(r"^#{2,4}\s+(.+?)\s*$", text, re.MULTILINE)}


def test_protocol_section_citations_name_a_heading() -> None:
    """``docs/protocols.md, "Name"`` names a heading of docs/protocols.md, exactly."""
    sections = _protocol_sections()
    assert "Hikvision ISAPI" in sections
    unknown = []
    for path in scanned_files():
        text = CONTINUATION.sub(" ", _text(path))
        unknown += [
            f"{_relative(path)}: {name!r}"
            for name in SECTION_CITATION.findall(text)
            if name not in sections
        ]
    assert not unknown, "Sections of docs/protocols.md that do not exist:\n" + "\n".join(unknown)
