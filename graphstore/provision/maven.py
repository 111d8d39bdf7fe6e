"""Neo4j Community assembled from its official jars on Maven Central and run as a local process.

The jars of `org.neo4j:neo4j` (server, Cypher, Bolt, import tool) and `org.neo4j.client:neo4j-browser`
are resolved by `mvn dependency:copy-dependencies` into a cache directory. The server is launched
exactly as the official tarball's `bin/neo4j` does: `org.neo4j.server.startup.Neo4jCommand start`,
which forks `org.neo4j.server.CommunityEntryPoint` and keeps a pid file in `run/`.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import string
import subprocess
from pathlib import Path

from graphstore.provision.base import (
    Credentials,
    ProvisionError,
    ServerStatus,
    port_open,
    server_version,
    wait_for_bolt,
)
from graphstore.provision.memory import memory_settings
from kgrec.settings import Settings

log = logging.getLogger(__name__)

LAUNCHER = "org.neo4j.server.startup.Neo4jCommand"
ADMIN = "org.neo4j.server.startup.Neo4jAdminCommand"

POM_TEMPLATE = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kgrec</groupId>
  <artifactId>neo4j-community-assembly</artifactId>
  <version>{version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.neo4j</groupId><artifactId>neo4j</artifactId><version>{version}</version></dependency>
    <dependency>
      <groupId>org.neo4j.client</groupId><artifactId>neo4j-browser</artifactId><version>{browser}</version>
    </dependency>
  </dependencies>
</project>
"""


# The JVM options of the official 5.26 distribution's neo4j.conf (the tarball runs with them; a bare `java` command
# line has none), plus failing fast on heap exhaustion. TrustFinalNonStaticFields lets the JIT fold the kernel's
# final fields; the --add-opens let Neo4j and Netty use direct buffers without reflection fallbacks.
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.layout.jsonTemplate.maxStringLength=32768",
    "-XX:+ExitOnOutOfMemoryError",
)


def java_major_version(java: str = "java") -> int:
    """Major version of the `java` on PATH (17 for "17.0.15")."""
    if shutil.which(java) is None:
        raise ProvisionError("Java not found: install a Java 17 or 21 runtime, or set NEO4J_URI to an existing server.")
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not match:
        raise ProvisionError(f"Could not read the Java version from `java -version` ({out.strip()[:80]}).")
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 else major


def unwritable(path: Path, exc: OSError) -> ProvisionError:
    """The one-sentence error for a state directory kgrec cannot write (missing parent, a file, read-only)."""
    return ProvisionError(f"Cannot write {path} ({exc.strerror}): set KGREC_STATE_DIR to a writable directory.")


def stored_password(settings: Settings) -> tuple[str, str] | None:
    """(password, where it comes from) when NEO4J_PASSWORD is set or one was generated already; creates nothing."""
    if settings.neo4j_password:
        return settings.neo4j_password, "NEO4J_PASSWORD"
    path = settings.password_file
    if path.exists():
        return path.read_text().strip(), str(path)
    return None


def managed_password(settings: Settings) -> tuple[str, str]:
    """(password, where it comes from) for a server kgrec manages: NEO4J_PASSWORD, else a generated one."""
    if stored := stored_password(settings):
        return stored
    path = settings.password_file
    password = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(24))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(password + "\n")
        path.chmod(0o600)
    except OSError as exc:
        raise unwritable(path, exc) from exc
    return password, str(path)


class MavenServer:
    """A Neo4j Community server assembled from Maven Central, managed as a background process."""

    backend = "maven"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dist = settings.cache_dir / "neo4j-dist" / settings.neo4j_version
        self.home = settings.neo4j_home

    # ------------------------------------------------------------------ assembly
    @property
    def lib(self) -> Path:
        return self.dist / "lib"

    def assemble(self) -> Path:
        """Resolve the server jars into the cache (once); return the lib directory."""
        marker = self.dist / ".complete"
        if marker.exists():
            return self.lib
        if shutil.which("mvn") is None:
            raise ProvisionError("Maven (mvn) not found: install Maven 3.6+, or set NEO4J_URI to an existing server.")
        self.dist.mkdir(parents=True, exist_ok=True)
        pom = self.dist / "pom.xml"
        pom.write_text(
            POM_TEMPLATE.format(version=self.settings.neo4j_version, browser=self.settings.neo4j_browser_version)
        )
        staging = self.dist / "lib.partial"
        shutil.rmtree(staging, ignore_errors=True)
        log.info("Fetching Neo4j %s jars from Maven Central (first run only)…", self.settings.neo4j_version)
        proc = subprocess.run(
            ["mvn", "-B", "-q", "-f", str(pom), "dependency:copy-dependencies",
             "-DincludeScope=runtime", f"-DoutputDirectory={staging}"],
            capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
            raise ProvisionError(
                "Maven could not fetch the Neo4j jars (is Maven Central reachable?): " + " | ".join(tail)
            )
        shutil.rmtree(self.lib, ignore_errors=True)
        staging.rename(self.lib)
        marker.write_text(self.settings.neo4j_version)
        return self.lib

    # ------------------------------------------------------------------ configuration
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["NEO4J_HOME"] = str(self.home)
        env["NEO4J_CONF"] = str(self.home / "conf")
        env.pop("NEO4J_DATA", None)
        return env

    def _java(self, main: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["java", "-cp", f"{self.lib}/*", main, *args],
            env=self._env(), capture_output=True, text=True, check=False,
        )

    def write_config(self) -> Path:
        """Write neo4j.conf for this machine: loopback only, auth on, memory sized to the host."""
        heap, pagecache = memory_settings(self.settings)
        for sub in ("conf", "data", "logs", "run", "plugins", "import", "licenses"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        lib_link = self.home / "lib"
        if lib_link.is_symlink() or lib_link.exists():
            lib_link.unlink()
        lib_link.symlink_to(self.lib, target_is_directory=True)
        s = self.settings
        conf = self.home / "conf" / "neo4j.conf"
        conf.write_text(
            "# Written by kgrec; edits are overwritten at the next `kgrec neo4j start`.\n"
            "server.default_listen_address=127.0.0.1\n"
            f"server.bolt.listen_address=127.0.0.1:{s.bolt_port}\n"
            f"server.http.listen_address=127.0.0.1:{s.http_port}\n"
            "server.https.enabled=false\n"
            "dbms.security.auth_enabled=true\n"
            f"server.memory.heap.initial_size={heap}\n"
            f"server.memory.heap.max_size={heap}\n"
            f"server.memory.pagecache.size={pagecache}\n"
            "dbms.usage_report.enabled=false\n"
            "server.directories.import=import\n"
            "db.tx_log.rotation.retention_policy=2 files\n"
            + "".join(f"server.jvm.additional={option}\n" for option in JVM_OPTIONS)
        )
        return conf

    # ------------------------------------------------------------------ credentials
    def initialised(self) -> bool:
        """Whether the server's data exists (its initial password is set)."""
        data = self.home / "data"
        return (data / "dbms" / "auth.ini").exists() or (data / "databases" / "system").exists()

    def _stored_password(self) -> tuple[str, str] | None:
        """`stored_password`, or the one-sentence error when the data has a password but its file is gone."""
        s = self.settings
        if not s.neo4j_password and not s.password_file.exists() and self.initialised():
            raise ProvisionError(
                f"The password file {s.password_file} is gone but {self.home / 'data'} already has a password: "
                "set NEO4J_PASSWORD to it, or `kgrec neo4j stop` and `kgrec neo4j reset` to start afresh."
            )
        return stored_password(s)

    def credentials(self) -> Credentials:
        """The managed server's credentials; a password is generated only for a server that has none yet."""
        password, source = self._stored_password() or managed_password(self.settings)
        return Credentials(f"bolt://127.0.0.1:{self.settings.bolt_port}", self.settings.neo4j_user, password, source)

    # ------------------------------------------------------------------ process
    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    def pid(self) -> int | None:
        """Pid of our running server, or None (a stale pid file is removed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):  # no pid file, or no usable state directory
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            cmdline = ""
        if "org.neo4j" not in cmdline:
            self.pid_file.unlink(missing_ok=True)
            return None
        return pid

    def start(self) -> Credentials:
        """Start the server unless it runs already; wait until Bolt answers."""
        creds = self.credentials()
        if self.pid() is not None:
            log.debug("Neo4j is already running (pid %s) at %s", self.pid(), creds.uri)
            wait_for_bolt(creds, self.settings.neo4j_start_timeout, alive=lambda: self.pid() is not None)
            return creds
        if java_major_version() < 17:
            raise ProvisionError("Neo4j 5.26 needs Java 17 or 21: install it and put it first on PATH.")
        for port in (self.settings.bolt_port, self.settings.http_port):
            if port_open("127.0.0.1", port):
                raise ProvisionError(
                    f"Port {port} is already in use by another process: stop it, or choose free ports with "
                    "KGREC_BOLT_PORT / KGREC_HTTP_PORT."
                )
        self.assemble()
        try:
            self.write_config()
        except OSError as exc:
            raise unwritable(self.home, exc) from exc
        if not self.initialised():
            # "--" ends the options: a password may start with "-"
            proc = self._java(ADMIN, "dbms", "set-initial-password", "--", creds.password)
            if proc.returncode != 0:
                raise ProvisionError(f"Could not set the initial password: {proc.stderr.strip()[-200:]}")
        log.info("Starting Neo4j %s (Bolt %s, Browser http://127.0.0.1:%s)…",
                 self.settings.neo4j_version, creds.uri, self.settings.http_port)
        proc = self._java(LAUNCHER, "start")
        if proc.returncode != 0:
            raise ProvisionError(f"Neo4j failed to start: {(proc.stdout + proc.stderr).strip()[-300:]}")
        wait_for_bolt(creds, self.settings.neo4j_start_timeout, alive=lambda: self.pid() is not None)
        return creds

    def stop(self) -> None:
        """Stop the server and wait until its process is gone and its ports are free."""
        if self.pid() is None:
            log.info("Neo4j is not running.")
            return
        proc = self._java(LAUNCHER, "stop")
        if proc.returncode != 0 and self.pid() is not None:
            raise ProvisionError(f"Neo4j did not stop: {(proc.stdout + proc.stderr).strip()[-300:]}")
        self.pid_file.unlink(missing_ok=True)

    def status(self) -> ServerStatus:
        """Read-only: a server never started gets no state directory or password from being asked about."""
        pid = self.pid()
        browser = f"http://127.0.0.1:{self.settings.http_port}/browser/"
        if pid is None:
            stored = self._stored_password()
            return ServerStatus(self.backend, False, f"not running (home {self.home})",
                                f"bolt://127.0.0.1:{self.settings.bolt_port}", browser, stored and stored[1])
        creds = self.credentials()
        version = server_version(creds)
        detail = f"pid {pid}, " + (f"Neo4j {version}" if version else "process alive but Bolt not answering")
        return ServerStatus(self.backend, version is not None, detail, creds.uri, browser, creds.source, version)

    def logs(self, lines: int = 50) -> str:
        path = self.home / "logs" / "neo4j.log"
        if not path.exists():
            return f"(no log yet at {path})"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def reset(self) -> None:
        """Delete the server's data and generated password (it must be stopped)."""
        if self.pid() is not None:
            raise ProvisionError("Stop the server first: `kgrec neo4j stop`.")
        shutil.rmtree(self.home / "data", ignore_errors=True)
        self.settings.password_file.unlink(missing_ok=True)
