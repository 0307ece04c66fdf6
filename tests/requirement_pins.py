"""Reading `name==version` pins of the requirement files (no Home Assistant imports: the
end-to-end tests use it on the newest stack, which has no test library)."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path
import re

ROOT = Path(__file__).resolve().parent.parent


def pins(path: Path) -> dict[str, str]:
    """`name==version` lines of a requirements file, names normalised as pip compares them."""
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if match := re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.split("#")[0].strip()):
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def check_dev_pins(dev_file: Path) -> None:
    """The frontend and friends in `dev_file` are what this venv's Home Assistant requires.

    hass runs with --skip-pip in scripts/develop and the e2e tests, so a pin that drifts from
    package_constraints.txt is not corrected at start-up: hass would run with a frontend it was
    not built for. What the venv holds must also be what the file asks for (setup installs it).
    """
    dev = pins(dev_file)
    constraints_file = metadata.distribution("homeassistant").locate_file(
        "homeassistant/package_constraints.txt"
    )
    constraints = pins(Path(str(constraints_file)))
    checked = {name: version for name, version in dev.items() if name in constraints}
    assert checked == {name: constraints[name] for name in checked}
    assert "home-assistant-frontend" in checked
    for name, version in dev.items():
        assert metadata.version(name) == version, name
