"""Decision logic of the server resolver (NEO4J_URI → Docker → Maven) and machine sizing."""

import pytest

from graphstore.provision import ProvisionError, choose_backend, resolve_server
from graphstore.provision.docker import DockerServer
from graphstore.provision.maven import managed_password
from graphstore.provision.memory import memory_settings
from kgrec.settings import Settings

GIB = 1024**3


def yes() -> bool:
    return True


def no() -> bool:
    return False


def test_uri_set_means_external_even_with_docker(tmp_path) -> None:
    s = Settings(neo4j_uri="neo4j+s://x.databases.neo4j.io", state_dir=tmp_path)
    assert choose_backend(s, yes) == "external"
    assert resolve_server(s, yes).backend == "external"


def test_docker_engine_wins_over_maven(tmp_path) -> None:
    s = Settings(neo4j_uri=None, state_dir=tmp_path)
    assert choose_backend(s, yes) == "docker"
    assert choose_backend(s, no) == "maven"


def test_forced_backends(tmp_path) -> None:
    assert choose_backend(Settings(neo4j_uri=None, neo4j_backend="maven", state_dir=tmp_path), yes) == "maven"
    with pytest.raises(ProvisionError, match="no Docker engine"):
        choose_backend(Settings(neo4j_uri=None, neo4j_backend="docker", state_dir=tmp_path), no)


def test_docker_command_uses_lts_image_loopback_ports_and_password(tmp_path) -> None:
    s = Settings(neo4j_uri=None, state_dir=tmp_path, bolt_port=7700, http_port=7701, neo4j_heap="1g")
    server = resolve_server(s, yes)
    assert isinstance(server, DockerServer)
    cmd = server.run_command()
    password, _ = managed_password(s)
    assert "neo4j:5.26-community" in cmd
    assert "127.0.0.1:7700:7687" in cmd and "127.0.0.1:7701:7474" in cmd
    assert f"NEO4J_AUTH=neo4j/{password}" in cmd
    assert "NEO4J_server_memory_heap_max__size=1g" in cmd


def test_generated_password_is_stable_and_private(tmp_path) -> None:
    s = Settings(neo4j_uri=None, neo4j_password=None, state_dir=tmp_path)
    first, source = managed_password(s)
    assert len(first) >= 20 and first.isalnum() and source == str(s.password_file)
    assert managed_password(s)[0] == first
    assert s.password_file.stat().st_mode & 0o077 == 0
    assert managed_password(Settings(neo4j_uri=None, neo4j_password="pw", state_dir=tmp_path)) == (
        "pw", "NEO4J_PASSWORD")


@pytest.mark.parametrize(
    ("total", "heap", "pagecache"),
    [(2 * GIB, "512m", "256m"), (24 * GIB, "3072m", "2457m"), (256 * GIB, "4096m", "4096m")],
)
def test_memory_sized_to_machine(total: int, heap: str, pagecache: str, tmp_path) -> None:
    assert memory_settings(Settings(state_dir=tmp_path), total) == (heap, pagecache)
    assert memory_settings(Settings(state_dir=tmp_path, neo4j_heap="2g", neo4j_pagecache="1g"), total) == ("2g", "1g")
