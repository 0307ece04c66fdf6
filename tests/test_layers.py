"""Imports run one way: `api` < `engine` < the integration modules (docs/architecture.md).

The import graph is read from the source (every import, those under `TYPE_CHECKING` and inside
functions included), so a lower layer that reaches into a higher one, a Home Assistant import in
the HA-free layers, any import cycle or a module the architecture map does not name fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path
import re

import pytest

ROOT = Path(__file__).parent.parent
PACKAGE_DIR = ROOT / "custom_components" / "playtomic"
PACKAGE = "custom_components.playtomic"
ARCHITECTURE = ROOT / "docs" / "architecture.md"


def _module(path: Path) -> str:
    parts = [p for p in path.relative_to(PACKAGE_DIR).with_suffix("").parts if p != "__init__"]
    return ".".join(parts) or "__init__"


def _imports(path: Path, module: str, modules: set[str]) -> tuple[set[str], set[str]]:
    """(in-package modules imported, top-level outside packages imported) by one file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    if module == "__init__":
        package = ""
    inside: set[str] = set()
    outside: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                outside.add(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if not node.level:
                name = node.module or ""
                if name.startswith(PACKAGE + "."):
                    base = name.removeprefix(PACKAGE + ".")
                else:
                    outside.add(name.split(".")[0])
                    continue
            else:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                target = f"{base}.{alias.name}" if base else alias.name
                target = target if target in modules else (base or "__init__")
                if target != module:
                    inside.add(target)
    return inside, outside


def _graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    files = {_module(path): path for path in PACKAGE_DIR.rglob("*.py")}
    modules = set(files)
    inside: dict[str, set[str]] = {}
    outside: dict[str, set[str]] = {}
    for module, path in files.items():
        inside[module], outside[module] = _imports(path, module, modules)
    return inside, outside


def _layer(module: str) -> int:
    top = module.split(".", maxsplit=1)[0]
    return {"api": 0, "engine": 1}.get(top, 2)


def _cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                item = stack.pop()
                component.add(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_lower_layers_never_import_higher_ones() -> None:
    inside, _ = _graph()
    upward = sorted(
        f"{module} imports {target}"
        for module, targets in inside.items()
        for target in targets
        if _layer(target) > _layer(module)
    )
    assert upward == []


@pytest.mark.parametrize("layer", ["api", "engine"])
def test_client_and_engine_are_free_of_home_assistant(layer: str) -> None:
    _, outside = _graph()
    offenders = sorted(
        f"{module} imports {name}"
        for module, names in outside.items()
        if module.split(".")[0] == layer
        for name in names
        if name in {"homeassistant", "voluptuous", "custom_components"}
    )
    assert offenders == []


def test_no_import_cycles() -> None:
    inside, _ = _graph()
    assert _cycles(inside) == []


def _private_reaches(source: str) -> list[str]:
    """Attribute reads like `client._call`: a private name read off anything but self/cls."""
    return [
        ast.unparse(node)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})
    ]


def test_no_module_reaches_into_another_objects_privates() -> None:
    """Each module uses the public surface of the others (the request core, the client, ...)."""
    offenders = sorted(
        f"{_module(path)}: {reach}"
        for path in PACKAGE_DIR.rglob("*.py")
        for reach in _private_reaches(path.read_text(encoding="utf-8"))
    )
    assert offenders == []


def test_architecture_map_names_every_module() -> None:
    """Each module file appears in the map of docs/architecture.md, and the map names no other."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    tree = text[text.index("```\ncustom_components/playtomic/") : text.index("tests/\n")]
    named: set[str] = set()
    folder = ""
    for line in tree.splitlines()[1:]:
        if match := re.match(r"^  (\w+)/\s", line):
            folder = match[1] + "/"
        elif match := re.match(r"^    (\w+\.py)\s", line):
            named.add(folder + match[1])
        elif match := re.match(r"^  (\w+\.py)\s", line):
            folder = ""
            named.add(match[1])
    actual = {str(path.relative_to(PACKAGE_DIR)) for path in PACKAGE_DIR.rglob("*.py")}
    assert sorted(actual - named) == [], "add these modules to docs/architecture.md"
    assert sorted(named - actual) == [], "docs/architecture.md names modules that do not exist"


def _shared_file_names(paths: list[Path]) -> list[str]:
    """File names (other than `__init__.py`) that more than one module of the package uses."""
    names = [path.name for path in paths if path.name != "__init__.py"]
    return sorted({name for name in names if names.count(name) > 1})


def test_no_two_modules_share_a_file_name() -> None:
    """`rules.py` and `engine/rules.py` were two modules; each name now says which one is meant."""
    assert _shared_file_names(list(PACKAGE_DIR.rglob("*.py"))) == []


def test_the_checks_can_fail() -> None:
    """The graph reader sees an upward import and a cycle when there is one."""
    assert _layer("engine.rules") > _layer("api.slots")
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [frozenset({"a", "b"})]
    inside, _ = _graph()
    assert "api.daywindow" in inside["engine.rules"]
    assert "runtime" not in inside["coordinator"]
    assert "api.client" not in inside["api.intents"]
    assert "api.session" in inside["api.intents"]
    assert _private_reaches("client._call(); self._now()") == ["client._call"]
    assert _shared_file_names(
        [Path("a/x.py"), Path("b/x.py"), Path("a/__init__.py"), Path("__init__.py")]
    ) == ["x.py"]
