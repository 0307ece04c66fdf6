#!/usr/bin/env python3
"""Check a release tag against manifest.json and print its notes from CHANGELOG.md.

    scripts/release_notes.py v0.2.0 > notes.md

The release workflow (.github/workflows/release.yml) runs it: a tag that is not "v" followed by
manifest.json's version, or a version without its own "## X.Y.Z" section in CHANGELOG.md, stops
the release before anything is published. Standard library only (it runs before any setup).
"""

from __future__ import annotations

import json
from pathlib import Path
import re
import sys

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "custom_components" / "playtomic" / "manifest.json"
CHANGELOG = ROOT / "CHANGELOG.md"
VERSION = re.compile(r"\d+\.\d+\.\d+")
# "## 0.2.0" or "## 0.2.0 - 2027-01-10": a released version's heading.
HEADING = re.compile(r"^## (\d+\.\d+\.\d+)\b.*$", re.MULTILINE)


class ReleaseError(Exception):
    """The tag, manifest.json and CHANGELOG.md do not agree."""


def manifest_version() -> str:
    """The integration's version (what HACS and Home Assistant show)."""
    version: str = json.loads(MANIFEST.read_text(encoding="utf-8"))["version"]
    if not VERSION.fullmatch(version):
        raise ReleaseError(f"manifest.json version {version!r} is not MAJOR.MINOR.PATCH")
    return version


def changelog_sections(text: str) -> dict[str, str]:
    """Each released version's notes (the text under its heading), newest first."""
    headings = list(HEADING.finditer(text))
    ends = [match.start() for match in headings[1:]] + [len(text)]
    return {match[1]: text[match.end() : ends[i]].strip() for i, match in enumerate(headings)}


def release_notes(tag: str) -> str:
    """The notes of the version `tag` names; ReleaseError unless all three agree."""
    version = manifest_version()
    if tag != f"v{version}":
        raise ReleaseError(f"tag {tag!r} does not match manifest.json's version (v{version})")
    sections = changelog_sections(CHANGELOG.read_text(encoding="utf-8"))
    if version not in sections or not sections[version]:
        raise ReleaseError(f"CHANGELOG.md has no notes under '## {version}'")
    if next(iter(sections)) != version:
        raise ReleaseError(f"'## {version}' is not the newest section of CHANGELOG.md")
    return sections[version]


def main(argv: list[str]) -> int:
    """Print the notes, or the reason there is no release, and exit accordingly."""
    if len(argv) != 1:
        print("usage: scripts/release_notes.py vX.Y.Z", file=sys.stderr)
        return 2
    try:
        print(release_notes(argv[0]))
    except ReleaseError as err:
        print(f"release_notes: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
