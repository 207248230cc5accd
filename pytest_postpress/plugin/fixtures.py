"""Fixtures of the test doubles: ``postpress_mock``, ``postpress_server``, ``postpress_httpx_mock``,
``postpress_responses``, ``postpress_error``.

Loaded by :mod:`pytest_postpress.plugin` through ``pytest_plugins``.  Heavy
imports (respx, httpx, pytest-httpx, responses, the contract validator) happen
inside the fixtures, never at module import, so that pytest start-up stays cheap
and the optional libraries stay optional.
"""

from __future__ import annotations

import importlib
import urllib.parse
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from pytest_postpress._keys import settings_of
from pytest_postpress.catalog import DOCUMENTED_ERRORS, STATUSES, DocumentedError, find_error, types_for_status

if TYPE_CHECKING:
    from pytest_postpress.doubles._state import MockState
    from pytest_postpress.doubles.httpx_mock import PostpressHttpxMock
    from pytest_postpress.doubles.mock import PostpressMock
    from pytest_postpress.doubles.responses_mock import PostpressResponses
    from pytest_postpress.doubles.server import PostpressServer

_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
_MARKER = "postpress_error"


def remember_report(item: pytest.Item, report: pytest.TestReport) -> None:
    """Remember each phase's report, so that teardown checks can stay quiet after a failure (called by the
    plugin's one ``pytest_runtest_makereport``)."""
    item.stash.setdefault(_REPORTS, {})[report.when] = report


def _failed(node: pytest.Item | pytest.Collector) -> bool:
    return any(report.failed for report in node.stash.get(_REPORTS, {}).values())


def _skip_in_live_mode(config: pytest.Config, what: str) -> None:
    if settings_of(config).live:
        pytest.skip(f"{what} is not used with --postpress-live: the client talks to the real server there")


# -- the postpress_error marker ----------------------------------------------------------------------


def _marker_arguments(status: object = None, type: object = None) -> tuple[object, object]:
    return status, type


def _documented_list(status: int) -> str:
    return ", ".join(types_for_status(status))


def _errors_of_marker(mark: pytest.Mark, where: str) -> list[DocumentedError]:
    arguments = [*map(repr, mark.args), *(f"{name}={value!r}" for name, value in mark.kwargs.items())]
    shown = f"@pytest.mark.postpress_error({', '.join(arguments)})"
    try:
        status, type_ = _marker_arguments(*mark.args, **mark.kwargs)
    except TypeError:
        pytest.fail(f"{shown} on {where}: the marker takes status= and/or type=", pytrace=False)
    if status is None and type_ is None:
        pytest.fail(f"{shown} on {where}: give status=, type= or both", pytrace=False)
    statuses = ", ".join(map(str, STATUSES))
    if status is not None and (not isinstance(status, int) or isinstance(status, bool) or status not in STATUSES):
        pytest.fail(
            f"{shown} on {where}: status {status!r} documents no error (documented error statuses: {statuses})",
            pytrace=False,
        )
    if type_ is not None and not isinstance(type_, str):
        pytest.fail(f"{shown} on {where}: type must be a string such as 'errors/already_exists'", pytrace=False)
    if isinstance(type_, str) and not type_.startswith("errors/"):
        type_ = "errors/" + type_
    if isinstance(status, int):
        if type_ is None:
            return [error for error in DOCUMENTED_ERRORS if error.status == status]
        found = find_error(status, str(type_))
        if found is None:
            pytest.fail(
                f"{shown} on {where}: {status} {type_} is not a documented error; "
                f"documented types for {status}: {_documented_list(status)}",
                pytrace=False,
            )
        return [found]
    matches = [error for error in DOCUMENTED_ERRORS if error.type == type_]
    if not matches:
        pytest.fail(
            f"{shown} on {where}: {type_} is documented under no status; "
            "list the documented errors with: python -m pytest_postpress errors",
            pytrace=False,
        )
    return matches


def _marked_errors(node: Any, where: str) -> list[DocumentedError] | None:
    """The documented errors the ``postpress_error`` markers of ``node`` name, in documentation order."""
    marks = list(node.iter_markers(_MARKER))
    if not marks:
        return None
    chosen: set[DocumentedError] = set()
    for mark in marks:
        chosen.update(_errors_of_marker(mark, where))
    return [error for error in DOCUMENTED_ERRORS if error in chosen]


def _parametrized_directly(metafunc: pytest.Metafunc) -> bool:
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        listed = [name.strip() for name in names.split(",")] if isinstance(names, str) else list(names)
        if _MARKER in listed:
            return True
    return False


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``postpress_error`` over the documented errors (narrowed by ``postpress_error`` markers)."""
    where = metafunc.definition.nodeid
    errors = _marked_errors(metafunc.definition, where)
    if _MARKER in metafunc.fixturenames:
        if _parametrized_directly(metafunc):
            return
        chosen = errors if errors is not None else list(DOCUMENTED_ERRORS)
        metafunc.parametrize(_MARKER, chosen, ids=[error.id for error in chosen], indirect=True)
    elif errors is not None and len(errors) > 1:
        names = ", ".join(error.id for error in errors)
        pytest.fail(
            f"the postpress_error markers on {where} name {len(errors)} documented errors ({names}) but the test "
            "does not request the postpress_error fixture: request it to run once per error, "
            "or narrow the marker to one error with status= and type=",
            pytrace=False,
        )


@pytest.fixture
def postpress_error(request: pytest.FixtureRequest) -> DocumentedError:
    """The documented error this run of the test is about; the test runs once per documented error.

    Requesting it parametrizes the test over the 35 documented errors (ids
    such as ``409-already_exists``), narrowed by any
    ``@pytest.mark.postpress_error(status=..., type=...)`` markers.
    ``postpress_mock`` and ``postpress_server`` then answer that error to
    every reconnect, its envelope varying in the ways the contract allows
    (with and without ``detail`` and ``instance``, with an unknown extra field).
    """
    _skip_in_live_mode(request.config, "postpress_error")
    error = getattr(request, "param", None)
    if not isinstance(error, DocumentedError):
        pytest.fail(
            "postpress_error is parametrized at collection: request it as a test argument "
            "(or from a fixture the test requests), not with request.getfixturevalue()",
            pytrace=False,
        )
    return error


def _apply_error(request: pytest.FixtureRequest, state: MockState) -> None:
    """Make ``state`` answer the test's ``postpress_error`` (fixture or marker) to every reconnect."""
    if _MARKER in request.fixturenames:
        error: DocumentedError | None = request.getfixturevalue(_MARKER)
    else:
        marked = _marked_errors(request.node, request.node.nodeid)
        error = marked[0] if marked else None
    if error is not None:
        # The envelope shape starts somewhere else for each test and cycles call after call.
        start = zlib.crc32(request.node.nodeid.encode("utf-8"))
        state.respond_with(error, times=None, vary=True, vary_start=start)


# -- the doubles ---------------------------------------------------------------------------------------


@pytest.fixture
def postpress_mock(
    request: pytest.FixtureRequest,
    postpress_base_url: str,
    postpress_api_key: str,
    postpress_account_id: str,
) -> Iterator[PostpressMock]:
    """A respx mock of ``POST {postpress_base_url}/v1/accounts/{id}``, active for the test (sync and async httpx).

    It answers as rule 22 says (python -m pytest_postpress rules 22) (400 unescaped_characters, 401,
    404, 400 invalid_request, 400 content_too_large, 400
    missing/invalid_parameters, else 201), knows ``postpress_account_id``
    (add more with ``.add_account(id)``), records ``.calls``, and can be told
    to ``.respond_with(error)``, ``.respond_raw(...)``, ``.fail_connection()``
    or ``.time_out()``.  A request to the same host that is not the
    reconnect route fails the test.  Skipped with ``--postpress-live``.
    """
    _skip_in_live_mode(request.config, "postpress_mock")
    from pytest_postpress.doubles.mock import PostpressMock

    mock = PostpressMock(base_url=postpress_base_url, api_key=postpress_api_key, accounts=[postpress_account_id])
    _apply_error(request, mock.state)
    mock.start()
    try:
        yield mock
    finally:
        mock.stop(quiet=True)
    if not _failed(request.node) and mock.assert_all_routed:
        mock.check_all_routed()


@pytest.fixture(scope="session")
def postpress_server_session(pytestconfig: pytest.Config) -> Iterator[PostpressServer]:
    """The loopback server of this session (one per xdist worker); prefer ``postpress_server``, which resets it."""
    _skip_in_live_mode(pytestconfig, "postpress_server")
    from pytest_postpress.doubles.server import PostpressServer

    settings = settings_of(pytestconfig)
    prefix = urllib.parse.urlsplit(settings.base_url).path
    server = PostpressServer(api_key=settings.api_key, accounts=[settings.account_id], prefix=prefix, timeout=2.0)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postpress_server(
    request: pytest.FixtureRequest,
    postpress_server_session: PostpressServer,
    postpress_account_id: str,
) -> Iterator[PostpressServer]:
    """The mock API on a real HTTP/1.1 server on 127.0.0.1, for clients not built on httpx.

    Same behaviour and methods as ``postpress_mock``; ``.url`` is the base URL
    to give the client (with the configured path prefix).  One server per
    session (per xdist worker), its state reset for each test.  A request
    that is not the reconnect route is answered 404 and fails the test.
    Skipped with ``--postpress-live``.
    """
    server = postpress_server_session
    server.reset()
    server.add_account(postpress_account_id)
    _apply_error(request, server.state)
    try:
        yield server
        if not _failed(request.node) and server.assert_all_routed:
            server.check_all_routed()
    finally:
        server.reset()


# -- the doubles inside another mocking library (optional extras) ---------------------------------------


def _require(module: str, fixture: str, distribution: str) -> None:
    """Fail the test with the extra to install when the optional library ``module`` is missing."""
    try:
        importlib.import_module(module)
    except ImportError:
        missing = True
    else:
        missing = False
    if missing:  # outside the except clause: the failure is not shown chained to the ImportError
        pytest.fail(
            f"{fixture} needs {distribution}, which is not installed; install it with the extra:\n"
            f"    pip install 'pytest-postpress[{distribution}]'",
            pytrace=False,
        )


@pytest.fixture
def postpress_httpx_mock(
    request: pytest.FixtureRequest,
    postpress_base_url: str,
    postpress_api_key: str,
    postpress_account_id: str,
) -> Iterator[PostpressHttpxMock]:
    """The reconnect endpoint as a route of pytest-httpx's ``httpx_mock``, for suites mocking httpx with it.

    pytest-httpx takes over every httpx transport, so ``postpress_mock`` (respx) never sees a request
    there.  This registers one callback on the test's ``httpx_mock`` for every request to
    ``postpress_base_url``'s host, optional and reusable (pytest-httpx's "every response was requested"
    check is not tripped), answering exactly as ``postpress_mock`` does, with the same methods and the
    same ``postpress_error`` parametrization.  A request to that host that is not the reconnect route
    fails the test.  Needs ``pytest-postpress[pytest-httpx]``.  Skipped with ``--postpress-live``.
    """
    _skip_in_live_mode(request.config, "postpress_httpx_mock")
    _require("pytest_httpx", "postpress_httpx_mock", "pytest-httpx")
    from pytest_postpress.doubles.httpx_mock import PostpressHttpxMock

    httpx_mock = request.getfixturevalue("httpx_mock")  # torn down after this fixture
    mock = PostpressHttpxMock(base_url=postpress_base_url, api_key=postpress_api_key, accounts=[postpress_account_id])
    _apply_error(request, mock.state)
    mock.install(httpx_mock)
    yield mock
    if not _failed(request.node) and mock.assert_all_routed:
        mock.check_all_routed()


@pytest.fixture
def postpress_responses(
    request: pytest.FixtureRequest,
    postpress_base_url: str,
    postpress_api_key: str,
    postpress_account_id: str,
) -> Iterator[PostpressResponses]:
    """The reconnect endpoint as a route of ``responses``, for requests clients in suites mocked with it.

    While ``responses`` is active it answers every requests call, loopback included, so
    ``postpress_server`` is out of reach there.  This adds one callback route for every request to
    ``postpress_base_url``'s host on the active ``responses.RequestsMock`` (the last one started), or
    starts the default one (``responses.mock``, the one ``responses.add`` and ``@responses.activate``
    use) for the test when none is active; the route leaves the registry at teardown, so
    ``assert_all_requests_are_fired`` never counts it.  It answers exactly as ``postpress_mock`` does
    (forced failures raise ``requests.ConnectionError`` / ``requests.ReadTimeout``), with the same
    methods and ``postpress_error`` parametrization; a request to that host that is not the reconnect
    route fails the test.  Needs ``pytest-postpress[responses]``.  Skipped with ``--postpress-live``.
    """
    _skip_in_live_mode(request.config, "postpress_responses")
    _require("responses", "postpress_responses", "responses")
    import responses

    from pytest_postpress.doubles.responses_mock import PostpressResponses, active_requests_mock

    double = PostpressResponses(base_url=postpress_base_url, api_key=postpress_api_key, accounts=[postpress_account_id])
    _apply_error(request, double.state)
    requests_mock = active_requests_mock()
    started = requests_mock is None
    if requests_mock is None:
        requests_mock = responses.mock
        requests_mock.start()
    double.install(requests_mock)
    try:
        yield double
    finally:
        double.uninstall()
        if started:
            requests_mock.stop(allow_assert=False)
            requests_mock.reset()
    if not _failed(request.node) and double.assert_all_routed:
        double.check_all_routed()
