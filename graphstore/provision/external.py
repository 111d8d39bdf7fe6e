"""A server kgrec did not start: NEO4J_URI (+ NEO4J_USER / NEO4J_PASSWORD)."""

from __future__ import annotations

from graphstore.provision.base import Credentials, ServerStatus, server_version, wait_for_bolt
from kgrec.settings import Settings


class ExternalServer:
    """Neo4j at NEO4J_URI: started and stopped by someone else (Aura, Desktop, a cluster)."""

    backend = "external"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def credentials(self) -> Credentials:
        s = self.settings
        return Credentials(s.neo4j_uri or "", s.neo4j_user, s.neo4j_password or "", "NEO4J_PASSWORD")

    def start(self) -> Credentials:
        creds = self.credentials()
        wait_for_bolt(creds, timeout=15)
        return creds

    def stop(self) -> None:
        """Nothing to stop: kgrec does not own this server."""

    def status(self) -> ServerStatus:
        creds = self.credentials()
        version = server_version(creds)
        detail = f"Neo4j {version} (managed elsewhere)" if version else "not answering"
        return ServerStatus(self.backend, version is not None, detail, creds.uri, None, creds.source, version)

    def logs(self, lines: int = 50) -> str:
        return "Logs of an external server are kept by whoever runs it."
