"""The Neo4j driver for the resolved server (one per process)."""

from __future__ import annotations

from neo4j import Driver, GraphDatabase

from graphstore.provision import Credentials, resolve_server
from kgrec.settings import Settings, get_settings


def ensure_server(settings: Settings | None = None) -> Credentials:
    """Start the resolved server if kgrec manages it (idempotent) and return its credentials."""
    return resolve_server(settings or get_settings()).start()


def make_driver(creds: Credentials) -> Driver:
    """A driver with kgrec's defaults: server notifications (e.g. "label does not exist yet") off."""
    return GraphDatabase.driver(creds.uri, auth=(creds.user, creds.password), notifications_min_severity="OFF")


def open_driver(settings: Settings | None = None, creds: Credentials | None = None) -> Driver:
    """A driver for the resolved server, started first when kgrec manages it."""
    return make_driver(creds or ensure_server(settings))
