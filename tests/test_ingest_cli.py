"""`kgrec datasets` and `kgrec ingest` from the command line, against the test server (via NEO4J_URI)."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from ingest.registry import get
from kgrec.cli import app
from kgrec.settings import get_settings

FIXTURE = Path(__file__).parent / "fixtures" / "ml100k-bad"


def test_datasets_lists_registry() -> None:
    result = CliRunner().invoke(app, ["datasets"])
    assert result.exit_code == 0
    assert "movielens-100k" in result.output and "grouplens.org" in result.output
    for f in get("movielens-100k").files:  # the README promises files and checksums
        assert f"  file:      {f.path}  sha256 {f.sha256}" in result.output


def test_unknown_dataset_is_one_line_error() -> None:
    result = CliRunner().invoke(app, ["ingest", "no-such-data"])
    assert result.exit_code == 1
    assert "error: unknown dataset 'no-such-data' (not a folder either); known: " in result.output


def test_ingest_strict_then_lenient(db: Driver, cli_env: None, tmp_path: Path) -> None:
    strict = CliRunner().invoke(app, ["ingest", "movielens-100k", "--data-dir", str(FIXTURE), "--strict",
                                      "--no-progress"])
    assert strict.exit_code == 1
    assert "26 bad row(s), nothing written (--strict)" in strict.output
    assert "u.user:3: bad value: age 'abc' is not an integer" in strict.output
    assert db.execute_query("MATCH (n) RETURN count(n)").records[0][0] == 0

    lenient = CliRunner().invoke(app, ["ingest", "movielens-100k", "--data-dir", str(FIXTURE), "--no-progress"])
    assert lenient.exit_code == 0, lenient.output
    assert "loaded users 3, movies 3, genres 4, dbpedia 5, ratings 6; skipped 26" in lenient.output
    assert str(tmp_path / "state" / "quarantine") in lenient.output
    assert db.execute_query("MATCH ()-[r:RATED]->() RETURN count(r)").records[0][0] == 6


def test_a_missing_data_dir_is_a_usage_error_not_a_download(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", "movielens-100k", "--data-dir", str(tmp_path / "typo")])
    assert result.exit_code == 2 and "Invalid value for '--data-dir'" in result.output, result.output


def test_dbpedia_needs_a_target() -> None:
    result = CliRunner().invoke(app, ["ingest", "dbpedia"])
    assert result.exit_code == 2
    assert "needs --target <dataset>" in result.output


def test_ingest_own_folder(db: Driver, cli_env: None, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KGREC_DATA_DIR", str(data_dir))  # the folder itself is the data, whatever this says
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["ingest", str(Path(__file__).parent / "fixtures" / "own-data"),
                                      "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "my-films (full): loaded users 3, items 3" in result.output
    assert db.execute_query("MATCH (:User {dataset: 'my-films'})-[r:RATED]->() RETURN count(r)").records[0][0] == 6
