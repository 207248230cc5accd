"""Hypothesis profiles for the contract suite, registered when this module is imported.

Choose one with Hypothesis's own option: ``pytest --hypothesis-profile=postpress-ci``.

``postpress-dev``
    Fast local runs: 25 examples per fuzz check, no deadline, example database on.
``postpress-ci``
    Extends Hypothesis's built-in ``ci`` profile (derandomized, no deadline,
    no database, ``print_blob``) with 200 examples per fuzz check: the same
    examples on every run, so CI never flakes, and enough of them to matter.
``postpress-fuzz``
    Nightly or on demand: 2,000 examples per fuzz check, randomised, example
    database on (cache ``.hypothesis/`` between runs), ``print_blob``.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings

__all__ = ["ci_parent"]


def ci_parent() -> settings:
    """Hypothesis's built-in ``ci`` profile, or its equivalent on releases before 6.116 that lack it."""
    try:
        return settings.get_profile("ci")
    except Exception:  # Hypothesis releases before the built-in "ci" profile
        return settings(
            derandomize=True,
            deadline=None,
            database=None,
            print_blob=True,
            suppress_health_check=[HealthCheck.too_slow],
        )


# Hypothesis loads its "ci" profile by itself when the CI variable is set, and a profile registered without a
# parent extends whatever is loaded: the randomised profiles name Hypothesis's "default" profile as their parent
# so that they stay randomised, with an example database, on CI machines too.
settings.register_profile("postpress-dev", parent=settings.get_profile("default"), max_examples=25, deadline=None)
settings.register_profile("postpress-ci", parent=ci_parent(), max_examples=200)
settings.register_profile(
    "postpress-fuzz", parent=settings.get_profile("default"), max_examples=2000, deadline=None, print_blob=True
)
