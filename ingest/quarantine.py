"""Bad input rows: reported with file:line and reason, written to a JSONL quarantine file."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rejection:
    """One rejected input row."""

    file: str
    line: int
    reason: str
    raw: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class Quarantine:
    """Collects rejected rows; writes them (one JSON object a line) to `path` when one is given."""

    path: Path | None = None
    keep: int = 20  # how many rejections to keep in memory for the report
    scope: frozenset[Path] | None = None  # only rows of these files count (others were reported before)
    count: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    samples: list[Rejection] = field(default_factory=list)
    _fh: IO[str] | None = field(default=None, repr=False)

    def reject(self, file: str | Path, line: int, reason: str, raw: str = "") -> None:
        """Record a bad row; `reason` is short and stable (it is counted), details go after a colon."""
        if self.scope is not None and Path(file) not in self.scope:
            return
        rej = Rejection(Path(file).name, line, reason, raw[:1000])
        self.count += 1
        self.reasons[reason.split(":", 1)[0]] += 1
        if len(self.samples) < self.keep:
            self.samples.append(rej)
        if self.count <= 5:
            log.warning("rejected %s", rej)
        if self.path is not None:
            if self._fh is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._fh = self.path.open("a", encoding="utf-8")
            self._fh.write(json.dumps({"file": str(file), "line": line, "reason": reason, "raw": rej.raw}) + "\n")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
