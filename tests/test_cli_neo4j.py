"""`kgrec cypher`, `kgrec neo4j status|logs` against the real test server, and `kgrec serve`'s option checks."""

import json

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from graphstore.provision import resolve_server
from kgrec.cli import app


def _env(settings) -> dict[str, str]:
    creds = resolve_server(settings).credentials()
    return {"NEO4J_URI": creds.uri, "NEO4J_USER": creds.user, "NEO4J_PASSWORD": creds.password}


def test_cypher_with_parameters_as_json_and_table(db: Driver, settings) -> None:
    db.execute_query("CREATE (:Item:Movie {dataset: 'toy', id: '1', title: 'Heat'})")
    query = "MATCH (m:Movie {dataset: $d}) WHERE m.title = $t RETURN m.title AS title, $n + 1 AS next"
    result = CliRunner().invoke(app, ["cypher", query, "-p", "d=toy", "-p", "t=Heat", "-p", "n=41", "-f", "json"],
                                env=_env(settings))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"title": "Heat", "next": 42}]
    table = CliRunner().invoke(app, ["cypher", query, "-p", "d=toy", "-p", "t=Heat", "-p", "n=1"], env=_env(settings))
    assert "| Heat  | 2    |" in table.output and "1 row" in table.output


def test_hostile_parameter_values_stay_values(db: Driver, settings) -> None:
    db.execute_query("CREATE (:User {dataset: 'toy', id: 'u'})")
    hostile = "x'}) MATCH (n) DETACH DELETE n //"
    result = CliRunner().invoke(app, ["cypher", "RETURN $v AS v", "-p", f"v={hostile}", "-f", "json"],
                                env=_env(settings))
    assert json.loads(result.output) == [{"v": hostile}]
    assert db.execute_query("MATCH (n) RETURN count(n) AS c")[0][0]["c"] == 1


def test_errors_are_one_line(settings) -> None:
    bad = CliRunner().invoke(app, ["cypher", "RETURN nope("], env=_env(settings))
    assert bad.exit_code == 1 and bad.output.startswith("error:")
    assert "(Neo.ClientError.Statement.SyntaxError)" in bad.output  # Neo4j's message and code, without the GQL
    assert "gql_status" not in bad.output and "Unexpected error" not in bad.output  # status that reads as a crash
    assert CliRunner().invoke(app, ["cypher", "RETURN 1", "-p", "novalue"], env=_env(settings)).exit_code == 2
    assert CliRunner().invoke(app, ["cypher", "RETURN 1", "-f", "xml"], env=_env(settings)).exit_code == 2


def test_logs_refuses_a_line_count_below_one(settings) -> None:
    """`-n 0` and `-n -5` printed the whole log (a Python slice from 0 or -(-5)), not what was asked for."""
    for count in ("0", "-5"):
        result = CliRunner().invoke(app, ["neo4j", "logs", "-n", count], env=_env(settings))
        assert result.exit_code == 2 and "--lines" in result.output, result.output


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "70000"], ["--workers", "0"]])
def test_serve_refuses_ports_and_workers_it_cannot_use(args: list[str]) -> None:
    """`--port 0` and `--workers 0` fell back to 8000 and 1 (falsy), `--port 70000` hung; now usage errors."""
    result = CliRunner().invoke(app, ["serve", *args])
    assert result.exit_code == 2 and args[0] in result.output, result.output


def test_status_of_an_external_server(driver: Driver, settings) -> None:
    result = CliRunner().invoke(app, ["neo4j", "status"], env=_env(settings))
    assert result.exit_code == 0, result.output
    assert "backend:      external" in result.output and "Neo4j 5.26." in result.output
    down = CliRunner().invoke(app, ["neo4j", "status"], env={**_env(settings), "NEO4J_URI": "bolt://127.0.0.1:1"})
    assert down.exit_code == 3 and "not answering" in down.output
    wrong = CliRunner().invoke(app, ["neo4j", "status"], env={**_env(settings), "NEO4J_PASSWORD": "wrong"})
    assert wrong.exit_code == 1 and wrong.output.startswith("error:"), wrong.output  # was an AuthError traceback
    assert "rejected the password from NEO4J_PASSWORD" in wrong.output


def test_demo_checks_the_api_settings_before_any_work(tmp_path) -> None:
    """A bad KGREC_API_PORT used to surface only after Neo4j, ingest and training, at `serve`; it is now refused
    first, without starting a server (the state folder stays empty)."""
    state = tmp_path / "state"
    result = CliRunner().invoke(app, ["demo"], env={"KGREC_API_PORT": "abc", "KGREC_STATE_DIR": str(state)})
    assert result.exit_code == 1 and "ApiSettings" in result.output and "port" in result.output, result.output
    assert not state.exists() or not any(state.iterdir())
