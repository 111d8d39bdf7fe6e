"""The Maven-assembled Neo4j for real: start twice, killed underneath, stop, and clear errors."""

import os
import signal
import socket
import time
from pathlib import Path

import pytest

from graphstore.provision import ProvisionError
from graphstore.provision.base import port_open, server_version
from graphstore.provision.maven import MavenServer
from kgrec.settings import Settings

BOLT, HTTP = 27687, 27474


@pytest.fixture
def server(tmp_path: Path) -> MavenServer:
    # a password that starts with "-" must not be read as an option by neo4j-admin
    srv = MavenServer(Settings(neo4j_uri=None, neo4j_password="-dash-first", neo4j_backend="maven", state_dir=tmp_path,
                               bolt_port=BOLT, http_port=HTTP, neo4j_heap="512m", neo4j_pagecache="128m"))
    yield srv
    srv.stop()


def _wait_gone(pid: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.2)


def test_lifecycle_start_twice_kill_restart_stop(server: MavenServer) -> None:
    creds = server.start()
    assert server_version(creds).startswith("5.26.")
    pid = server.pid()
    assert server.status().running and server.status().version.startswith("5.26.")
    assert server.start() == creds and server.pid() == pid  # idempotent: same process

    # the password file gone (or a wrong NEO4J_PASSWORD): one sentence, no traceback, and no fresh password
    # written that this server's data would reject
    settings = server.settings.model_copy(update={"neo4j_password": None})
    with pytest.raises(ProvisionError, match=r"password file .* is gone but .* already has a password"):
        MavenServer(settings).status()
    assert not settings.password_file.exists()
    wrong = MavenServer(settings.model_copy(update={"neo4j_password": "wrong"}))
    with pytest.raises(ProvisionError, match="rejected the password from NEO4J_PASSWORD"):
        wrong.status()
    with pytest.raises(ProvisionError, match="rejected the password from NEO4J_PASSWORD"):
        wrong.start()

    os.kill(pid, signal.SIGKILL)  # the server dies underneath us
    _wait_gone(pid)
    status = server.status()
    assert not status.running and "not running" in status.detail

    server.start()  # recovers with the same data and password
    assert server.pid() != pid and server.status().running
    new_pid = server.pid()
    server.stop()
    _wait_gone(new_pid)
    assert server.pid() is None
    assert not Path(f"/proc/{new_pid}").exists()
    assert not port_open("127.0.0.1", BOLT) and not port_open("127.0.0.1", HTTP)
    server.stop()  # stopping a stopped server is fine


def test_port_taken_is_reported(server: MavenServer) -> None:
    with socket.socket() as blocker:
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind(("127.0.0.1", BOLT))
        blocker.listen()
        with pytest.raises(ProvisionError, match=f"Port {BOLT} is already in use"):
            server.start()
    assert server.pid() is None


def test_java_missing_says_what_to_do(server: MavenServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ProvisionError, match="Java not found: install a Java 17 or 21 runtime"):
        server.start()


def test_maven_missing_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    srv = MavenServer(Settings(neo4j_uri=None, cache_dir=tmp_path / "empty-cache", state_dir=tmp_path))
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ProvisionError, match=r"Maven \(mvn\) not found"):
        srv.assemble()


def test_failed_maven_fetch_is_reported(tmp_path: Path) -> None:
    srv = MavenServer(Settings(neo4j_uri=None, cache_dir=tmp_path, state_dir=tmp_path,
                               neo4j_version="0.0.0-does-not-exist"))
    with pytest.raises(ProvisionError, match="Maven could not fetch the Neo4j jars"):
        srv.assemble()


def test_status_of_a_server_never_started_creates_nothing(tmp_path: Path) -> None:
    """`kgrec neo4j status` on a fresh machine created the state directory and generated a password file."""
    settings = Settings(neo4j_uri=None, neo4j_password=None, state_dir=tmp_path / "state")
    status = MavenServer(settings).status()
    assert not status.running and status.credentials_source is None
    assert not (tmp_path / "state").exists()


def test_a_state_directory_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    """A state directory that is a file (or read-only, or under one) was a FileExistsError traceback from
    `kgrec neo4j status`, `start` and `stop`."""
    blocked = tmp_path / "state"
    blocked.write_text("a file where the state directory should be")
    srv = MavenServer(Settings(neo4j_uri=None, neo4j_password=None, state_dir=blocked))
    with pytest.raises(ProvisionError, match=r"Cannot write .*: set KGREC_STATE_DIR to a writable directory"):
        srv.start()
    assert not srv.status().running  # status only reads
    srv.stop()  # nothing of ours can run there: nothing to stop
    with socket.socket() as probe:  # free ports, so that start gets as far as writing the configuration
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "neo4j-5.26.30").write_text("a file where the server home should be")
    srv = MavenServer(Settings(neo4j_uri=None, neo4j_password="pw", state_dir=tmp_path / "ok", bolt_port=free,
                               http_port=free, neo4j_version="5.26.30"))
    with pytest.raises(ProvisionError, match=r"Cannot write .*neo4j-5\.26\.30"):
        srv.start()
