"""How a dataset is described in the registry: its files, where the publisher serves them, and its parser."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.quarantine import Quarantine
from ingest.records import DatasetMeta, Section


@dataclass(frozen=True)
class Source:
    """Where the publisher serves a file: a URL, the checksum of what it serves, and the zip member if any."""

    url: str
    checksum: str | None  # "sha256:<hex>" or "md5:<hex>" of the downloaded bytes; None: only members verified
    member: str | None = None  # path inside the zip archive the URL serves


@dataclass(frozen=True)
class DataFile:
    """One input file: `key` is what the parser asks for, `path` is relative to the data directory."""

    key: str
    path: str
    sha256: str | None
    source: Source | None = None
    optional: bool = False


@dataclass
class Inputs:
    """The resolved files of one ingest run, and where to start reading each (bytes already ingested)."""

    paths: dict[str, Path]
    starts: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Path:
        return self.paths[key]

    def has(self, key: str) -> bool:
        return key in self.paths

    def start(self, key: str) -> int:
        return self.starts.get(key, 0)


Parser = Callable[[Inputs, Quarantine], Iterator[Section]]


@dataclass(frozen=True)
class DatasetSpec:
    """A registry entry. `parser` yields sections in write order (users and items before what refers to them)."""

    meta: DatasetMeta
    description: str
    homepage: str
    licence: str
    files: tuple[DataFile, ...]
    parser: Parser
    appendable: frozenset[str] = frozenset()  # file keys whose appended rows may be ingested alone

    @property
    def name(self) -> str:
        return self.meta.name
