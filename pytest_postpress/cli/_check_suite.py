"""The test class ``check`` runs: the contract suite whose client is the program given on the command line.

``check`` hands pytest a :class:`CheckedProgram` as a plugin object (``pytest.main(plugins=[...])``); its
``pytest_configure`` puts it in the config's stash, where this class's fixtures read it. Under pytest-xdist the
workers get it from the controller as ``workerinput`` (xdist's way to hand data to workers), since a plugin object
does not travel to other processes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pytest

from pytest_postpress.suite._command import command_client
from pytest_postpress.suite.contract import ReconnectContract

CHECKED_PROGRAM = pytest.StashKey["CheckedProgram"]()
_WORKER_INPUT = "postpress_checked_program"


@dataclass(frozen=True)
class CheckedProgram:
    """The program under check and how to run it: a pytest plugin object for ``pytest.main(plugins=[...])``."""

    argv: Sequence[str]
    persistent: bool
    timeout: float
    client_timeout: float | None

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[CHECKED_PROGRAM] = self

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        """pytest-xdist, on the controller: hand the program to each worker."""
        node.workerinput[_WORKER_INPUT] = asdict(self)


def _checked_program(config: pytest.Config) -> CheckedProgram:
    if CHECKED_PROGRAM not in config.stash:
        fields = config.workerinput[_WORKER_INPUT]  # type: ignore[attr-defined]  # set by pytest-xdist
        config.stash[CHECKED_PROGRAM] = CheckedProgram(**{**fields, "argv": tuple(fields["argv"])})
    return config.stash[CHECKED_PROGRAM]


class TestClientProgram(ReconnectContract):
    """The contract suite over the client program given to ``python -m pytest_postpress check``."""

    @pytest.fixture
    def postpress_client_timeout(self, request: pytest.FixtureRequest) -> float | None:
        return _checked_program(request.config).client_timeout

    @pytest.fixture
    def postpress_reconnect(self, request: pytest.FixtureRequest) -> Iterator[Any]:
        program = _checked_program(request.config)
        with command_client(program.argv, persistent=program.persistent, timeout=program.timeout) as client:
            yield client
