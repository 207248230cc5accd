"""Mutation testing of the contract suite: how many mutants of a client does the suite kill?

Runs mutmut 3 (``pip install -e . --group mutation``) on each reference client with its contract-suite class as the
test command, in a scratch workspace per client (the repository is never touched), then prints, per client:
killed / survived / not reached, the surviving mutants that are listed as equivalent in
``benchmarks/mutation-equivalent.txt`` (each with its reason), and the score over the non-equivalent mutants.
A surviving mutant that is not on the list is printed with its diff: kill it with a better check, or list it
(reviewed like code).  Exit status 1 when any in-scope mutant survived unlisted or was not reached.

    python benchmarks/mutation.py                      # the three reference clients
    python benchmarks/mutation.py --client requests    # one of them
    python benchmarks/mutation.py --source my_client.py --tests tests/test_my_client.py::TestMyClient

Fuzz checks run a derandomized profile (``--examples`` per check), so a run's figures are reproducible.
Heavy: on a shared machine, wrap it in ``flock /tmp/postpress-heavy.lock``.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT_FILE = Path(__file__).resolve().parent / "mutation-equivalent.txt"


@dataclass(frozen=True)
class Target:
    """One client: the files mutated, the files only copied, the suite class, and which functions are its own."""

    name: str
    mutate: tuple[Path, ...]
    tests: str  # path::Class of the ReconnectContract subclass
    copy: tuple[Path, ...] = ()
    # Functions ("module.Class.method" or "module.function", fnmatch patterns) of the mutated files that belong
    # to another client: their mutants are out of this client's scope, never counted.
    outside: tuple[str, ...] = ()


_HTTPX, _REQUESTS = ROOT / "examples" / "postpress_httpx.py", ROOT / "examples" / "postpress_requests.py"
TARGETS = {
    target.name: target
    for target in (
        Target(
            "httpx-sync",
            (_HTTPX,),
            "examples/test_httpx_client.py::TestHttpxClient",
            outside=("postpress_httpx._AsyncAccounts.*", "postpress_httpx.AsyncPostpressClient.*"),
        ),
        Target(
            "httpx-async",
            (_HTTPX,),
            "examples/test_httpx_client.py::TestAsyncHttpxClient",
            outside=("postpress_httpx._Accounts.*", "postpress_httpx.PostpressClient.*"),
        ),
        Target(
            "requests",
            (_REQUESTS, _HTTPX),  # its helpers (account_path, encode_body, PostpressError) live in postpress_httpx
            "examples/test_requests_client.py::TestRequestsClient",
            outside=(
                "postpress_httpx.read_response",
                "postpress_httpx._Accounts.*",
                "postpress_httpx._AsyncAccounts.*",
                "postpress_httpx.PostpressClient.*",
                "postpress_httpx.AsyncPostpressClient.*",
            ),
        ),
    )
}

CONFTEST = """
from hypothesis import settings
from pytest_postpress.plugin.profiles import ci_parent

# Derandomized: every mutant meets the same examples, so the figures are reproducible.
settings.register_profile("postpress-mutation", parent=ci_parent(), max_examples={examples})
"""

PYPROJECT = """
[tool.mutmut]
source_paths = {mutate}
also_copy = {copy}
pytest_add_cli_args_test_selection = [{tests!r}]
pytest_add_cli_args = ["-p", "no:cacheprovider", "--hypothesis-profile=postpress-mutation"]
use_git_change_detection = false
"""

_STATUS = {"killed": "killed", "timeout": "killed", "survived": "survived", "no tests": "not reached"}


@dataclass(frozen=True)
class Equivalent:
    """An entry of the triage file: a function, the lines a mutant removes and adds, and why no one would care."""

    function: str
    removed: tuple[str, ...]
    added: tuple[str, ...]
    why: str
    line: int


@dataclass
class Result:
    """What one client's run found, in scope."""

    name: str
    counts: Counter[str] = field(default_factory=Counter)
    equivalent: list[tuple[str, Equivalent]] = field(default_factory=list)
    unlisted: list[tuple[str, str]] = field(default_factory=list)  # (mutant, diff)
    not_reached: list[str] = field(default_factory=list)
    other: list[tuple[str, str]] = field(default_factory=list)  # (mutant, mutmut status)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def score(self) -> float:
        relevant = self.total - len(self.equivalent)
        return 100.0 * self.counts["killed"] / relevant if relevant else 100.0


def _norm(line: str) -> str:
    return " ".join(line.split())


def load_equivalents(path: Path) -> list[Equivalent]:
    """Parse the triage file: blocks of ``[module.function]``, ``- old`` / ``+ new`` lines, ``why: ...``."""
    entries: list[Equivalent] = []
    function: str | None = None
    removed: list[str] = []
    added: list[str] = []
    start = 0
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            if function is not None:
                raise SystemExit(f"{path}:{start}: entry [{function}] has no 'why:' line")
            function, removed, added, start = line[1:-1], [], [], number
        elif function is None:
            raise SystemExit(f"{path}:{number}: expected an entry header such as [postpress_httpx.encode_body]")
        elif line.startswith("- ") or line == "-":
            removed.append(_norm(line[1:]))
        elif line.startswith("+ ") or line == "+":
            added.append(_norm(line[1:]))
        elif line.startswith("why:") and line[4:].strip():
            if not removed and not added:
                raise SystemExit(f"{path}:{start}: entry [{function}] has no '-' or '+' line")
            entries.append(Equivalent(function, tuple(removed), tuple(added), line[4:].strip(), start))
            function = None
        else:
            raise SystemExit(f"{path}:{number}: expected '- old line', '+ new line' or 'why: reason', got {raw!r}")
    if function is not None:
        raise SystemExit(f"{path}:{start}: entry [{function}] has no 'why:' line")
    return entries


def function_of(mutant: str) -> str:
    """``postpress_httpx.xǁ_AccountsǁReconnect__mutmut_3`` -> ``postpress_httpx._Accounts.reconnect``."""
    module, _, mangled = mutant.rpartition(".")
    mangled = re.sub(r"__mutmut_\d+$", "", mangled)
    if mangled.startswith("xǁ"):
        return f"{module}." + ".".join(part for part in mangled[2:].split("ǁ") if part)
    return f"{module}.{mangled.removeprefix('x_')}"


def diff_lines(diff: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    lines = [line for line in diff.splitlines() if not line.startswith(("---", "+++"))]
    removed = tuple(_norm(line[1:]) for line in lines if line.startswith("-"))
    added = tuple(_norm(line[1:]) for line in lines if line.startswith("+"))
    return removed, added


def _mutmut(workspace: Path, *args: str, log: Path | None = None) -> str:
    command = [sys.executable, "-m", "mutmut", *args]
    if log is None:
        done = subprocess.run(command, cwd=workspace, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"mutmut {' '.join(args)} failed in {workspace}:\n{done.stdout}\n{done.stderr}")
        return done.stdout
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(command, cwd=workspace, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise SystemExit(f"mutmut {' '.join(args)} failed (log: {log}):\n{tail}")
    return ""


def prepare(target: Target, workspace: Path, examples: int) -> None:
    """A scratch project: the client files at the top (importable by name), the suite class under tests/."""
    test_file, _, test_class = target.tests.partition("::")
    for source in (*target.mutate, *target.copy):
        shutil.copy2(source, workspace / source.name)
    (workspace / "tests").mkdir()
    shutil.copy2(ROOT / test_file, workspace / "tests" / Path(test_file).name)
    (workspace / "tests" / "conftest.py").write_text(CONFTEST.format(examples=examples), encoding="utf-8")
    selection = f"tests/{Path(test_file).name}" + (f"::{test_class}" if test_class else "")
    (workspace / "pyproject.toml").write_text(
        PYPROJECT.format(
            mutate=[source.name for source in target.mutate],
            copy=[source.name for source in target.copy],
            tests=selection,
        ).replace("'", '"'),
        encoding="utf-8",
    )


def run(target: Target, workspace: Path, equivalents: list[Equivalent], used: set[int], children: int) -> Result:
    result = Result(target.name)
    start = time.monotonic()
    _mutmut(workspace, "run", "--max-children", str(children), log=workspace / "mutmut-run.log")
    result.seconds = time.monotonic() - start
    for line in _mutmut(workspace, "results", "--all", "true").splitlines():
        mutant, _, status = line.strip().rpartition(": ")
        if not mutant:
            continue
        function = function_of(mutant)
        if any(fnmatch.fnmatchcase(function, pattern) for pattern in target.outside):
            continue
        kind = _STATUS.get(status)
        if kind is None:
            result.other.append((mutant, status))
            result.counts["other"] += 1
            continue
        result.counts[kind] += 1
        if kind == "not reached":
            result.not_reached.append(mutant)
        elif kind == "survived":
            diff = _mutmut(workspace, "show", mutant)
            removed, added = diff_lines(diff)
            match = next(
                (e for e in equivalents if e.function == function and (e.removed, e.added) == (removed, added)), None
            )
            if match is None:
                result.unlisted.append((mutant, diff))
            else:
                used.add(match.line)
                result.equivalent.append((mutant, match))
    return result


def report(result: Result) -> None:
    counts = result.counts
    print(
        f"{result.name}: {result.total} mutants in scope: {counts['killed']} killed, {counts['survived']} survived "
        f"({len(result.equivalent)} listed equivalent, {len(result.unlisted)} not listed), "
        f"{counts['not reached']} not reached"
        + (f", {counts['other']} other" if counts["other"] else "")
        + f"; score {result.score:.1f}% of {result.total - len(result.equivalent)} non-equivalent mutants"
        f" ({result.seconds:.0f} s)"
    )
    for mutant, status in result.other:
        print(f"  {status.upper()}: {mutant}")
    for mutant in result.not_reached:
        print(f"  NOT REACHED (no check calls it): {mutant}")
    for mutant, diff in result.unlisted:
        print(f"  SURVIVED, NOT LISTED: {mutant}")
        removed, added = diff_lines(diff)
        print(f"    [{function_of(mutant)}]")
        for line in removed:
            print(f"    - {line}")
        for line in added:
            print(f"    + {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--client", action="append", choices=sorted(TARGETS), help="a reference client (repeatable)")
    parser.add_argument("--source", action="append", type=Path, help="your client's file(s) to mutate")
    parser.add_argument("--also", action="append", type=Path, default=[], help="file(s) to copy, not mutate")
    parser.add_argument("--tests", help="with --source: your test file, path.py::TestClass (a ReconnectContract)")
    parser.add_argument("--equivalent", type=Path, default=EQUIVALENT_FILE, help="the triage file")
    parser.add_argument("--examples", type=int, default=30, help="examples per fuzz check (default 30)")
    parser.add_argument("--max-children", type=int, default=2, help="mutants run in parallel (default 2)")
    parser.add_argument("--keep", type=Path, help="keep the workspaces under this folder (mutmut browse there)")
    args = parser.parse_args(argv)
    try:
        import mutmut  # noqa: F401
    except ImportError:
        parser.error("mutmut is not installed: pip install -e . --group mutation (mutmut 3)")
    if args.source:
        if not args.tests or args.client:
            parser.error("--source needs --tests path.py::TestClass, and excludes --client")
        missing = [
            str(path) for path in [*args.source, *args.also, Path(args.tests.partition("::")[0])] if not path.is_file()
        ]
        if missing:
            parser.error(f"no such file: {', '.join(missing)}")
        test_file, _, test_class = args.tests.partition("::")
        tests = str(Path(test_file).resolve()) + (f"::{test_class}" if test_class else "")  # ROOT / absolute = it
        targets = [
            Target(
                "your client",
                tuple(path.resolve() for path in args.source),
                tests,
                tuple(path.resolve() for path in args.also),
            )
        ]
    else:
        targets = [TARGETS[name] for name in (args.client or list(TARGETS))]
    equivalents = load_equivalents(args.equivalent) if args.equivalent.is_file() else []
    used: set[int] = set()
    results: list[Result] = []
    for target in targets:
        base = args.keep.resolve() if args.keep else None
        if base is not None:
            base.mkdir(parents=True, exist_ok=True)
        workspace = Path(tempfile.mkdtemp(prefix=f"mutation-{target.name.replace(' ', '-')}-", dir=base))
        try:
            prepare(target, workspace, args.examples)
            print(
                f"{target.name}: mutating {', '.join(p.name for p in target.mutate)} against {target.tests}", flush=True
            )
            results.append(run(target, workspace, equivalents, used, args.max_children))
        finally:
            if base is None:
                shutil.rmtree(workspace, ignore_errors=True)
            else:
                print(f"  workspace kept: {workspace}")
        report(results[-1])
    if not args.source and not args.client:
        for entry in equivalents:
            if entry.line not in used:
                print(f"STALE: {args.equivalent.name}:{entry.line} [{entry.function}] matched no surviving mutant")
    print(f"equivalent mutants listed in {args.equivalent}: {len(equivalents)} entries")
    failed = any(result.unlisted or result.not_reached or result.other for result in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
