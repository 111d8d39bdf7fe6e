"""Which Neo4j server to use: NEO4J_URI, else Docker where an engine answers, else Maven-assembled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from graphstore.provision.base import ProvisionError, Server
from graphstore.provision.docker import DockerServer, docker_engine_available
from graphstore.provision.external import ExternalServer
from graphstore.provision.maven import MavenServer
from kgrec.settings import Settings

Backend = Literal["external", "docker", "maven"]


def choose_backend(settings: Settings, docker_available: Callable[[], bool] = docker_engine_available) -> Backend:
    """The resolution order of ARCHITECTURE.md § Provisioning Neo4j."""
    if settings.neo4j_uri:
        return "external"
    if settings.neo4j_backend == "maven":
        return "maven"
    if settings.neo4j_backend == "docker":
        if not docker_available():
            raise ProvisionError("KGREC_NEO4J_BACKEND=docker but no Docker engine answers: start Docker or unset it.")
        return "docker"
    return "docker" if docker_available() else "maven"


def resolve_server(settings: Settings, docker_available: Callable[[], bool] = docker_engine_available) -> Server:
    """The server object for this configuration (nothing is started)."""
    backend = choose_backend(settings, docker_available)
    if backend == "external":
        return ExternalServer(settings)
    if backend == "docker":
        return DockerServer(settings)
    return MavenServer(settings)
