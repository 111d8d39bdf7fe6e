"""Deployment recipes: compose (validated against the Compose spec without an engine), Dockerfile, cron,
Kubernetes CronJob — all run the same `kgrec pipeline run` with a config that loads."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from kgrec.pipeline import PipelineConfig
from learner.models import MODELS

REPO = Path(__file__).resolve().parent.parent
PIPELINE = ["kgrec", "pipeline", "run", "--config", "/config/pipeline.toml"]


def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def test_compose_file_matches_compose_spec() -> None:
    exe = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
    proc = subprocess.run([exe, "--builtin-schema", "vendor.compose-spec", str(REPO / "docker-compose.yml")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_compose_services() -> None:
    services = compose()["services"]
    neo4j = services["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert "healthcheck" in neo4j and "neo4j-data:/data" in neo4j["volumes"]
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")
    assert services["api"]["command"][:2] == ["kgrec", "serve"]
    assert services["api"]["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert services["trainer"]["command"] == PIPELINE and services["trainer"]["profiles"] == ["train"]
    gpu = services["trainer-gpu"]
    assert gpu["command"] == PIPELINE
    assert gpu["deploy"]["resources"]["reservations"]["devices"][0]["driver"] == "nvidia"
    assert " ".join(PIPELINE) in services["scheduler"]["command"][0]
    for name in ("api", "trainer", "trainer-gpu", "scheduler"):
        env = services[name]["environment"]
        assert env["NEO4J_URI"] == "bolt://neo4j:7687" and env["NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD")


def test_image_installs_what_a_bare_machine_installs() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    assert re.search(r"pip install \.(\s|$)", dockerfile), "the image must install this project's pyproject.toml"
    packages = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    for package in [*packages["packages"], "cypher"]:
        assert f"COPY {package} ./{package}" in dockerfile, f"the image misses {package}/"
    assert 'CMD ["kgrec", "serve"' in dockerfile


def test_cron_and_kubernetes_run_the_same_pipeline() -> None:
    lines = [ln for ln in (REPO / "deploy/cron/kgrec-pipeline.cron").read_text().splitlines()
             if ln.strip() and not ln.startswith("#") and "=" not in ln.split()[0]]
    assert len(lines) == 1
    fields = lines[0].split(None, 6)
    assert all(re.fullmatch(r"[\d*/,-]+", f) for f in fields[:5]), "five schedule fields"
    assert "kgrec pipeline run --config deploy/pipeline.toml" in fields[6]
    claim, job = yaml.safe_load_all((REPO / "deploy/k8s/pipeline-cronjob.yaml").read_text())
    assert (job["apiVersion"], job["kind"]) == ("batch/v1", "CronJob")
    assert job["spec"]["concurrencyPolicy"] == "Forbid"
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["command"] == PIPELINE
    # state and downloads live on the claimed volume, so a night's run finds the last one's cache and reports
    env = {e["name"]: e.get("value") for e in container["env"]}
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert env["KGREC_STATE_DIR"] == mounts["state"] and env["KGREC_CACHE_DIR"].startswith(mounts["state"] + "/")
    volume = next(v for v in pod["volumes"] if v["name"] == "state")
    assert claim["kind"] == "PersistentVolumeClaim"
    assert volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]


def test_example_pipeline_config_loads() -> None:
    config = PipelineConfig.load(REPO / "deploy/pipeline.toml")
    assert config.train.model in MODELS and config.gate.metric == "ndcg@20" and config.keep >= 1
