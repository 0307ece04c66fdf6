"""Releases a HACS user can follow: version, CHANGELOG.md and the release workflow agree.

The workflow itself cannot run here (it needs GitHub); its YAML is checked for what it must do,
and the script it runs (scripts/release_notes.py) is run for real.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
import subprocess
import sys
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
SCRIPT = ROOT / "scripts" / "release_notes.py"


def _release_notes() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release_notes", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _workflow(name: str) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True)
    return data


def _manifest_version() -> str:
    manifest = json.loads(
        (ROOT / "custom_components" / "playtomic" / "manifest.json").read_text(encoding="utf-8")
    )
    version: str = manifest["version"]
    return version


def test_changelog_is_in_step_with_the_manifest() -> None:
    """The newest released section of CHANGELOG.md is manifest.json's version, with notes."""
    notes = _release_notes()
    version = _manifest_version()
    sections = notes.changelog_sections((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert next(iter(sections)) == version
    assert notes.release_notes(f"v{version}") == sections[version]


def test_release_notes_refuse_a_tag_that_disagrees() -> None:
    """A tag other than v<manifest version> stops the release with the reason."""
    version = _manifest_version()
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "v99.0.0"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 1
    assert f"does not match manifest.json's version (v{version})" in run.stderr
    assert run.stdout == ""
    ok = subprocess.run(
        [sys.executable, str(SCRIPT), f"v{version}"], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == _release_notes().release_notes(f"v{version}")


@pytest.mark.parametrize(
    ("changelog", "reason"),
    [
        ("# Changelog\n\n## Unreleased\n\n- x\n", "no notes under '## 1.2.3'"),
        ("# Changelog\n\n## 1.2.3\n\n", "no notes under '## 1.2.3'"),
        ("## 1.3.0\n\n- newer\n\n## 1.2.3\n\n- x\n", "is not the newest section"),
    ],
)
def test_release_notes_need_the_versions_own_section(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, changelog: str, reason: str
) -> None:
    """No section, an empty one, or one below a newer version: no release."""
    notes = _release_notes()
    (tmp_path / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    (tmp_path / "manifest.json").write_text('{"version": "1.2.3"}', encoding="utf-8")
    monkeypatch.setattr(notes, "CHANGELOG", tmp_path / "CHANGELOG.md")
    monkeypatch.setattr(notes, "MANIFEST", tmp_path / "manifest.json")
    with pytest.raises(notes.ReleaseError, match=reason):
        notes.release_notes("v1.2.3")


def test_release_workflow_is_gated_on_validation_and_tests() -> None:
    """A vX.Y.Z tag runs validate.yml and tests.yml first; only then is the release built."""
    release = _workflow("release.yml")
    assert release["on"] == {"push": {"tags": ["v[0-9]+.[0-9]+.[0-9]+"]}}
    jobs = release["jobs"]
    assert jobs["validate"] == {"uses": "./.github/workflows/validate.yml"}
    assert jobs["tests"] == {"uses": "./.github/workflows/tests.yml"}
    for gate in ("validate.yml", "tests.yml"):
        assert "workflow_call" in _workflow(gate)["on"], gate
    publish = jobs["release"]
    assert publish["needs"] == ["validate", "tests"]
    assert publish["permissions"] == {"contents": "write"}
    steps = "\n".join(step.get("run", "") for step in publish["steps"])
    # The tag, manifest and changelog are checked before anything is built or published.
    assert steps.index("scripts/release_notes.py") < steps.index("gh release create")
    hacs = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
    assert hacs["zip_release"] is True
    assert f'zip -r -X "$GITHUB_WORKSPACE/{hacs["filename"]}"' in steps
    assert f'gh release create "$GITHUB_REF_NAME" {hacs["filename"]}' in steps
    assert "--notes-file release-notes.md" in steps
