"""Neo4j in the official `neo4j:5.26-community` image, where a Docker engine answers."""

from __future__ import annotations

import shutil
import subprocess

from graphstore.provision.base import Credentials, ProvisionError, ServerStatus, server_version, wait_for_bolt
from graphstore.provision.memory import memory_settings
from kgrec.settings import Settings


def docker_engine_available() -> bool:
    """True when a Docker engine answers (the client alone is not enough)."""
    if shutil.which("docker") is None:
        return False
    try:
        proc = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"],
                              capture_output=True, text=True, timeout=10, check=False)
    except (subprocess.TimeoutExpired, OSError):
        return False
    return proc.returncode == 0 and bool(proc.stdout.strip())


class DockerServer:
    """A `kgrec-neo4j` container with its data in a named volume, ports on loopback."""

    backend = "docker"

    def __init__(self, settings: Settings, password: tuple[str, str]) -> None:
        self.settings = settings
        self.password, self.source = password
        self.name = f"kgrec-neo4j-{settings.bolt_port}"

    def credentials(self) -> Credentials:
        return Credentials(f"bolt://127.0.0.1:{self.settings.bolt_port}", "neo4j", self.password, self.source)

    def run_command(self) -> list[str]:
        """The `docker run` command line that starts the server."""
        s = self.settings
        heap, pagecache = memory_settings(s)
        return [
            "docker", "run", "-d", "--name", self.name,
            "-p", f"127.0.0.1:{s.bolt_port}:7687", "-p", f"127.0.0.1:{s.http_port}:7474",
            "-e", f"NEO4J_AUTH=neo4j/{self.password}",
            "-e", f"NEO4J_server_memory_heap_max__size={heap}",
            "-e", f"NEO4J_server_memory_pagecache_size={pagecache}",
            "-v", f"{self.name}-data:/data",
            s.docker_image,
        ]

    def _docker(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["docker", *args], capture_output=True, text=True, check=False)

    def _state(self) -> str | None:
        proc = self._docker("inspect", "-f", "{{.State.Status}}", self.name)
        return proc.stdout.strip() if proc.returncode == 0 else None

    def start(self) -> Credentials:
        state = self._state()
        if state is None:
            proc = subprocess.run(self.run_command(), capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                raise ProvisionError(f"docker run failed: {proc.stderr.strip()[-200:]}")
        elif state != "running":
            self._docker("start", self.name)
        creds = self.credentials()
        wait_for_bolt(creds, self.settings.neo4j_start_timeout, alive=lambda: self._state() == "running")
        return creds

    def stop(self) -> None:
        if self._state() is not None:
            self._docker("stop", self.name)
            self._docker("rm", self.name)

    def status(self) -> ServerStatus:
        creds = self.credentials()
        state = self._state()
        version = server_version(creds) if state == "running" else None
        return ServerStatus(self.backend, version is not None, f"container {self.name}: {state or 'absent'}",
                            creds.uri, f"http://127.0.0.1:{self.settings.http_port}/browser/", creds.source, version)

    def logs(self, lines: int = 50) -> str:
        proc = self._docker("logs", "--tail", str(lines), self.name)
        return proc.stdout + proc.stderr
