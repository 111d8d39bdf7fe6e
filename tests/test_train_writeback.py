"""Neo4j → learner → Neo4j on real MovieLens-100K: export round trip, `kgrec train`, vector index."""

from pathlib import Path

import pytest
from neo4j import Driver
from typer.testing import CliRunner

from graphstore.export import export_graph
from graphstore.models import active_version, get_version, list_versions, load_embeddings, write_model_version
from kgrec.cli import app

ML = "movielens-100k"


def test_export_round_trip_matches_the_publisher_files(ml100k_graph: Driver, data_dir: Path) -> None:
    data = export_graph(ml100k_graph, ML)
    rel = data["user", "rates", "item"]
    assert (data["user"].num_nodes, data["item"].num_nodes, rel.edge_index.size(1)) == (943, 1682, 100_000)
    assert data.explicit and set(data.split_names) == {"u1", "u2", "u3", "u4", "u5", "ua", "ub"}
    for split in ("u1", "ua"):
        expected = sum(1 for _ in (data_dir / "movielens-100k" / f"{split}.test").open())
        bit = 1 << data.split_names.index(split)
        assert int(((rel.test_in & bit) > 0).sum()) == expected
    # the first line of u.data: user 196 rated item 242 with 3 at 881250949
    u, i = data["user"].ids.index("196"), data["item"].ids.index("242")
    hit = ((rel.edge_index[0] == u) & (rel.edge_index[1] == i)).nonzero().flatten()
    assert len(hit) == 1 and rel.rating[hit].item() == 3.0 and rel.ts[hit].item() == 881250949
    directed = ml100k_graph.execute_query(
        "MATCH (:Item {dataset: $d})-[r:DIRECTOR]->(:Entity) RETURN count(r) AS c", {"d": ML})[0][0]["c"]
    assert data["item", "director", "entity"].edge_index.size(1) == directed == 1399


def test_kgrec_train_writes_an_active_version_behind_a_vector_index(ml100k_graph: Driver, settings) -> None:
    before = {(m.name, m.version) for m in list_versions(ml100k_graph, ML)}
    result = CliRunner().invoke(app, ["train", "-d", ML, "-m", "bprmf", "--split", "u1", "--epochs", "2", "--dim", "16",
                                      "--device", "cpu", "-p", "batch_size=4096", "-p", "reg=0.001"],
                                env=_env(settings))
    assert result.exit_code == 0, result.output
    mv = active_version(ml100k_graph, ML)
    assert (mv.name, mv.version) not in before and mv.name == "bprmf" and mv.dim == 16
    assert mv.params["batch_size"] == 4096 and mv.params["model_kwargs"]["reg"] == 0.001  # batch_size was a TypeError
    assert "test/ndcg@20" in mv.metrics and f"bprmf v{mv.version} (active)" in result.output
    counts = ml100k_graph.execute_query(
        "MATCH (n) WHERE n[$p] IS NOT NULL RETURN labels(n)[0] AS label, count(n) AS c ORDER BY label",
        {"p": mv.property})[0]
    assert {r["label"]: r["c"] for r in counts} == {"Item": 1682, "User": 943}
    records, _, _ = ml100k_graph.execute_query(
        "MATCH (u:User {dataset: $d, id: '1'}) CALL db.index.vector.queryNodes($index, 5, u[$p]) YIELD node, score "
        "RETURN node.id AS id, score", {"d": ML, "index": mv.item_index, "p": mv.property})
    assert len(records) == 5 and all(-1.0 <= r["score"] <= 1.0 for r in records)

    # scoring the stored embeddings on the same split reproduces the training-time test metrics
    evaluated = CliRunner().invoke(app, ["evaluate", "-d", ML, "--split", "u1"], env=_env(settings))
    assert evaluated.exit_code == 0, evaluated.output
    assert "warning" not in evaluated.output
    shown = dict(line.split() for line in evaluated.output.splitlines() if line.startswith("  "))
    for key in ("recall@20", "ndcg@20", "precision@10"):
        assert abs(float(shown[key]) - mv.metrics[f"test/{key}"]) < 1e-3, key


def test_models_without_embeddings_are_reported_not_written(ml100k_graph: Driver, settings) -> None:
    before = list_versions(ml100k_graph, ML)
    result = CliRunner().invoke(app, ["train", "-d", ML, "-m", "popularity", "--split", "u1"], env=_env(settings))
    assert result.exit_code == 0, result.output
    assert "test ndcg@20" in result.output
    assert list_versions(ml100k_graph, ML) == before


def test_unknown_dataset_or_model_is_a_one_line_error(ml100k_graph: Driver, settings) -> None:
    result = CliRunner().invoke(app, ["train", "-d", "nope"], env=_env(settings))
    assert result.exit_code == 1 and "run `kgrec ingest nope` first" in result.output
    result = CliRunner().invoke(app, ["train", "-d", ML, "-m", "no-such-model"], env=_env(settings))
    assert result.exit_code == 2 and "--model" in result.output and "no-such-model" in result.output  # before export


def test_a_run_directory_that_cannot_be_written_is_a_one_line_error(ml100k_graph: Driver, settings, tmp_path) -> None:
    """It was a NotADirectoryError traceback, after the export."""
    (tmp_path / "runs").write_text("a file where the runs folder should be")
    before = list_versions(ml100k_graph, ML)
    result = CliRunner().invoke(app, ["train", "-d", ML, "-m", "bprmf", "--epochs", "1"],
                                env={**_env(settings), "KGREC_STATE_DIR": str(tmp_path)})
    assert result.exit_code == 1 and result.output.startswith("error: "), result.output
    assert str(tmp_path / "runs") in result.output and "exported" not in result.output
    assert list_versions(ml100k_graph, ML) == before


@pytest.mark.parametrize("args", [["-m", "ease", "--dim", "8"], ["-m", "glocal-k", "--dim", "8"],
                                  ["-m", "blend", "--epochs", "2"], ["-m", "popularity", "--lr", "0.1"],
                                  ["-m", "itemknn", "--patience", "3"]])
def test_options_the_model_would_ignore_are_usage_errors(args: list[str]) -> None:
    """--dim for a model without embeddings and --epochs/--lr/--patience for one fitted without epochs were
    silently ignored (`-m blend --epochs 2` still trained every member for its full schedule)."""
    result = CliRunner().invoke(app, ["train", "-d", "no-such-dataset", *args])
    assert result.exit_code == 2 and args[2] in result.output and args[1] in result.output, result.output


@pytest.mark.parametrize("args", [["--dim", "0"], ["--epochs", "0"], ["--keep", "0"], ["--device", "tpu"],
                                  ["--patience", "0"], ["--lr", "0"], ["--lr", "-1"]])
def test_train_refuses_options_it_cannot_honour_before_any_work(args: list[str]) -> None:
    """--dim 0 trained, then failed writing the vectors with Neo4j's error; --epochs 0 wrote an untrained version;
    --keep 0 kept every version; --device tpu was torch's traceback after the export; --patience 0 stopped after
    the first epoch whatever the metric did and wrote that version; --lr -1 was torch's error after the export.
    All are usage errors now."""
    result = CliRunner().invoke(app, ["train", "-d", "no-such-dataset", *args])
    assert result.exit_code == 2 and args[0] in result.output, result.output


@pytest.mark.parametrize(("args", "words"), [
    (["-p", "nosuch=1"], "takes no nosuch"), (["-p", "dim=32"], "--dim"), (["-p", "epochs=3"], "--epochs"),
    (["-p", "batch_size=0"], "batch_size must be a positive integer"), (["-p", "batch_size=abc"], "batch_size"),
    (["-p", "negatives=popular"], "negatives must be one of all, trained"),
    (["-p", "monitor=rmse"], "cannot monitor 'rmse'"),
    (["-m", "transe", "-p", "negatives=trained"], "draws no BPR negatives"),
])
def test_bad_model_arguments_are_usage_errors(args: list[str], words: str) -> None:
    """An unknown --param key was ValueError after the export; one with its own option (dim, epochs, …) or
    batch_size was a TypeError traceback (passed twice to the trainer); an unknown negatives or monitor failed
    after the export (the monitor: after the first epoch, a KeyError); a model that draws no BPR negatives (PyKEEN's,
    rating models, EASE, …) ignored negatives."""
    result = CliRunner().invoke(app, ["train", "-d", "no-such-dataset", "-m", "bprmf", *args])
    assert result.exit_code == 2 and "--param" in result.output and words in result.output, result.output


def test_evaluate_scores_the_model_it_is_asked_for(ml100k_model: Driver, settings) -> None:
    """`-m NAME` alone scores that model's newest version, never silently the active one; `--version` alone is a
    usage error; an unknown name is a one-line error."""
    newest = max((m for m in list_versions(ml100k_model, ML) if m.name == "bprmf"), key=lambda m: m.version)
    result = CliRunner().invoke(app, ["evaluate", "-d", ML, "--split", "u1", "-m", "bprmf"], env=_env(settings))
    assert result.exit_code == 0 and result.output.startswith(f"bprmf v{newest.version} on {ML}"), result.output
    unknown = CliRunner().invoke(app, ["evaluate", "-d", ML, "--split", "u1", "-m", "no-such-model"],
                                 env=_env(settings))
    assert unknown.exit_code == 1 and unknown.output.startswith("error: no such model version"), unknown.output
    alone = CliRunner().invoke(app, ["evaluate", "-d", ML, "--version", "1"], env=_env(settings))
    assert alone.exit_code == 2 and "--model" in alone.output, alone.output


def test_a_split_the_dataset_lacks_is_a_usage_error(ml100k_model: Driver, settings) -> None:
    """`--split u6`, or another dataset's official split, failed only after the export."""
    for command in (["train", "-m", "bprmf"], ["evaluate"]):
        result = CliRunner().invoke(app, [*command, "-d", ML, "--split", "kgat"], env=_env(settings))
        output = " ".join(result.output.replace("│", " ").split())
        assert result.exit_code == 2 and "has no split 'kgat'; it has u1, u2" in output, result.output


def test_demo_refuses_a_model_it_cannot_serve(ml100k_model: Driver, settings, tmp_path) -> None:
    """`kgrec demo --model nope` was a traceback after the ingest and export; `--model ease` printed
    "ease vNone trained and active" and went on to serve an API without that model."""
    unknown = CliRunner().invoke(app, ["demo", "--model", "nope", "--no-serve"],
                                 env={"KGREC_STATE_DIR": str(tmp_path / "state")})
    assert unknown.exit_code == 2 and "--model" in unknown.output and not (tmp_path / "state").exists()
    before = active_version(ml100k_model, ML)
    ease = CliRunner().invoke(app, ["demo", "--model", "ease", "--retrain", "--no-serve"],
                              env={**_env(settings), "KGREC_STATE_DIR": str(tmp_path)})
    assert ease.exit_code == 1 and "error: ease has no embeddings for the API to serve" in ease.output, ease.output
    assert active_version(ml100k_model, ML) == before


def test_models_delete_removes_a_version_that_is_not_active(ml100k_model: Driver, settings) -> None:
    """`kgrec models delete` removes a stored version's vectors, indexes and node; the active version and an unknown
    one are one-line errors that delete nothing."""
    active = active_version(ml100k_model, ML)
    users, items = load_embeddings(ml100k_model, active, "User"), load_embeddings(ml100k_model, active, "Item")
    copy = write_model_version(ml100k_model, ML, "copy", *users, *items, active.similarity, {}, {}, activate=False)

    def delete(name: str, version: int):
        return CliRunner().invoke(app, ["models", "delete", "-d", ML, name, str(version)], env=_env(settings))

    refused = delete(active.name, active.version)
    assert refused.exit_code == 1, refused.output
    assert refused.output == f"error: {active.name} v{active.version} is active; activate another version first\n"
    deleted = delete("copy", copy.version)
    assert deleted.exit_code == 0 and deleted.output == f"copy v{copy.version} of {ML} deleted\n", deleted.output
    assert get_version(ml100k_model, ML, "copy", copy.version) is None
    left = ml100k_model.execute_query("MATCH (n) WHERE n[$p] IS NOT NULL RETURN count(n) AS c", {"p": copy.property})
    indexes = {r["name"] for r in ml100k_model.execute_query("SHOW VECTOR INDEXES YIELD name")[0]}
    assert left[0][0]["c"] == 0 and not {copy.user_index, copy.item_index} & indexes
    again = delete("copy", copy.version)
    assert again.exit_code == 1 and again.output == f"error: no model copy v{copy.version} for dataset '{ML}'\n"
    assert active_version(ml100k_model, ML) == active and load_embeddings(ml100k_model, active, "User")[0] == users[0]
    assert {active.user_index, active.item_index} <= indexes


def _env(settings) -> dict[str, str]:
    """Point the CLI at the test server (it reads the environment, like a user's shell)."""
    from graphstore.provision import resolve_server

    creds = resolve_server(settings).credentials()
    return {"NEO4J_URI": creds.uri, "NEO4J_USER": creds.user, "NEO4J_PASSWORD": creds.password,
            "KGREC_STATE_DIR": str(settings.state_dir)}
