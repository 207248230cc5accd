"""Root conftest of the project's own tests.

Hypothesis profiles for this repository's tests are registered here at module
level and chosen with Hypothesis's own ``--hypothesis-profile``.  ``repo-ci``
extends Hypothesis's built-in ``ci`` profile (which Hypothesis loads by itself
when the ``CI`` environment variable is set) instead of redefining it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import HealthCheck, settings

from pytest_postpress.plugin.profiles import ci_parent

# The reference clients of examples/ are what the gallery of broken clients bends.
sys.path.insert(0, str(Path(__file__).resolve().parent / "examples"))

pytest_plugins = ["pytester"]

settings.register_profile("repo-dev", max_examples=50)
settings.register_profile("repo-ci", parent=ci_parent(), max_examples=200)

# The repository's own property tests prove what the strategies generate, not how fast a loaded machine runs
# them: Hypothesis's two timing checks (the 200 ms deadline per example and the too_slow health check) fail on
# a busy 2-core machine, a flaky verdict of our own.  Whatever profile is loaded (Hypothesis's default, or its
# ci profile when CI is set) is kept, without those two; the count-based health checks (filter_too_much,
# data_too_large, large_base_example) still run.  The generators' speed is measured in benchmarks/.
settings.register_profile(
    "repo-untimed",
    deadline=None,
    suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.too_slow],
)
settings.load_profile("repo-untimed")
