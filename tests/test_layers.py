"""The layers of ARCHITECTURE.md stay true: every import of every module (function-level ones included) goes down."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pytest_postpress"

CONTRACT = {
    "schema",
    "catalog",
    "validation",
    "samples",
    "openapi",
    "_formats",
    "rules",
    "errors",
    "_redact",
    "_settings",
    "_report_page",
}
# What each layer may import of ours (by the first component under pytest_postpress; "" is the package root).
ALLOWED = {
    "contract": CONTRACT | {""},
    "_keys": CONTRACT | {""},
    "strategies": CONTRACT | {"", "strategies"},
    "doubles": CONTRACT | {"", "doubles"},
    "suite": CONTRACT | {"", "_keys", "strategies", "doubles", "suite"},
    "plugin": CONTRACT | {"", "_keys", "strategies", "doubles", "suite", "plugin"},
    # The command line: each command imports what it runs (check: the suite; serve: the doubles).
    "cli": CONTRACT | {"", "doubles", "suite", "cli"},
    "__main__": {"cli"},
}


def _layer(module: str) -> str:
    part = module.split(".")[1] if "." in module else ""
    if part in CONTRACT or part == "":
        return "contract"
    return part


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.append((name, path))
    return found


def _imports(module: str, path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names.append(target)
            # `from pytest_postpress import strategies` imports a subpackage: count it as such.
            names.extend(
                f"{target}.{alias.name}"
                for alias in node.names
                if target == "pytest_postpress" and _is_module(alias.name)
            )
    return names


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name / "__init__.py").is_file()


def _ours(name: str) -> str | None:
    if name == "pytest_postpress":
        return ""
    if name.startswith("pytest_postpress."):
        return name.split(".")[1]
    return None


MODULES = _modules()


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[module for module, _ in MODULES])
def test_imports_go_down(module: str, path: Path) -> None:
    layer = _layer(module)
    allowed = ALLOWED[layer]
    wrong = sorted(
        name
        for name in _imports(module, path)
        if (part := _ours(name)) is not None and part not in allowed and not _is_lazy_root(module, name)
    )
    assert not wrong, f"{module} (layer {layer!r}) imports {wrong}; it may import only {sorted(allowed)}"


def _is_lazy_root(module: str, name: str) -> bool:
    # pytest_postpress/__init__.py names its public objects for TYPE_CHECKING only and imports them lazily (PEP 562).
    return module == "pytest_postpress"


def test_nothing_outside_plugin_imports_plugin() -> None:
    offenders = [
        module
        for module, path in MODULES
        if _layer(module) != "plugin" and any(_ours(name) == "plugin" for name in _imports(module, path))
    ]
    top = ROOT / "strategies" / "__init__.py"
    if any(_ours(name) == "plugin" for name in _imports("strategies", top)):
        offenders.append("strategies")
    assert not offenders


def test_the_package_never_imports_the_top_level_strategies() -> None:
    offenders = [
        module
        for module, path in MODULES
        if any(name == "strategies" or name.startswith("strategies.") for name in _imports(module, path))
    ]
    assert not offenders, f"{offenders} import the top-level 'strategies'; use pytest_postpress.strategies"


def test_the_check_itself_can_fail(tmp_path: Path) -> None:
    # An upward import is seen, whether at module level or inside a function.
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from pytest_postpress.plugin import fixtures\n", encoding="utf-8")
    assert "pytest_postpress.plugin" in _imports("pytest_postpress.doubles.bad", bad)
    assert _ours("pytest_postpress.plugin") not in ALLOWED["doubles"]
