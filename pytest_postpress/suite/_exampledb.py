"""The shared example database of the fuzz checks (``--postpress-example-db``): Hypothesis's own stores.

A Redis server (:class:`~hypothesis.extra.redis.RedisExampleDatabase`), a directory
(:class:`~hypothesis.database.DirectoryBasedExampleDatabase`, e.g. a network share) or a GitHub Actions
artifact (:class:`~hypothesis.database.GitHubArtifactDatabase`, read-only by nature), optionally made
read-only (:class:`~hypothesis.database.ReadOnlyDatabase`), used beside the local ``.hypothesis/examples``
(:class:`~hypothesis.database.MultiplexedDatabase`).  Nothing here stores anything itself: :class:`Guarded`
only keeps a store that fails in the middle of a run from failing the run, and counts what it skipped.

:func:`open_store` checks the store at session start and raises :class:`~pytest_postpress._settings.SettingError`
(one line, the URL's password hidden) on a bad URL, an unreachable server or a wrong password.
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis.database import (
    DirectoryBasedExampleDatabase,
    ExampleDatabase,
    GitHubArtifactDatabase,
    MultiplexedDatabase,
    ReadOnlyDatabase,
)

from pytest_postpress import schema as _schema
from pytest_postpress._redact import HIDDEN, Scrubber
from pytest_postpress._settings import SettingError

__all__ = ["STORE_KEY", "ExampleStore", "Guarded", "database_key", "open_store", "shown_url", "url_secrets"]

_REDIS_SCHEMES = ("redis", "rediss", "unix")
_GITHUB = "github-artifacts:"
_SECRET_QUERY = {"password", "username"}
# A store that hangs must not hang the suite: redis-py waits forever by default. Values in the URL's query
# (socket_timeout=..., socket_connect_timeout=...) win over these.
_CONNECT_TIMEOUT = 5.0
_TIMEOUT = 10.0
_EXTRA = "pip install 'pytest-postpress[redis]'"


def url_secrets(url: str) -> list[str]:
    """The secrets a store URL holds: its password (as written and percent-decoded) and any ``password=`` value."""
    found: list[str] = []
    try:
        parts = urllib.parse.urlsplit(url)
        password = parts.password
    except ValueError:
        return found
    if password:
        found += [password, urllib.parse.unquote(password)]
    for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        if name == "password" and value:
            found += [value, urllib.parse.quote(value, safe="")]
    return sorted({secret for secret in found if secret}, key=len, reverse=True)


def shown_url(url: str) -> str:
    """The store URL as it may be printed: its password (in the user part or the query) replaced by ``<hidden>``."""
    try:
        parts = urllib.parse.urlsplit(url)
        password = parts.password
    except ValueError:
        password = None
        parts = None
    if parts is None or "://" not in url:
        return hide(url, url_secrets(url))
    netloc = parts.netloc
    if password is not None:
        user, _, host = netloc.rpartition("@")
        name = user.partition(":")[0]
        netloc = f"{name}:{HIDDEN}@{host}"
    query = urllib.parse.urlencode(
        [
            (name, HIDDEN if name == "password" else value)
            for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="<>",
    )
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def hide(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every one of ``secrets`` hidden, in every spelling (the one :class:`Scrubber`)."""
    return Scrubber(secrets).text(text)


class Guarded(ExampleDatabase):
    """A shared store that may fail mid-run: its first error turns it off, later operations are skipped and counted.

    Any exception is caught, not only the store's own: whatever a remote store raises (a dropped connection, a
    timeout, a full disk on a share) must not fail a fuzz check, whose local database keeps what it finds.
    """

    def __init__(self, store: ExampleDatabase, shown: str, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.store = store
        self.shown = shown
        self.secrets = list(secrets)
        self.failure: str | None = None
        self.skipped = 0
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Guarded({self.shown})"

    def _failed(self, error: BaseException) -> None:
        with self._lock:
            if self.failure is None:
                text = str(error).strip().splitlines()[0] if str(error).strip() else ""
                self.failure = hide(f"{type(error).__name__}: {text}" if text else type(error).__name__, self.secrets)
            else:
                self.skipped += 1

    def _off(self) -> bool:
        if self.failure is not None:
            with self._lock:
                self.skipped += 1
            return True
        return False

    def fetch(self, key: bytes) -> Iterable[bytes]:
        if self._off():
            return []
        try:
            return list(self.store.fetch(key))
        except Exception as error:
            self._failed(error)
            return []

    def _run(self, operation: Callable[[], object]) -> None:
        if not self._off():
            try:
                operation()
            except Exception as error:
                self._failed(error)

    def save(self, key: bytes, value: bytes) -> None:
        self._run(lambda: self.store.save(key, value))

    def delete(self, key: bytes, value: bytes) -> None:
        self._run(lambda: self.store.delete(key, value))

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        self._run(lambda: self.store.move(src, dest, value))

    def _start_listening(self) -> None:
        pass  # the fuzz checks never listen for changes; a remote store's subscription could fail mid-run

    def _stop_listening(self) -> None:
        pass


@dataclass(frozen=True)
class ExampleStore:
    """The shared store of a session, as the fuzz checks use it."""

    guarded: Guarded
    read_only: bool

    @property
    def shown(self) -> str:
        return self.guarded.shown

    def with_local(self, local: ExampleDatabase | None) -> ExampleDatabase:
        """The database a fuzz check runs on: the local one (if any) and the shared one, read-only if asked."""
        shared: ExampleDatabase = ReadOnlyDatabase(self.guarded) if self.read_only else self.guarded
        return shared if local is None else MultiplexedDatabase(local, shared)

    def warning(self) -> str | None:
        """One line for the summary when the store failed during the run, else ``None``."""
        if self.guarded.failure is None:
            return None
        return (
            f"postpress: the shared example database {self.shown} failed during the run ({self.guarded.failure}); "
            f"{self.guarded.skipped} later operations on it were skipped and the run went on with the local "
            "example database, which keeps every failure found"
        )


#: The session's shared store, set by the plugin at start when ``--postpress-example-db`` is given.
STORE_KEY = pytest.StashKey["ExampleStore"]()


def open_store(url: str, *, where: str, read_only: bool) -> ExampleStore:
    """Open and check the store ``url`` (from ``where``); raise :class:`SettingError` if it cannot be used."""
    secrets = url_secrets(url)
    shown = shown_url(url)
    text = url.strip()
    scheme = text.partition("://")[0].lower() if "://" in text else ""
    if text.startswith(_GITHUB):
        store: ExampleDatabase = ReadOnlyDatabase(_github(text, shown, where))
        read_only = True
    elif scheme in _REDIS_SCHEMES:
        store = _redis(text, shown, where, secrets)
    elif scheme:
        raise SettingError(
            f"invalid --postpress-example-db value {shown!r} from {where}: unknown scheme {scheme}://; give "
            "redis://[:PASSWORD@]HOST:PORT/DB, rediss://..., a directory, or github-artifacts:OWNER/REPO"
        )
    else:
        store = _directory(Path(text).expanduser(), shown, where, read_only=read_only)
    return ExampleStore(Guarded(store, shown, secrets), read_only)


def _github(text: str, shown: str, where: str) -> ExampleDatabase:
    target, _, artifact = text.removeprefix(_GITHUB).partition("@")
    owner, _, repo = target.partition("/")
    if not owner or not repo or "/" in repo or (artifact == "" and "@" in text):
        raise SettingError(
            f"invalid --postpress-example-db value {shown!r} from {where}: expected github-artifacts:OWNER/REPO "
            "or github-artifacts:OWNER/REPO@ARTIFACT_NAME"
        )
    return GitHubArtifactDatabase(owner, repo, artifact) if artifact else GitHubArtifactDatabase(owner, repo)


def _directory(path: Path, shown: str, where: str, *, read_only: bool) -> ExampleDatabase:
    problem = None
    if path.exists() and not path.is_dir():
        problem = "it is a file, not a directory"
    elif read_only and not path.is_dir():
        problem = "the directory does not exist (a read-only store is only read)"
    else:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            problem = f"cannot create the directory ({error.strerror})"
    if problem:
        raise SettingError(f"cannot use --postpress-example-db {shown!r} from {where}: {problem}")
    return DirectoryBasedExampleDatabase(path)


def _redis(url: str, shown: str, where: str, secrets: list[str]) -> ExampleDatabase:
    try:
        import redis
        from hypothesis.extra.redis import RedisExampleDatabase
    except ImportError:
        raise SettingError(f"--postpress-example-db {shown!r} from {where} needs the redis package: {_EXTRA}") from None
    bad = f"invalid --postpress-example-db value {shown!r} from {where}"
    parts = urllib.parse.urlsplit(url)
    try:
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise SettingError(f"{bad}: its port is not a number from 0 to 65535") from None
    database = parts.path.strip("/")
    if parts.scheme != "unix" and database and not database.isdigit():
        raise SettingError(f"{bad}: the path must be a database number, e.g. redis://localhost:6379/0")
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=_CONNECT_TIMEOUT, socket_timeout=_TIMEOUT, health_check_interval=0
        )
        client.ping()
    except redis.AuthenticationError as error:
        raise SettingError(
            f"cannot use --postpress-example-db {shown} from {where}: the server refused the credentials "
            f"({hide(str(error), secrets)}); check the password (and user) in the URL"
        ) from None
    except redis.ConnectionError as error:
        raise SettingError(
            f"cannot reach --postpress-example-db {shown} from {where}: {hide(str(error), secrets)}; "
            "check that Redis runs there and that the host, port and TLS (rediss://) are right"
        ) from None
    except redis.ResponseError as error:
        # NOAUTH / WRONGPASS on servers that answer them as plain errors, or a database number out of range.
        raise SettingError(
            f"cannot use --postpress-example-db {shown} from {where}: the server answered "
            f"{hide(str(error), secrets)!r}; check the password and the database number in the URL"
        ) from None
    except (redis.RedisError, ValueError, TypeError) as error:
        raise SettingError(f"{bad}: {hide(str(error), secrets)}") from None
    return RedisExampleDatabase(client)


@lru_cache(maxsize=1)
def _contract_fingerprint() -> str:
    text = json.dumps(_schema.request_body_schema(), sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def database_key(nodeid: str, check: str) -> bytes:
    """The example-database key of one fuzz check of one client class: the same on every machine and checkout.

    From the node id (relative to pytest's rootdir), the check's name and a fingerprint of the contract's
    request schema: never a path, a process id or a hash seed. A change of the contract (a new variant) changes
    the fingerprint, so old entries, whose choices would now draw other values, are left to expire.
    """
    return f"pytest-postpress:{_contract_fingerprint()}:{check}:{nodeid}".encode()
