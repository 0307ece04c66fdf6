"""What hassfest and the HACS action would check, checked offline.

Neither validator runs on these machines (no Docker engine, hassfest is not in the wheel), so the
rules they enforce on this repository are mirrored here.
"""

from __future__ import annotations

import configparser
from importlib import metadata
import json
from pathlib import Path
import re
from typing import Any

from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as ha_version
import pytest
import yaml

from tests.requirement_pins import check_dev_pins, pins

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "playtomic"
TRANSLATIONS = INTEGRATION / "translations"

MANIFEST_KEYS = {
    "domain", "name", "codeowners", "config_flow", "dependencies", "documentation",
    "integration_type", "iot_class", "issue_tracker", "loggers", "requirements", "version",
    "after_dependencies", "single_config_entry",
}  # fmt: skip
HACS_KEYS = {
    "name", "content_in_root", "country", "filename", "zip_release", "hide_default_branch",
    "homeassistant", "hacs", "persistent_directory", "render_readme",
}  # fmt: skip
KEY_PATTERN = re.compile(r"^(?!.*__)[a-z0-9][a-z0-9_-]*(?<![_-])$")


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            flat.update(_flatten(value, path))
        else:
            flat[path] = value
    return flat


def _code() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(INTEGRATION.rglob("*.py")))


def test_manifest_is_valid_for_hassfest_and_hacs() -> None:
    """Keys: domain, name, then sorted; the custom schema's required keys; nothing extra."""
    manifest = _load_json(INTEGRATION / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:]), "hassfest: manifest keys are not sorted correctly"
    assert set(keys) <= MANIFEST_KEYS
    assert manifest["domain"] == INTEGRATION.name
    for key in ("codeowners", "documentation", "issue_tracker", "version"):
        assert manifest[key], key
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["iot_class"] == "cloud_polling"
    assert manifest["integration_type"] == "service"
    assert manifest["config_flow"] is True
    assert (INTEGRATION / "config_flow.py").is_file()
    assert manifest["documentation"].startswith("https://")
    assert "home-assistant.io/integrations" not in manifest["documentation"]
    # Home Assistant ships aiohttp; the client needs nothing else.
    assert manifest["requirements"] == []


def test_hacs_json_is_valid() -> None:
    """HACS rejects unknown keys; the minimum version is one the suite runs on."""
    hacs = _load_json(ROOT / "hacs.json")
    assert set(hacs) <= HACS_KEYS
    assert hacs["name"] == "Playtomic"
    pinned = re.search(
        r"pytest-homeassistant-custom-component==(\S+)",
        (ROOT / "requirements_test.txt").read_text(),
    )
    assert pinned, "requirements_test.txt pins the HA test stack"
    assert re.fullmatch(r"20\d\d\.\d+\.\d+", hacs["homeassistant"])
    oldest = re.search(
        r"pytest-homeassistant-custom-component==(\S+)",
        (ROOT / "requirements_test_oldest.txt").read_text(),
    )
    assert oldest, "requirements_test_oldest.txt pins the oldest HA test stack"
    assert AwesomeVersion(hacs["homeassistant"]) <= AwesomeVersion(ha_version)
    if metadata.version("pytest-homeassistant-custom-component") == oldest[1]:
        # scripts/test's oldest-HA run is what proves the advertised minimum.
        assert hacs["homeassistant"] == ha_version


def test_dev_requirements_match_this_home_assistant() -> None:
    """The frontend and friends are pinned to what the Home Assistant of this venv requires.

    Each venv checks its own file (the oldest one requirements_dev_oldest.txt; the newest one,
    which has no unit tests, in tests/e2e/test_stack.py).
    """
    oldest = pins(ROOT / "requirements_test_oldest.txt")["pytest-homeassistant-custom-component"]
    on_oldest = metadata.version("pytest-homeassistant-custom-component") == oldest
    check_dev_pins(ROOT / ("requirements_dev_oldest.txt" if on_oldest else "requirements_dev.txt"))


def test_hacs_repository_layout() -> None:
    """Exactly one integration, a brand icon, a README and an OSI licence."""
    assert [
        p.name
        for p in (ROOT / "custom_components").iterdir()
        if p.is_dir() and not p.name.startswith("__")
    ] == ["playtomic"]
    assert (INTEGRATION / "brand" / "icon.png").is_file()
    assert (ROOT / "README.md").is_file()
    assert "MIT License" in (ROOT / "LICENSE").read_text()


@pytest.mark.parametrize("language", ["en", "es"])
def test_translation_keys_and_values_follow_hassfest_rules(language: str) -> None:
    """Keys [a-z0-9_-], no HTML, no URLs, no surrounding spaces, no single-quoted placeholders."""
    flat = _flatten(_load_json(TRANSLATIONS / f"{language}.json"))
    assert flat
    for path, value in flat.items():
        for part in path.split("."):
            assert KEY_PATTERN.match(part), f"bad key {part!r} in {path}"
        assert isinstance(value, str), path
        assert value == value.strip(), f"surrounding spaces in {path}"
        assert not re.search(r"</?[a-zA-Z][^>]*>", value), f"HTML in {path}"
        assert not re.search(r"https?://", value), f"URL in {path} (use a placeholder)"
        assert not re.search(r"'\{[a-z_]+\}'", value), f"single-quoted placeholder in {path}"


# The opening of an ICU plural branch ("one {", "other {", "=0 {"): its body is text.
_PLURAL_BRANCH = re.compile(r"\b(?:zero|one|two|few|many|other)\s*\{|=\d+\s*\{")
_PLACEHOLDER = re.compile(r"\{(\w+)\s*[,}]")


def _placeholders(text: str) -> set[str]:
    """The placeholder names of a text, also of an ICU plural (`{count, plural, one {# club}
    other {# clubs}}` names `count`; its branches' text is not a placeholder)."""
    return set(_PLACEHOLDER.findall(_PLURAL_BRANCH.sub("", text)))


def _plural_branches(text: str) -> list[str]:
    return re.findall(r"\b(zero|one|two|few|many|other)\s*\{", text)


def test_placeholders_of_plurals() -> None:
    """The plural-aware reading sees the argument, not the branch text."""
    text = "{count, plural, one {Found one club.} other {Found # clubs in {area}.}} Pick {x}."
    assert _placeholders(text) == {"count", "area", "x"}
    assert _placeholders("Found {count} clubs") == {"count"}


@pytest.mark.parametrize("language", ["en", "es"])
def test_flow_texts_have_no_plurals(language: str) -> None:
    """A flow's placeholders reach the frontend as strings, which its ICU plural refuses: the
    step then shows no description at all (seen on 2026.11). Counts there stay plain."""
    flat = _flatten(_load_json(TRANSLATIONS / f"{language}.json"))
    for path, value in flat.items():
        if path.startswith(("config.", "config_subentries.", "options.")):
            assert "plural," not in value, path


def test_spanish_translation_is_complete() -> None:
    """Every English string has a Spanish counterpart with the same placeholders, and a plural
    in one language is a plural (with an `other` branch) in both."""
    en = _flatten(_load_json(TRANSLATIONS / "en.json"))
    es = _flatten(_load_json(TRANSLATIONS / "es.json"))
    assert set(en) == set(es)
    for path, value in en.items():
        assert _placeholders(value) == _placeholders(es[path]), path
        if "plural," in value or "plural," in es[path]:
            for text in (value, es[path]):
                assert "plural," in text, path
                assert "other" in _plural_branches(text), path


def test_data_descriptions_describe_existing_fields() -> None:
    """hassfest: every data_description key exists in the step's data."""
    en = _load_json(TRANSLATIONS / "en.json")

    def steps(tree: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        if isinstance(tree, dict):
            if "data_description" in tree:
                found.append(tree)
            for value in tree.values():
                found.extend(steps(value))
        return found

    for step in steps(en):
        assert set(step["data_description"]) <= set(step.get("data", {})), step


def test_every_translation_key_used_in_code_exists() -> None:
    """translation_key=..., errors and abort reasons used in code have English texts."""
    en = _load_json(TRANSLATIONS / "en.json")
    flat = _flatten(en)
    code = _code()
    leaves = {path.split(".")[-1] for path in flat} | {
        part for path in flat for part in path.split(".")
    }
    exceptions = set(en.get("exceptions", {}))
    for key in set(re.findall(r'translation_key="([a-z0-9_]+)"', code)):
        assert key in leaves, f"translation_key {key!r} has no text in en.json"
    for key in set(re.findall(r'raise \w+\([^)]*?translation_key="([a-z0-9_]+)"', code, re.S)):
        assert key in exceptions, f"exception {key!r} missing under exceptions"
    for key in set(re.findall(r'errors\[[^\]]+\] = "([a-z0-9_]+)"', code)):
        assert any(p.endswith(f"error.{key}") for p in flat), f"error {key!r} has no text"
    for key in set(re.findall(r'async_abort\(reason="([a-z0-9_]+)"', code)):
        assert any(p.endswith(f"abort.{key}") for p in flat), f"abort {key!r} has no text"


def test_services_yaml_matches_registered_services_and_translations() -> None:
    """services.yaml, the services section of en.json, icons.json and the code agree."""
    services_yaml = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    en = _load_json(TRANSLATIONS / "en.json")["services"]
    icons = _load_json(INTEGRATION / "icons.json")["services"]
    registered = set(re.findall(r"SERVICE_\w+ = \"(\w+)\"", _code()))
    assert registered, "service names are constants in services.py"
    assert set(services_yaml) == registered == set(en) == set(icons)
    for service, spec in services_yaml.items():
        assert en[service]["name"]
        assert en[service]["description"]
        for field in spec.get("fields", {}):
            assert en[service]["fields"][field]["name"], (service, field)
            assert en[service]["fields"][field]["description"], (service, field)


@pytest.mark.parametrize("language", ["en", "es"])
def test_action_select_options_have_translations(language: str) -> None:
    """Each option of an action's select with a translation_key has a label under selector."""
    selectors = _load_json(TRANSLATIONS / f"{language}.json")["selector"]
    services_yaml = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    checked = 0
    for service, spec in services_yaml.items():
        for field, field_spec in spec.get("fields", {}).items():
            select = field_spec["selector"].get("select") or {}
            if "translation_key" not in select:
                continue
            labels = selectors[select["translation_key"]]["options"]
            assert set(select["options"]) <= set(labels), (service, field)
            checked += 1
    assert checked


def test_icons_are_mdi() -> None:
    """hassfest: icons come from Material Design Icons."""
    for path, value in _flatten(_load_json(INTEGRATION / "icons.json")).items():
        assert value.startswith("mdi:"), path


def test_quality_scale_is_a_complete_honest_self_assessment() -> None:
    """Every rule has a status; every exemption says why."""
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    assert len(rules) >= 50
    for name, rule in rules.items():
        status = rule if isinstance(rule, str) else rule["status"]
        assert status in {"done", "todo", "exempt"}, name
        if status == "exempt":
            assert isinstance(rule, dict), name
            assert rule.get("comment"), name


def test_strict_typing_claim_is_what_mypy_checks() -> None:
    """quality_scale.yaml says strict-typing is done only while setup.cfg makes mypy strict."""
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    rule = rules["strict-typing"]
    status = rule if isinstance(rule, str) else rule["status"]
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    assert "custom_components/playtomic" in config["mypy"]["files"]
    if status == "done":
        assert config.get("mypy-custom_components.playtomic.*", "strict", fallback="") == "true"
