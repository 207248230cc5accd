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
    "_version",
    "_compat",
}
# What each layer may import of ours (by the first component under pytest_postpress; "" is a name of the package
# root, such as `from pytest_postpress import __version__`: only the top, the plugin and the command line, may).
ALLOWED = {
    "contract": CONTRACT,
    "_keys": CONTRACT,
    "strategies": CONTRACT | {"strategies"},
    "doubles": CONTRACT | {"doubles"},
    "suite": CONTRACT | {"_keys", "strategies", "doubles", "suite"},
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
            if target != "pytest_postpress":
                names.append(target)
                continue
            # `from pytest_postpress import strategies` imports a subpackage: count it as such; any other name
            # (`__version__`, `ReconnectContract`) is a name of the package root.
            for alias in node.names:
                names.append(f"{target}.{alias.name}" if _is_module(alias.name) else target)
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


def test_no_layer_below_the_plugin_imports_a_name_of_the_package_root(tmp_path: Path) -> None:
    below = [layer for layer in ALLOWED if layer not in {"plugin", "cli", "__main__"}]
    assert below, ALLOWED
    assert all("" not in ALLOWED[layer] for layer in below)
    # The check sees such an import (the arrow back up that `from pytest_postpress import __version__` once was),
    # and tells it apart from importing a submodule through the root.
    bad = tmp_path / "bad.py"
    bad.write_text("from pytest_postpress import __version__, catalog\n", encoding="utf-8")
    seen = _imports("pytest_postpress.doubles.bad", bad)
    assert seen == ["pytest_postpress", "pytest_postpress.catalog"]
    assert _ours(seen[0]) == ""
    assert _ours(seen[0]) not in ALLOWED["doubles"]
    assert _ours(seen[1]) in ALLOWED["doubles"]


def test_the_check_itself_can_fail(tmp_path: Path) -> None:
    # An upward import is seen, whether at module level or inside a function.
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from pytest_postpress.plugin import fixtures\n", encoding="utf-8")
    assert "pytest_postpress.plugin" in _imports("pytest_postpress.doubles.bad", bad)
    assert _ours("pytest_postpress.plugin") not in ALLOWED["doubles"]


def _hook_wrappers(path: Path) -> list[str]:
    """The hooks a module implements as wrappers (`@pytest.hookimpl(wrapper=True)` or `hookwrapper=True`)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef) or not node.name.startswith("pytest_"):
            continue
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call) and any(
                keyword.arg in {"wrapper", "hookwrapper"} for keyword in decorator.keywords
            ):
                found.append(node.name)
    return found


def test_each_hook_wrapper_lives_in_one_place() -> None:
    # Wrappers of one hook in several modules run in an order set by registration and tryfirst: one place each.
    places: dict[str, list[str]] = {}
    for module, path in MODULES:
        for hook in _hook_wrappers(path):
            places.setdefault(hook, []).append(module)
    assert "pytest_runtest_makereport" in places, places
    twice = {hook: modules for hook, modules in places.items() if len(modules) > 1}
    assert not twice, f"hook wrappers written in more than one place: {twice}"


def test_the_hook_wrapper_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import pytest\n\n@pytest.hookimpl(wrapper=True, tryfirst=True)\ndef pytest_runtest_makereport(item, call):\n"
        "    return (yield)\n",
        encoding="utf-8",
    )
    assert _hook_wrappers(bad) == ["pytest_runtest_makereport"]
