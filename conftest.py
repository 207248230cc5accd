"""Root conftest of the project's own tests.

Hypothesis profiles for this repository's tests are registered here at module
level and chosen with Hypothesis's own ``--hypothesis-profile``.  ``repo-ci``
extends Hypothesis's built-in ``ci`` profile (which Hypothesis loads by itself
when the ``CI`` environment variable is set) instead of redefining it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import settings

from pytest_postpress.plugin.profiles import ci_parent

# The reference clients of examples/ are what the gallery of broken clients bends.
sys.path.insert(0, str(Path(__file__).resolve().parent / "examples"))

pytest_plugins = ["pytester"]

settings.register_profile("repo-dev", max_examples=50)
settings.register_profile("repo-ci", parent=ci_parent(), max_examples=200)
