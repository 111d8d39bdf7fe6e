"""Write a benchmark's figures: JSON under benchmarks/results/ and its table into benchmarks/README.md.

Each benchmark owns the README section between `<!-- <name>:start -->` and `<!-- <name>:end -->`.
"""

from __future__ import annotations

import json
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import os

    import torch

    info = {"cpu_count": os.cpu_count(), "python": platform.python_version(), "torch": torch.__version__,
            "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
    try:
        info["cpu"] = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                           if line.startswith("model name"))
    except (OSError, StopIteration):
        info["cpu"] = platform.processor()
    try:
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                        cwd=HERE, check=False).stdout.strip()
    except OSError:
        info["commit"] = None
    return info


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:,.4f}".rstrip("0").rstrip(".")
        return f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def write_results(name: str, payload: dict[str, Any], section_md: str) -> Path:
    """Save `payload` (+ machine info) as results/<name>.json and replace the README section `name`."""
    out = HERE / "results" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    payload = {"benchmark": name, "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
               "machine": machine(), **payload}
    out.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = README.read_text() if README.exists() else "# kgrec benchmarks\n"
    block = f"{start}\n{section_md.strip()}\n\n_Measured {payload['measured_at']} on {payload['machine']['cpu']} " \
            f"({payload['machine']['cpu_count']} cores), commit {payload['machine']['commit']}; " \
            f"raw figures: `benchmarks/results/{name}.json`._\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    README.write_text(text)
    return out
