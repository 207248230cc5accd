"""The documentation: a short README, a site that builds, and a reference generated from the code.

The built site is checked against the code read independently of ``docs/_hooks.py`` (the fixtures from the
plugin's source, the markers from this run's own pytest configuration, the commands from ``cli.COMMANDS``), so a
generator that drops one fails here.
"""

from __future__ import annotations

import argparse
import ast
import html
import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
import yaml

from pytest_postpress import DOCUMENTED_ERRORS, ReconnectContract, _settings, cli
from pytest_postpress.rules import rules

ROOT = Path(__file__).resolve().parents[1]

# Every `##` section of the README before it was cut to the package page (issue 25), and the page of the site
# that holds it now: none is lost.
OLD_README_SECTIONS = {
    "Install": "getting-started.md",
    "Check your client": "getting-started.md",
    "Check a client in any language (`check`, `command_client`)": "any-language.md",
    "The contract suite in detail": "contract-suite.md",
    "The contract as data": "contract-data.md",
    "Strategies": "strategies.md",
    "Test doubles for your own tests (fixtures)": "test-doubles.md",
    "Run against staging": "staging.md",
    "Fuzz your client in CI": "ci-fuzzing.md",
    "The repository: quick start and development": "contributing.md",
}
# Its `###` sections, each now a `##` section of the page of the same title.
OLD_README_SUBSECTIONS = {
    "How strong is the suite: mutation testing": "contributing.md",
    "How the documentation is read": "contract-data.md",
    "Mutation kinds (`strategies.MUTATIONS`)": "strategies.md",
    "Why `variants=` instead of one strategy per variant": "strategies.md",
    "`postpress_mock`: a respx mock for httpx clients (sync and async)": "test-doubles.md",
    "`postpress_server`: the same on a real HTTP/1.1 server on 127.0.0.1": "test-doubles.md",
    "`postpress_httpx_mock` and `postpress_responses`: inside pytest-httpx and responses": "test-doubles.md",
    "`postpress_error`: run a test once per documented error": "test-doubles.md",
    "Settings fixtures": "test-doubles.md",
    "Standalone: `python -m pytest_postpress serve`": "test-doubles.md",
    "Steer `serve` from tests in any language": "test-doubles.md",
    "Keep what staging answered: record, replay, reproduce": "staging.md",
    "Speed": "contributing.md",
}
README_SECTIONS = [
    "Install",
    "Check your client",
    "Check a client in any language",
    "Test doubles in your own tests",
    "Documentation",
    "Contributing",
]
GENERATED_PAGES = {
    "index.md",
    "architecture.md",
    "changelog.md",
    "benchmarks.md",
    "rules.md",
    "reference/options.md",
    "reference/fixtures.md",
    "reference/checks.md",
    "reference/cli.md",
    "reference/report-schema.md",
    "reference/errors.md",
}


def nav_pages() -> list[str]:
    """Every page the navigation of mkdocs.yml lists."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def walk(node: Any) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [page for item in node for page in walk(item)]
        if isinstance(node, dict):
            return [page for value in node.values() for page in walk(value)]
        return []

    return walk(config["nav"])


def load_hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("postpress_docs_hooks", ROOT / "docs" / "_hooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_is_short_and_has_the_sections_the_issue_lists() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300
    assert re.findall(r"^## (.+)$", text, re.MULTILINE) == README_SECTIONS
    assert text.count("```sh\nbash scripts/run-example.sh") == 1
    assert "bash scripts/run-tests.sh" in text


def test_every_section_the_readme_lost_has_a_page_in_the_nav() -> None:
    pages = set(nav_pages())
    for section, page in {**OLD_README_SECTIONS, **OLD_README_SUBSECTIONS}.items():
        assert page in pages, f"{section!r} moved to {page}, which the nav of mkdocs.yml does not list"
        assert page in GENERATED_PAGES or (ROOT / "docs" / page).is_file(), page
    for section, page in OLD_README_SUBSECTIONS.items():
        assert f"\n## {section}\n" in (ROOT / "docs" / page).read_text(encoding="utf-8"), (section, page)


def test_every_page_in_the_nav_exists_or_is_generated() -> None:
    for page in nav_pages():
        assert page in GENERATED_PAGES or (ROOT / "docs" / page).is_file(), page
    written = {str(path.relative_to(ROOT / "docs")) for path in (ROOT / "docs").rglob("*.md")}
    assert not written & GENERATED_PAGES, "a generated page is also written by hand"


def test_readme_links_to_every_hand_written_page() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in nav_pages():
        if page not in GENERATED_PAGES:
            assert f"(docs/{page})" in text, page


# -- the built site ------------------------------------------------------------------------------------------


def build_site(out: Path) -> None:
    """``mkdocs build --strict`` of the repository's site into ``out``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTPRESS_")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def page_text(site: Path, page: str) -> str:
    """The text of a built page (``reference/options.md`` -> ``reference/options/index.html``), entities decoded."""
    path = site / (page.removesuffix(".md") + "/index.html" if page != "index.md" else "index.html")
    return html.unescape(path.read_text(encoding="utf-8"))


def plugin_fixture_names() -> set[str]:
    """The fixtures the plugin defines, read from its source: every function decorated with ``pytest.fixture``."""
    names = set()
    sources = [*(ROOT / "pytest_postpress" / "plugin").glob("*.py"), ROOT / "pytest_postpress/suite/contract.py"]
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                "fixture" in ast.unparse(decorator) for decorator in node.decorator_list
            ):
                names.add(node.name)
    return names


def test_built_site_lists_every_option_fixture_marker_check_command_and_error(
    tmp_path: Path, pytestconfig: pytest.Config
) -> None:
    # One build for every check of the site: it is the slow part (about 10 s, more on a loaded machine).
    build_site(tmp_path)
    missing: list[str] = []

    def need(page: str, *items: str) -> None:
        text = page_text(tmp_path, page)
        missing.extend(f"{page}: {item}" for item in items if item not in text)

    for option in _settings.OPTIONS:
        need("reference/options.md", option.flag, option.ini, option.env, f'id="{option.flag.lstrip("-")}"')

    fixtures = plugin_fixture_names()
    assert {"postpress_mock", "postpress_error", "postpress_reconnect", "postpress_base_url"} <= fixtures
    need("reference/fixtures.md", *(f'id="{name}"' for name in fixtures))

    markers = {line.split(":")[0].split("(")[0] for line in pytestconfig.getini("markers")}
    postpress_markers = {marker for marker in markers if marker.startswith("postpress_")}
    assert len(postpress_markers) >= 6
    need("reference/fixtures.md", *(f"@pytest.mark.{marker}" for marker in postpress_markers))

    checks = [name for name, _ in inspect.getmembers(ReconnectContract, inspect.isfunction) if name.startswith("test_")]
    need("reference/checks.md", *checks)

    assert {command.NAME for command in cli.COMMANDS} >= {"openapi", "errors", "rules", "serve", "check"}
    for command in cli.COMMANDS:
        need("reference/cli.md", f'id="{command.NAME}"', f"pytest-postpress {command.NAME}")
    for command in cli.COMMANDS:
        if getattr(command, "RAW", False):
            parser = command.build_parser()
        else:
            parser = argparse.ArgumentParser()
            command.configure(parser)
        need("reference/cli.md", *(flag for action in parser._actions for flag in action.option_strings))

    need("reference/errors.md", *(f"{error.id}" for error in DOCUMENTED_ERRORS), *(e.type for e in DOCUMENTED_ERRORS))
    need("rules.md", *(f'id="rule-{number}"' for number in rules()))
    need("reference/report-schema.md", '"pytest-postpress-report/1"', "checks_could_not_run")
    need("index.md", "Check your client")
    assert not missing, "missing from the built site:\n" + "\n".join(missing)


# -- the generator picks up what is added to the code ------------------------------------------------------


def test_a_new_option_appears_on_the_options_page(monkeypatch: pytest.MonkeyPatch) -> None:
    hooks = load_hooks()
    extra = _settings.Option("shiny_new", "a setting added after the docs were written", "int", 7)
    monkeypatch.setattr(_settings, "OPTIONS", (*_settings.OPTIONS, extra))
    page = hooks.options_page()
    assert "| `--postpress-shiny-new` | `postpress_shiny_new` | `POSTPRESS_SHINY_NEW` | `7` |" in page
    assert "a setting added after the docs were written" in page


def test_the_options_page_never_shows_the_default_key() -> None:
    page = load_hooks().options_page()
    assert _settings.DEFAULT_API_KEY not in page
    assert "a fake key (hidden)" in page


def test_a_new_command_appears_on_the_cli_page(monkeypatch: pytest.MonkeyPatch) -> None:
    hooks = load_hooks()

    def configure(parser: Any) -> None:
        parser.add_argument("--sparkle", help="how much to sparkle")

    command = SimpleNamespace(NAME="polish", HELP="polish the contract", configure=configure, run=None)
    monkeypatch.setattr(cli, "COMMANDS", (*cli.COMMANDS, command))
    page = hooks.cli_page()
    assert "## `polish` {#polish}" in page
    assert "--sparkle" in page
    assert "how much to sparkle" in page


def test_a_hand_written_page_cannot_shadow_a_generated_one(tmp_path: Path) -> None:
    hooks = load_hooks()
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files

    config = MkDocsConfig()
    config.load_dict({"site_name": "x", "docs_dir": str(tmp_path), "site_dir": str(tmp_path / "site")})
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "options.md").write_text("# Options, by hand\n", encoding="utf-8")
    files = Files([File("reference/options.md", str(tmp_path), str(tmp_path / "site"), use_directory_urls=True)])
    with pytest.raises(ValueError, match=r"docs/reference/options.md is generated by docs/_hooks.py"):
        hooks.on_files(files, config)
