"""Types shared by the server back-ends."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable


class ProvisionError(RuntimeError):
    """A server could not be provisioned; the message says what to do, in one sentence."""


@dataclass(frozen=True)
class Credentials:
    uri: str
    user: str
    password: str
    source: str  # where the password comes from, for `kgrec neo4j status`


@dataclass(frozen=True)
class ServerStatus:
    backend: str
    running: bool
    detail: str
    bolt_uri: str | None = None
    browser_url: str | None = None
    credentials_source: str | None = None
    version: str | None = None


class Server(Protocol):
    """A Neo4j server kgrec can start, stop and describe."""

    backend: str

    def start(self) -> Credentials: ...

    def stop(self) -> None: ...

    def status(self) -> ServerStatus: ...

    def logs(self, lines: int = 50) -> str: ...

    def credentials(self) -> Credentials: ...


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """True when something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        return sock.connect_ex((host, port)) == 0


def password_rejected(creds: Credentials) -> ProvisionError:
    """The one-sentence error for a server that answers but refuses these credentials."""
    return ProvisionError(
        f"Neo4j at {creds.uri} rejected the password from {creds.source}; "
        "set NEO4J_PASSWORD to the right one or run `kgrec neo4j reset`."
    )


def server_version(creds: Credentials) -> str | None:
    """The Neo4j version reported by `dbms.components()`, or None when Bolt does not answer
    (ProvisionError when it answers but rejects the password)."""
    try:
        with GraphDatabase.driver(creds.uri, auth=(creds.user, creds.password)) as driver:
            driver.verify_connectivity()  # fails at once; execute_query would retry for 30 s
            records, _, _ = driver.execute_query("CALL dbms.components() YIELD versions RETURN versions[0] AS v")
            return records[0]["v"]
    except AuthError as exc:
        raise password_rejected(creds) from exc
    except (ServiceUnavailable, OSError):
        return None


def wait_for_bolt(creds: Credentials, timeout: float, alive: Callable[[], bool] = lambda: True) -> str:
    """Wait until Bolt answers with these credentials; return the server version."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if not alive():
            raise ProvisionError("Neo4j exited during start-up; run `kgrec neo4j logs` to see why.")
        try:
            with GraphDatabase.driver(creds.uri, auth=(creds.user, creds.password)) as driver:
                driver.verify_connectivity()
                records, _, _ = driver.execute_query(
                    "CALL dbms.components() YIELD versions RETURN versions[0] AS v"
                )
                return records[0]["v"]
        except AuthError as exc:
            raise password_rejected(creds) from exc
        except (ServiceUnavailable, OSError) as exc:
            last = exc
            time.sleep(0.5)
    raise ProvisionError(
        f"Neo4j did not answer on {creds.uri} within {timeout:.0f}s ({last}); "
        "run `kgrec neo4j logs` to see why."
    )
