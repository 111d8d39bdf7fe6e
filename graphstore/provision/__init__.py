"""Provisioning of the Neo4j server kgrec talks to: external, Docker, or assembled from Maven Central."""

from graphstore.provision.base import Credentials, ProvisionError, Server, ServerStatus
from graphstore.provision.resolver import choose_backend, resolve_server

__all__ = ["Credentials", "ProvisionError", "Server", "ServerStatus", "choose_backend", "resolve_server"]
