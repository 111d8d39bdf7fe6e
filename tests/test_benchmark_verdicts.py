"""The benchmarks' verdict lines: what `benchmarks/README.md` says about each target is computed from stored
figures, so these statements are tested like any other output (hand-made figures, no Neo4j or training)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import accuracy, export, ingest


def row(label: str, model: str, r20: float, n20: float, **options: Any) -> dict[str, Any]:
    return {"label": label, "model": model, "options": options, "test": {"recall@20": r20, "ndcg@20": n20}}


@pytest.fixture
def no_seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`findings` reads the seed figures from `accuracy.SEEDS` and `accuracy.PEER_SEEDS`: point them at an empty
    folder."""
    seeds = tmp_path / "accuracy-seeds.json"
    monkeypatch.setattr(accuracy, "SEEDS", seeds)
    monkeypatch.setattr(accuracy, "PEER_SEEDS", tmp_path / "peer-seeds.json")
    return seeds


def test_findings_say_ahead_level_or_behind_per_metric(no_seeds: Path) -> None:
    ours = {"lastfm-social": {"title": "Last.fm (seeded split)", "rows": [
        row("LightGCN", "lightgcn", 0.30, 0.20), row("Pop", "popularity", 0.10, 0.05)]}}
    peers = {"lastfm-social": {"rows": [row("EASE (RecBole)", "EASE", 0.30, 0.25),
                                        row("LightGCN (RecBole)", "LightGCN", 0.29, 0.19)]}}
    lines = accuracy.findings(ours, peers)
    assert lines[0] == ("- Last.fm: best kgrec model by recall@20: LightGCN (0.3000), level with (not ahead of) the "
                        "best peer row, EASE (RecBole) (0.3000).")
    assert lines[1].startswith("- Last.fm: best kgrec model by ndcg@20: LightGCN (0.2000), behind the best peer row, "
                               "EASE (RecBole) (0.2500)")
    assert lines[2] == ("- Last.fm, LightGCN: kgrec 0.2000 vs RecBole 0.1900 NDCG@20, 0.3000 vs 0.2900 Recall@20 "
                        "(same split; one seed each).")
    ours["lastfm-social"]["rows"].append(row("EASE", "ease", 0.31, 0.26))
    assert all(" ahead of the best peer row" in line for line in accuracy.findings(ours, peers)[:2])


def test_lightgcn_seed_noise_decides_level_or_not(no_seeds: Path) -> None:
    mine, peer = row("LightGCN", "lightgcn", 0.30, 0.200, lr=0.01), row("LightGCN (RecBole)", "LightGCN", 0.29, 0.195)
    peer["params"] = {"learning_rate": 0.01}

    def seeds(ours: list[float], theirs: list[float], **changed: Any) -> None:
        kgrec = {str(s): {"options": {"lr": 0.01, **changed}, "test": {"ndcg@20": n, "recall@20": 0.3}}
                 for s, n in enumerate(ours, 1)}
        recbole = {str(s): {"params": {"learning_rate": 0.01}, "test": {"ndcg@20": n, "recall@20": 0.3}}
                   for s, n in enumerate(theirs, 1)}
        accuracy.PEER_SEEDS.write_text(json.dumps({"suites": {"lastfm-social": {
            "kgrec": kgrec, "recbole": {"LightGCN": recbole}}}}))

    def line() -> str:
        return accuracy.findings({"lastfm-social": {"title": "Last.fm", "rows": [mine]}},
                                 {"lastfm-social": {"rows": [peer]}})[-1]

    seeds([0.190, 0.210], [0.200, 0.190])  # kgrec 0.2000 ± 0.0100, RecBole 0.1950 ± 0.0050: gap 0.005
    assert line().endswith("Recall@20 (same split). Over training seeds 0, 1, 2: NDCG@20 0.2000 ± 0.0100 vs "
                           "0.1950 ± 0.0050, gap +0.0050, within noise (2 standard errors of the gap: 0.0129).")
    note = accuracy.peer_seed_note("lastfm-social", mine, peer)
    assert "| seed 2 | 0.21 | 0.19 |" in note and "| mean ± sd | 0.2000 ± 0.0100 | 0.1950 ± 0.0050 |" in note
    seeds([0.201, 0.199], [0.150, 0.151])  # a gap far beyond the spread of either library
    assert "0.1653 ± 0.0257, gap +0.0347, kgrec ahead" in line()
    seeds([0.201, 0.199], [0.150, 0.151], lr=0.02)  # kgrec's seeds ran other options than the published row
    assert line().endswith("(same split; one seed each).")
    assert accuracy.peer_seed_note("lastfm-social", mine, peer) == ""


def test_findings_count_published_figures_as_peers(no_seeds: Path) -> None:
    ours = {"kgat-amazon-book": {"title": "KGAT amazon-book (official)", "rows": [row("EASE", "ease", 0.17, 0.09)]}}
    lines = accuracy.findings(ours, {})
    assert "behind the best peer row, ItemKNN (published) (0.0970)" in lines[1]  # 0.09 < published ItemKNN 0.097
    assert "ahead of the best peer row, KGIN (published) (0.1688)" in lines[0]  # 0.17 > 0.1688


def test_findings_compare_rows_with_and_without_their_extra_edges(no_seeds: Path) -> None:
    rows = [row("EASE + KG", "ease", 0.3, 0.52, knowledge_weight=1.0), row("EASE", "ease", 0.3, 0.50),
            row("CKE", "cke", 0.2, 0.41), row("BPR-MF", "bprmf", 0.2, 0.43)]
    lines = accuracy.findings({"dbbook2014": {"title": "DBbook2014", "rows": rows}}, {})
    assert "- dbbook2014: EASE + KG vs EASE: NDCG@20 0.5200 vs 0.5000 (+0.0200)." in lines
    assert "- dbbook2014: CKE vs BPR-MF: NDCG@20 0.4100 vs 0.4300 (-0.0200)." in lines


def rating_rows(chosen_test: float) -> dict[str, Any]:
    return {"ml100k-rating": {"title": "ML-100K u1", "rows": [
        {"label": "Blend", "model": "blend", "valid": {"rmse": 0.870}, "test": {"rmse": chosen_test}},
        {"label": "SVD++", "model": "svdpp", "valid": {"rmse": 0.900}, "test": {"rmse": 0.875}}]}}


def test_rmse_target_verdict_follows_the_row_chosen_on_validation_and_every_seed(no_seeds: Path) -> None:
    # the row with the lowest validation RMSE decides, not the lowest test RMSE (SVD++'s 0.875 here)
    assert ": NOT met — " in accuracy.findings(rating_rows(0.8810), {})[0]
    assert ": met — " in accuracy.findings(rating_rows(0.8790), {})[0]
    chosen = {"label": "Blend", "valid_rmse": 0.87, "test_rmse": 0.8812, "options": {}}
    no_seeds.write_text(json.dumps({"seeds": {"1": {"rows": [], "chosen": chosen}}}))
    line = accuracy.findings(rating_rows(0.8790), {})[0]
    assert ": met with the published seed only — " in line
    assert "0.8812 (seed 1); mean over 2 seeds 0.8801 ± 0.0016" in line


def test_seed_note_names_the_seeds_above_the_target() -> None:
    def seed(valid: float, test: float, relations: list[str]) -> dict[str, Any]:
        figures = {"label": "Bayesian FM (refit)", "valid_rmse": valid, "test_rmse": test,
                   "options": {"relations": relations}}
        return {"rows": [figures], "chosen": {**figures, "label": "Blend (…), linear stacking, of A + B"}}

    note = accuracy.seed_note({"0": seed(0.88, 0.879, ["has_genre"]), "1": seed(0.89, 0.8815, ["subject"])})
    assert "The chosen row is above 0.880 on u1.test with seed(s) 1." in note
    assert "(Blend, linear stacking)" in note
    assert "(`python -m benchmarks.seed_robustness --seed 1`," in note  # without --seed it re-trains nothing
    assert "| Bayesian FM | 0.8800 / 0.8790 (relations has_genre) | 0.8900 / 0.8815 (relations subject) |" in note
    assert accuracy.seed_note({"0": seed(0.88, 0.879, [])}) == ""  # one seed: no spread to report


def test_merged_rows_keep_rows_another_run_stored_meanwhile() -> None:
    suite = accuracy.SUITES["lastfm-social"]
    first, second = suite.runs[0].label, suite.runs[1].label
    fresh = {"rows": [{"label": first, "v": "new"}, {"label": second, "v": "stale"}, {"label": "a blend", "v": 1}]}
    latest = {"rows": [{"label": first, "v": "old"}, {"label": second, "v": "parallel run"}]}
    rows = accuracy.merged_rows("lastfm-social", fresh, latest, only=[first])
    assert rows == [{"label": first, "v": "new"}, {"label": second, "v": "parallel run"}, {"label": "a blend", "v": 1}]
    assert accuracy.merged_rows("lastfm-social", fresh, None, only=None) == fresh["rows"]  # a full run: all fresh


def test_export_verdict_states_the_ratio_and_whether_the_server_floor_allows_the_target() -> None:
    assert export.verdict(1.67, 0.33) == "Target met: the export takes 1.67× the pandas time."
    assert export.verdict(4.29, 0.71).startswith("Target not met (4.29×); the server's traversal floor is 0.71×")
    assert "not reachable over Cypher on this server" in export.verdict(10.0, 4.0)
    assert "spends 60% of its time above that floor" in export.verdict(10.0, 4.0)


def test_ingest_verdict_lists_the_datasets_that_reach_the_target() -> None:
    def runs(rate: int) -> dict[str, Any]:
        return {"fresh load (CREATE)": {"relationships_per_s": rate}}

    results = {"datasets": {"ciao": runs(ingest.TARGET + 1), "dbbook2014": runs(ingest.TARGET - 1)}}
    assert ingest._verdict(results, "fresh load (CREATE)") == (
        f"fresh load (CREATE): met by ciao (1 of 2 datasets; best {ingest.TARGET + 1:,} rels/s, ciao)")
    results["datasets"].pop("ciao")
    assert ingest._verdict(results, "fresh load (CREATE)").endswith(
        f"**not met** (best {ingest.TARGET - 1:,} rels/s, dbbook2014)")
    assert ingest._verdict(results, "re-write (MERGE)") == "re-write (MERGE): not measured"
