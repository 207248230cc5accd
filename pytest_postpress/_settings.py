"""Settings of the plugin: one table, resolved once per session.

Each setting comes from, in order: the command line (``--postpress-*``), the
environment (``POSTPRESS_*``), the ini file (``postpress_*``), the default.
The resolved value remembers where it came from, so that a usage error can
say "invalid base URL 'x' from env POSTPRESS_BASE_URL".  Only the standard
library is imported here; the plugin turns :class:`SettingError` into
``pytest.UsageError``.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from pytest_postpress._redact import HIDDEN, secret_values, url_shown

__all__ = [
    "DEFAULT_ACCOUNT_ID",
    "DEFAULT_API_KEY",
    "DEFAULT_BASE_URL",
    "OPTIONS",
    "Option",
    "SettingError",
    "Settings",
    "resolve",
]

DEFAULT_BASE_URL: Final = "https://api.postpress.ai"
PRODUCTION_HOST: Final = "api.postpress.ai"
# Fake values: recognisable as test data, never a real credential.
DEFAULT_API_KEY: Final = "pp_test_0000000000000000000000000000"
DEFAULT_ACCOUNT_ID: Final = "acc_01HXYZ4QK3WJ8FN3M6QH7TZ8GR"


class SettingError(ValueError):
    """A setting has a value that cannot be used; the message says which, where from, and how to fix it."""


@dataclass(frozen=True)
class Option:
    """One setting: its name and how it is spelled on each source."""

    name: str
    help: str
    kind: str  # "str", "bool", "int", "float", "path", "choice"
    default: Any = None
    secret: bool = False
    choices: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        return "--postpress-" + self.name.replace("_", "-")

    @property
    def env(self) -> str:
        return "POSTPRESS_" + self.name.upper()

    @property
    def ini(self) -> str:
        return "postpress_" + self.name


OPTIONS: Final[tuple[Option, ...]] = (
    Option("base_url", f"base URL of the API: origin plus any path prefix (default {DEFAULT_BASE_URL})", "str"),
    Option(
        "api_key",
        "API key sent as X-API-KEY (prefer the POSTPRESS_API_KEY environment variable: command lines end up in logs)",
        "str",
        DEFAULT_API_KEY,
        secret=True,
    ),
    Option("account_id", "id of an account that exists (on staging, in live mode)", "str", DEFAULT_ACCOUNT_ID),
    Option(
        "transport",
        "where the contract suite's client is answered: respx (httpx), responses (requests) or server (any)",
        "choice",
        "respx",
        choices=("respx", "responses", "server"),
    ),
    Option("live", "run the live-safe checks against a real server (--postpress-base-url)", "bool", False),
    Option("allow_production", f"allow live mode against the production host {PRODUCTION_HOST}", "bool", False),
    Option("reconnect_body", "JSON file with a real reconnect body for --postpress-account-id (live mode)", "path"),
    Option("max_requests", "live mode: stop sending and fail past this many requests (default 100)", "int", 100),
    Option("timeout", "live mode: seconds to wait for a response (default 30)", "float", 30.0),
    Option("retries", "live mode: retries of retryable documented errors, with backoff (default 0)", "int", 0),
    Option("fuzz_seconds", "time budget in seconds for the suite's fuzz checks, spread over them", "float"),
    Option("report", "write a JSON contract report to this path at the end of the session", "path"),
    Option("no_step_summary", "do not append the session's Markdown summary to $GITHUB_STEP_SUMMARY", "bool", False),
    Option("reproduce", "replay one failing fuzz example: VERSION:BLOB as printed by the failure", "str"),
    Option("record", "live mode: write every exchange with the server to this HAR 1.2 file, secrets hidden", "path"),
    Option(
        "replay",
        "run the live-safe checks offline, answered from this HAR recording (made with --postpress-record)",
        "path",
    ),
    Option(
        "example_db",
        "shared Hypothesis example database of the fuzz checks, replayed first and saved to beside the local one: "
        "redis://[:PASSWORD@]HOST:PORT/DB, rediss://..., a directory, or github-artifacts:OWNER/REPO[@ARTIFACT]",
        "str",
        secret=True,
    ),
    Option(
        "example_db_readonly",
        "replay the shared example database (--postpress-example-db) but never write to it (pull requests, laptops)",
        "bool",
        False,
    ),
)

_BY_NAME: Final = {option.name: option for option in OPTIONS}
_T = TypeVar("_T")
re_reproduce: Final = re.compile(r"[0-9][0-9.]*:[A-Za-z0-9+/=]+")
_TRUE: Final = {"1", "true", "yes", "on"}
_FALSE: Final = {"", "0", "false", "no", "off"}


class _Read(Generic[_T]):
    """A typed read of one resolved setting (a descriptor named after its option)."""

    def __init__(self, kind: type[_T]) -> None:
        self.kind = kind
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, settings: Settings, owner: type | None = None) -> _T:
        return settings._get(self.name, self.kind)


class _ReadOptional(_Read[_T]):
    """A typed read of a setting that is ``None`` when not given."""

    def __get__(self, settings: Settings, owner: type | None = None) -> _T | None:  # type: ignore[override]
        return None if settings.values[self.name] is None else settings._get(self.name, self.kind)


@dataclass(frozen=True)
class Settings:
    """Resolved settings; ``sources[name]`` says where each value came from."""

    values: Mapping[str, Any]
    sources: Mapping[str, str] = field(default_factory=dict)

    # One typed read per option (a test keeps them in step with OPTIONS), so mypy checks every read.
    base_url = _Read(str)
    api_key = _Read(str)
    account_id = _Read(str)
    transport = _Read(str)  # one of the option's choices
    live = _Read(bool)
    allow_production = _Read(bool)
    reconnect_body = _ReadOptional(Path)
    max_requests = _Read(int)
    timeout = _Read(float)
    retries = _Read(int)
    fuzz_seconds = _ReadOptional(float)
    report = _ReadOptional(Path)
    no_step_summary = _Read(bool)
    reproduce = _ReadOptional(str)
    record = _ReadOptional(Path)
    replay = _ReadOptional(Path)
    example_db = _ReadOptional(str)
    example_db_readonly = _Read(bool)

    def _get(self, name: str, kind: type[_T]) -> _T:
        value = self.values[name]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind):
            raise TypeError(f"setting {name} holds a {type(value).__name__} where {kind.__name__} is expected")
        return value

    def __repr__(self) -> str:
        secret = {option.name for option in OPTIONS if option.secret}
        shown = {name: HIDDEN if name in secret else value for name, value in self.values.items()}
        return f"Settings({shown!r})"

    def source(self, name: str) -> str:
        """Where the value of setting ``name`` came from, in words."""
        return self.sources.get(name, "default")

    def explicit(self, name: str) -> bool:
        """Whether setting ``name`` was given by the user rather than defaulted."""
        return self.source(name) != "default"


def _convert(option: Option, raw: Any, where: str) -> Any:
    shown = HIDDEN if option.secret else repr(raw)
    if option.kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise SettingError(f"invalid {option.flag} value {shown} from {where}: expected one of 1/0, true/false, yes/no")
    if option.kind == "int":
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise SettingError(f"invalid {option.flag} value {shown} from {where}: expected a whole number") from None
        if value < 0:
            raise SettingError(f"invalid {option.flag} value {shown} from {where}: expected 0 or more")
        return value
    if option.kind == "float":
        try:
            number = float(str(raw).strip())
        except ValueError:
            raise SettingError(
                f"invalid {option.flag} value {shown} from {where}: expected a number of seconds"
            ) from None
        if not number > 0 or number == float("inf"):
            raise SettingError(f"invalid {option.flag} value {shown} from {where}: expected a positive number")
        return number
    if option.kind == "choice":
        text = str(raw).strip()
        if text not in option.choices:
            raise SettingError(
                f"invalid {option.flag} value {shown} from {where}: expected one of {', '.join(option.choices)}"
            )
        return text
    if option.kind == "path":
        return Path(str(raw)).expanduser()
    return str(raw)


def check_base_url(url: str, where: str) -> str:
    """Return ``url`` without a trailing slash, or raise :class:`SettingError` saying what is wrong."""
    parts = urllib.parse.urlsplit(url)
    problem = None
    if parts.scheme not in {"http", "https"}:
        problem = "it needs an http:// or https:// scheme, e.g. https://api.postpress.ai"
    elif not parts.hostname:
        problem = "it has no host"
    elif parts.query or url.rstrip().endswith("?"):
        problem = "it has a query string; give the origin and path prefix only"
    elif parts.fragment or "#" in url:
        problem = "it has a fragment; give the origin and path prefix only"
    elif parts.username or parts.password:
        problem = "it carries credentials; pass the key with POSTPRESS_API_KEY instead"
    if problem is None:
        try:
            parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError:
            problem = "its port is not a number from 0 to 65535"
    if problem:
        # Never the URL as given: it may carry the key (user:key@, ?api_key=).
        raise SettingError(f"invalid --postpress-base-url value {url_shown(url)!r} from {where}: {problem}")
    return url.rstrip("/")


def is_loopback(host: str) -> bool:
    """Whether ``host`` is ``localhost`` or a loopback address."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve(
    cli: Mapping[str, Any],
    env: Mapping[str, str],
    ini: Callable[[str], Any],
    ini_file: str | None = None,
) -> Settings:
    """Resolve every setting: command line > environment > ini > default.

    ``cli`` maps setting names to values given on the command line (``None``
    when absent); ``ini(key)`` returns the ini value or ``None``.
    """
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for option in OPTIONS:
        raw: Any = None
        where = "default"
        if cli.get(option.name) is not None:
            raw, where = cli[option.name], f"the command line ({option.flag})"
        elif env.get(option.env) is not None:
            raw, where = env[option.env], f"env {option.env}"
        else:
            ini_value = ini(option.ini)
            if ini_value not in (None, ""):
                raw, where = ini_value, f"ini {option.ini}" + (f" in {ini_file}" if ini_file else "")
        if where == "default":
            values[option.name] = option.default
            continue
        values[option.name] = _convert(option, raw, where)
        sources[option.name] = where
    base_where = sources.get("base_url", "default")
    values["base_url"] = check_base_url(values["base_url"] or DEFAULT_BASE_URL, base_where)
    report = values["report"]
    if report is not None and (report.is_dir() or (report.parent.exists() and not report.parent.is_dir())):
        raise SettingError(
            f"invalid --postpress-report value {str(report)!r} from {sources['report']}: "
            "expected a file path whose folder exists or can be created"
        )
    reproduce = values["reproduce"]
    if reproduce is not None and not re_reproduce.fullmatch(reproduce):
        raise SettingError(
            f"invalid --postpress-reproduce value {reproduce!r} from {sources['reproduce']}: expected VERSION:BLOB "
            "exactly as a failing fuzz check printed it"
        )
    _check_recording(values, sources)
    settings = Settings(values, sources)
    if settings.live and settings.replay is None:
        _check_live(settings)
    return settings


def _check_recording(values: dict[str, Any], sources: dict[str, str]) -> None:
    """``record`` needs live mode; ``replay`` replaces it (and turns on the live-safe checks, offline)."""
    record, replay = values["record"], values["replay"]
    if record is not None:
        where = sources["record"]
        if replay is not None:
            raise SettingError(
                f"--postpress-record (from {where}) and --postpress-replay (from {sources['replay']}) cannot be "
                "combined: record against staging with --postpress-live, replay the file in another run"
            )
        if not values["live"]:
            raise SettingError(
                f"--postpress-record value {str(record)!r} from {where} records live mode only: add --postpress-live "
                "and --postpress-base-url of a staging server, or drop --postpress-record"
            )
        if record.is_dir() or (record.parent.exists() and not record.parent.is_dir()):
            raise SettingError(
                f"invalid --postpress-record value {str(record)!r} from {where}: "
                "expected a file path whose folder exists or can be created"
            )
    if replay is None:
        return
    where = sources["replay"]
    if values["live"]:
        raise SettingError(
            f"--postpress-replay (from {where}) runs offline against a recording; it cannot be combined with "
            f"--postpress-live (from {sources['live']}): drop one of them"
        )
    try:
        document = json.loads(Path(replay).read_text(encoding="utf-8"))
    except OSError as error:
        raise SettingError(
            f"cannot read --postpress-replay file {str(replay)!r} from {where}: {error.strerror}"
        ) from None
    except ValueError as error:
        raise SettingError(
            f"--postpress-replay file {str(replay)!r} from {where} is not JSON: "
            f"{error.__class__.__name__} at line {getattr(error, 'lineno', '?')}"
        ) from None
    log = document.get("log") if isinstance(document, dict) else None
    if not isinstance(log, dict) or not isinstance(log.get("entries"), list):
        raise SettingError(
            f"--postpress-replay file {str(replay)!r} from {where} is not a HAR file (no log.entries): "
            "give a file written by --postpress-record"
        )
    # Replay is live mode answered by the recording: the same live-safe checks run, the same way.
    values["live"] = True
    sources["live"] = where


def _check_live(settings: Settings) -> None:
    """Live-mode safety: refuse before any request is sent."""
    if not settings.explicit("base_url"):
        raise SettingError(
            "live mode needs --postpress-base-url (or env POSTPRESS_BASE_URL): the staging server to test; "
            "it has no default so that a live run never reaches production by accident"
        )
    parts = urllib.parse.urlsplit(settings.base_url)
    host = parts.hostname or ""
    where = settings.source("base_url")
    if host.lower() == PRODUCTION_HOST and not settings.allow_production:
        raise SettingError(
            f"live mode refuses the production host {host} (base URL from {where}); "
            "point --postpress-base-url at staging, or add --postpress-allow-production if you really mean it"
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise SettingError(
            f"live mode refuses plain http:// to {host} (base URL from {where}): the API key would travel "
            "unencrypted; use https://, or a loopback host for a local stand-in"
        )
    body_path = settings.reconnect_body
    if body_path is not None:
        try:
            json.loads(Path(body_path).read_text(encoding="utf-8"))
        except OSError as error:
            raise SettingError(
                f"cannot read --postpress-reconnect-body file {str(body_path)!r} from "
                f"{settings.source('reconnect_body')}: {error.strerror}"
            ) from None
        except ValueError as error:
            raise SettingError(
                f"--postpress-reconnect-body file {str(body_path)!r} from {settings.source('reconnect_body')} "
                f"is not JSON: {error.__class__.__name__} at line {getattr(error, 'lineno', '?')}"
            ) from None


def from_environ() -> Mapping[str, str]:
    """The process environment (a seam for tests)."""
    return os.environ


def reconnect_secrets(settings: Settings) -> set[str]:
    """The secret values of the ``--postpress-reconnect-body`` file (none when it is unset or unreadable)."""
    path = settings.values.get("reconnect_body")
    if path is None:
        return set()
    try:
        return secret_values(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()
