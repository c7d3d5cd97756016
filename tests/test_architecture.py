"""The house rules of docs/architecture.md, checked on the source tree.

Imports go one way (views -> planning workflows -> planning.models /
planning.distances -> geodata), there are no import cycles between modules,
the models never import geopandas, and no module in planning/, geodata/ or
views/ grows past 600 lines.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("planning", "geodata", "views")
MAX_LINES = 600

# Rank of each layer: a module may import only modules of the same or a lower rank.
LAYERS = {
    "geodata": 0,
    "planning.models": 1,
    "planning.distances": 1,
    "planning": 2,
    "views": 3,
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _layer(module: str) -> int:
    best = None
    for prefix, rank in LAYERS.items():
        if (module == prefix or module.startswith(prefix + ".")) and (
            best is None or len(prefix) > len(best[0])
        ):
            best = (prefix, rank)
    assert best is not None, module
    return best[1]


def _imports(module: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                if node.level > 1:
                    base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names.add(target)
            for alias in node.names:
                names.add(f"{target}.{alias.name}")
    return {name for name in names if name in MODULES}


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def test_every_package_module_is_found():
    assert "planning.models.mclp" in MODULES and "geodata.model" in MODULES


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_layers(module):
    upward = sorted(dep for dep in GRAPH[module] if _layer(dep) > _layer(module))
    assert not upward, f"{module} imports from a higher layer: {upward}"


def test_models_never_import_geopandas():
    offenders = []
    for module, path in MODULES.items():
        if module.startswith("planning.models"):
            text = path.read_text(encoding="utf-8")
            if "import geopandas" in text or "from geopandas" in text:
                offenders.append(module)
    assert not offenders


def test_no_import_cycles():
    # Package __init__ modules re-export their children; an edge from a child to its own
    # package's __init__ is the only way such a re-export could loop, and it is a cycle too.
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(GRAPH[node]):
            if dep == node:
                continue
            if state.get(dep) == 1:
                parent_reexport = node.startswith(dep + ".")
                if not parent_reexport:
                    cycles.append([*stack[stack.index(dep) :], dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_short(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it by job (max {MAX_LINES})"


def test_architecture_doc_names_every_folder():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    folders = {
        str(path.relative_to(ROOT)).replace("\\", "/")
        for package in PACKAGES
        for path in (ROOT / package).rglob("__init__.py")
        if "data" not in path.parts
    }
    missing = sorted(f for f in (str(Path(f).parent) for f in folders) if f"`{f}/`" not in doc)
    assert not missing, f"docs/architecture.md does not describe {missing}"
