"""The code examples of the README and of the pages under docs/ run, so the docs cannot drift from the API.

- A ``python`` block with a file name (```` ```python title="test_my_client.py" ````) is a complete file. The test
  files of a page are run with pytest (pytester), next to the page's other named files and a ``myclient.py``
  standing for the reader's client (the project's reference client, ``examples/postpress_httpx.py``).
- A ``pycon`` block (``>>>``) is run as a doctest.
- A ``python`` block without a file name is a fragment (``...`` where the reader's code goes): it must compile.
- A ``yaml`` block (the CI jobs) must parse.
"""

from __future__ import annotations

import doctest
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests._node import node_executable

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
_FENCE = re.compile(r"^```(?P<lang>[\w-]*)(?P<info>[^\n]*)\n(?P<code>.*?)^```$", re.MULTILINE | re.DOTALL)
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')

# The reader's client, as the examples name it: the project's reference httpx client.
MYCLIENT = (ROOT / "examples" / "postpress_httpx.py").read_text(encoding="utf-8") + (
    "\n\nMyClient = PostpressClient\nMyAsyncClient = AsyncPostpressClient\nReconnectError = PostpressError\n"
)


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    lang: str
    title: str | None
    code: str


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        title = _TITLE.search(match["info"])
        found.append(
            Block(
                page=str(page.relative_to(ROOT)),
                line=text.count("\n", 0, match.start()) + 1,
                lang=match["lang"],
                title=title["title"] if title else None,
                code=match["code"],
            )
        )
    return found


ALL_BLOCKS = [block for page in PAGES for block in blocks(page)]
FILE_PAGES = sorted({block.page for block in ALL_BLOCKS if block.lang == "python" and block.title})


def test_the_examples_that_run_are_found() -> None:
    # A change of the fence syntax must not turn every example into nothing to run.
    assert set(FILE_PAGES) >= {
        "README.md",
        "docs/getting-started.md",
        "docs/contract-suite.md",
        "docs/any-language.md",
        "docs/test-doubles.md",
    }
    assert any(block.lang == "pycon" for block in ALL_BLOCKS)


@pytest.mark.parametrize("page", FILE_PAGES)
def test_the_named_files_of_a_page_pass(page: str, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [block for block in ALL_BLOCKS if block.page == page and block.lang == "python" and block.title]
    names = [block.title for block in files]
    assert len(names) == len(set(names)), f"{page}: two examples named the same: {names}"
    for key in [key for key in os.environ if key.startswith("POSTPRESS_")]:
        monkeypatch.delenv(key)  # the examples run on the defaults, whatever the caller's environment
    pytester.makepyfile(myclient=MYCLIENT)
    for block in files:
        assert block.title is not None
        (pytester.path / block.title).write_text(block.code, encoding="utf-8")
    if any("node" in block.code for block in files):
        node_executable()  # skips (fails under CI) without Node 18+, as the project's Node tests do
        # A copy, not a symlink: cli.mjs runs only as the main module, which node tells by its resolved path.
        shutil.copytree(ROOT / "examples" / "node", pytester.path / "examples" / "node")
    # The fuzz checks are deselected: they run on this same client in examples/ (bash scripts/run-example.sh).
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-m", "not postpress_fuzz", "-q")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) > 0, result.stdout.str()
    assert "failed" not in outcomes, result.stdout.str()
    assert "errors" not in outcomes, result.stdout.str()
    assert "error" not in outcomes, result.stdout.str()


@pytest.mark.parametrize("block", [b for b in ALL_BLOCKS if b.lang == "pycon"], ids=lambda b: f"{b.page}:{b.line}")
def test_doctest_blocks_print_what_they_show(block: Block) -> None:
    test = doctest.DocTestParser().get_doctest(block.code, {}, block.page, block.page, block.line)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    failures: list[str] = []
    runner.run(test, out=failures.append)
    assert runner.summarize(verbose=False).failed == 0, "".join(failures)
    assert test.examples


@pytest.mark.parametrize(
    "block", [b for b in ALL_BLOCKS if b.lang == "python" and not b.title], ids=lambda b: f"{b.page}:{b.line}"
)
def test_fragments_compile(block: Block) -> None:
    compile(block.code, f"{block.page}:{block.line}", "exec")


@pytest.mark.parametrize("block", [b for b in ALL_BLOCKS if b.lang == "yaml"], ids=lambda b: f"{b.page}:{b.line}")
def test_yaml_blocks_parse(block: Block) -> None:
    assert yaml.safe_load(block.code)
