"""Benchmark: valid request bodies per second, strategies.reconnect_bodies() against a from_schema baseline.

Not a test: it prints figures and never fails on them.  It times what a
property test pays: a ``@given`` run of ``N`` examples (generate phase only,
no database, no deadline, health checks off so that a slow baseline still
finishes), collecting each body.  Validity is judged afterwards, outside the
timed part, with ``pytest_postpress.validate_reconnect_body`` plus "matches
exactly one variant"; the rate counts valid bodies only.

The baseline is ``hypothesis_jsonschema.from_schema(request_body_schema())``.
It crashes on object schemas from Hypothesis 6.170.10 on ("'many' object has no
attribute 'more'"), so it runs in a subprocess of another virtualenv that pins
an older Hypothesis.  The script creates it when missing (6.170.9 is the newest release where the
baseline still works); by hand::

    python3 -m venv .venv-baseline
    .venv-baseline/bin/pip install -e . "hypothesis==6.170.9" "hypothesis-jsonschema==0.23.1"

Then, from the repository root::

    .venv/bin/python benchmarks/bench_strategies.py
    .venv/bin/python benchmarks/bench_strategies.py --baseline-python .venv-oldest/bin/python --examples 5000

Three runs are made, one after the other on this machine: ``reconnect_bodies()``
under this interpreter's Hypothesis, the baseline under the baseline
interpreter's, and ``reconnect_bodies()`` again under the baseline
interpreter's, so the ratio is also given for one and the same Hypothesis.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BASELINE_PYTHON = ROOT / ".venv-baseline" / "bin" / "python"
BASELINE_HYPOTHESIS = "6.170.9"
PINS = (f"hypothesis=={BASELINE_HYPOTHESIS}", "hypothesis-jsonschema==0.23.1")
GOAL = 10.0  # issue 14: reconnect_bodies() at least 10x the baseline, both on Hypothesis 6.170.9


def measure(which: str, examples: int) -> dict[str, Any]:
    """Draw ``examples`` bodies with a plain @given run; return the timing and the per-variant counts."""
    import hypothesis
    from hypothesis import HealthCheck, Phase, given, settings

    from pytest_postpress.schema import VARIANTS, request_body_schema
    from pytest_postpress.validation import matching_variants, validate_reconnect_body

    if which == "ours":
        import strategies

        strategy = strategies.reconnect_bodies()
        label = "strategies.reconnect_bodies()"
    else:
        from hypothesis_jsonschema import from_schema

        strategy = from_schema(request_body_schema())
        label = "hypothesis_jsonschema.from_schema(request_body_schema())"

    bodies: list[Any] = []

    @given(strategy)
    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def collect(body: Any) -> None:
        bodies.append(body)

    # Build the strategy before the clock starts: a property test pays that once per session.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        strategy.validate()
        started = time.perf_counter()
        collect()
        seconds = time.perf_counter() - started

    per_variant: Counter[str] = Counter()
    invalid = 0
    for body in bodies:
        matches = matching_variants(body)
        if len(matches) == 1 and not validate_reconnect_body(body):
            per_variant[matches[0]] += 1
        else:
            invalid += 1
    valid = sum(per_variant.values())
    return {
        "label": label,
        "hypothesis": hypothesis.__version__,
        "drawn": len(bodies),
        "valid": valid,
        "invalid": invalid,
        "seconds": seconds,
        "rate": valid / seconds if seconds else 0.0,
        "per_variant": {name: per_variant.get(name, 0) for name in VARIANTS},
    }


def in_subprocess(python: Path, which: str, examples: int) -> dict[str, Any]:
    result = subprocess.run(
        [str(python), str(Path(__file__).resolve()), "--worker", which, "--examples", str(examples)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"{python} {which} failed:\n{result.stderr}")
    loaded: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def show(run: dict[str, Any]) -> None:
    print(f"  {run['label']}  (Hypothesis {run['hypothesis']})")
    print(
        f"    {run['valid']} valid of {run['drawn']} drawn in {run['seconds']:.2f} s: {run['rate']:.0f} valid bodies/s"
    )


def make_baseline_venv() -> None:
    """Create ``.venv-baseline`` (the project with Hypothesis 6.170.9, the newest where the baseline works)."""
    folder = DEFAULT_BASELINE_PYTHON.parent.parent
    print(f"creating {folder} with Hypothesis {BASELINE_HYPOTHESIS} ...", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    subprocess.run(
        [str(DEFAULT_BASELINE_PYTHON), "-m", "pip", "install", "-q", "-e", str(ROOT), *PINS],
        check=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=5000, help="examples for reconnect_bodies() (default 5000)")
    parser.add_argument("--baseline-examples", type=int, default=500, help="examples for the baseline (default 500)")
    parser.add_argument("--baseline-python", type=Path, default=DEFAULT_BASELINE_PYTHON)
    parser.add_argument("--worker", choices=["ours", "baseline"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.worker:
        print(json.dumps(measure(arguments.worker, arguments.examples)))
        return
    if not arguments.baseline_python.exists():
        if arguments.baseline_python != DEFAULT_BASELINE_PYTHON:
            raise SystemExit(f"no baseline interpreter at {arguments.baseline_python}: see the top of {__file__}")
        make_baseline_venv()

    ours = measure("ours", arguments.examples)
    baseline = in_subprocess(arguments.baseline_python, "baseline", arguments.baseline_examples)
    ours_there = in_subprocess(arguments.baseline_python, "ours", arguments.examples)

    print(f"Valid bodies per second (Python {sys.version.split()[0]}, one machine, one run):")
    show(ours)
    show(baseline)
    show(ours_there)
    ratio = ours["rate"] / baseline["rate"]
    print(f"  ratio, reconnect_bodies() on Hypothesis {ours['hypothesis']} / baseline: {ratio:.1f}x")
    same = ours_there["rate"] / baseline["rate"]
    verdict = "met" if same >= GOAL else "NOT met"
    print(f"  ratio, both on Hypothesis {baseline['hypothesis']}: {same:.1f}x  (goal: at least {GOAL:g}x: {verdict})")
    print()
    names = list(ours["per_variant"])
    width = max(map(len, names))
    print(f"  {'variant':<{width}}  {'ours':>7}  {'baseline':>8}  {'ours (same Hypothesis)':>22}")
    for name in names:
        print(
            f"  {name:<{width}}  {ours['per_variant'][name]:>7}  {baseline['per_variant'][name]:>8}  "
            f"{ours_there['per_variant'][name]:>22}"
        )
    missing = [name for name in names if baseline["per_variant"][name] == 0]
    print(f"  variants the baseline never produced: {', '.join(missing) or 'none'}")


if __name__ == "__main__":
    main()
