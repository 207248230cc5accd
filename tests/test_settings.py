"""The settings fixtures from the outside: precedence, defaults, path prefixes and usage errors."""

from __future__ import annotations

import pytest

from pytest_postpress import _settings
from pytest_postpress._settings import DEFAULT_ACCOUNT_ID, DEFAULT_API_KEY, DEFAULT_BASE_URL

pytest_plugins = ["pytester"]

SHOW = """
def test_show(postpress_base_url, postpress_api_key, postpress_account_id):
    print(f"\\nBASE={postpress_base_url}|KEY={postpress_api_key}|ACCOUNT={postpress_account_id}|")
"""


@pytest.fixture(autouse=True)
def _no_postpress_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BASE_URL", "API_KEY", "ACCOUNT_ID", "LIVE", "TRANSPORT"):
        monkeypatch.delenv(f"POSTPRESS_{name}", raising=False)


def shown(pytester: pytest.Pytester, *args: str) -> str:
    result = pytester.runpytest("-s", *args)
    result.assert_outcomes(passed=1)
    [line] = [line for line in result.stdout.lines if line.startswith("BASE=")]
    return line


def test_defaults(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SHOW)
    assert shown(pytester) == f"BASE={DEFAULT_BASE_URL}|KEY={DEFAULT_API_KEY}|ACCOUNT={DEFAULT_ACCOUNT_ID}|"


def test_command_line_beats_environment_beats_ini(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(SHOW)
    pytester.makeini("[pytest]\npostpress_base_url = https://ini.example.test\npostpress_account_id = acc_ini\n")
    assert shown(pytester).startswith("BASE=https://ini.example.test|")
    monkeypatch.setenv("POSTPRESS_BASE_URL", "https://env.example.test")
    monkeypatch.setenv("POSTPRESS_API_KEY", "pp_env_key")
    assert shown(pytester) == "BASE=https://env.example.test|KEY=pp_env_key|ACCOUNT=acc_ini|"
    line = shown(pytester, "--postpress-base-url", "https://cli.example.test/", "--postpress-account-id", "acc_cli")
    assert line == "BASE=https://cli.example.test|KEY=pp_env_key|ACCOUNT=acc_cli|"


def test_the_settings_fixtures_are_session_scoped(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    result.stdout.fnmatch_lines_random(
        [
            "postpress_base_url [[]session scope[]]*",
            "postpress_api_key [[]session scope[]]*",
            "postpress_account_id [[]session scope[]]*",
        ]
    )


def test_a_path_prefix_is_honoured_by_the_mock_and_the_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import httpx, requests
BODY = {"provider": "TELEGRAM"}

def test_mock(postpress_mock, postpress_base_url, postpress_api_key, postpress_account_id):
    assert postpress_base_url == "https://host.example.test/api"
    url = f"https://host.example.test/api/v1/accounts/{postpress_account_id}"
    assert httpx.post(url, json=BODY, headers={"X-API-KEY": postpress_api_key}).status_code == 201

def test_server(postpress_server, postpress_api_key, postpress_account_id):
    assert postpress_server.url.endswith("/api")
    url = f"{postpress_server.url}/v1/accounts/{postpress_account_id}"
    assert requests.post(url, json=BODY, headers={"X-API-KEY": postpress_api_key}).status_code == 201
"""
    )
    pytester.runpytest("--postpress-base-url", "https://host.example.test/api").assert_outcomes(passed=2)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("api.postpress.ai", "it needs an http:// or https:// scheme, e.g. https://api.postpress.ai"),
        ("ftp://api.example.test", "it needs an http:// or https:// scheme*"),
        ("https://api.example.test/api?x=1", "it has a query string; give the origin and path prefix only"),
        ("https://api.example.test/#top", "it has a fragment; give the origin and path prefix only"),
    ],
    ids=["no-scheme", "ftp", "query", "fragment"],
)
@pytest.mark.parametrize("source", ["cli", "env", "ini"])
def test_a_malformed_base_url_is_a_usage_error_naming_the_option_and_its_source(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, value: str, problem: str, source: str
) -> None:
    pytester.makepyfile(SHOW)
    args: list[str] = []
    if source == "cli":
        args = ["--postpress-base-url", value]
        where = "the command line (--postpress-base-url)"
    elif source == "env":
        monkeypatch.setenv("POSTPRESS_BASE_URL", value)
        where = "env POSTPRESS_BASE_URL"
    else:
        pytester.makeini(f"[pytest]\npostpress_base_url = {value}\n")
        where = "ini postpress_base_url in *tox.ini"
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: invalid --postpress-base-url value '{value}' from {where}: {problem}"])


def test_the_report_header_names_the_base_url_and_never_the_key(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSTPRESS_API_KEY", "pp_very_secret_key_123")
    pytester.makepyfile(SHOW)
    result = pytester.runpytest("--postpress-base-url", "https://h.example.test/api")
    result.stdout.fnmatch_lines(
        ["postpress: mock mode (respx), base URL https://h.example.test/api (from the command line*"]
    )
    assert "pp_very_secret_key_123" not in result.stdout.str()


def test_every_option_is_a_typed_read_of_settings() -> None:
    # No __getattr__ -> Any: mypy --strict checks every read of a setting against its property's type.
    assert "__getattr__" not in vars(_settings.Settings)
    settings = _settings.resolve({}, {}, lambda key: None)
    for option in _settings.OPTIONS:
        read = vars(_settings.Settings).get(option.name)
        assert isinstance(read, _settings._Read), f"Settings has no typed read for the option {option.name!r}"
        value = getattr(settings, option.name)
        assert value == settings.values[option.name]
        assert value is None or isinstance(value, read.kind), option.name
    with pytest.raises(AttributeError):
        settings.no_such_setting  # type: ignore[attr-defined]  # noqa: B018


def test_a_setting_of_the_wrong_type_is_refused() -> None:
    settings = _settings.Settings({**_settings.resolve({}, {}, lambda key: None).values, "max_requests": "100"})
    with pytest.raises(TypeError, match="setting max_requests holds a str where int is expected"):
        settings.max_requests  # noqa: B018
