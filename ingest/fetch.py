"""Find a dataset's files: in the data directory, else in the cache, else downloaded from the publisher.

Downloads are verified against the registry's checksums before they are cached; a zip archive is
downloaded once and each member extracted and verified on its own.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import zipfile
from pathlib import Path

import httpx
from tqdm import tqdm

from ingest.spec import DataFile, DatasetSpec, Source

log = logging.getLogger(__name__)


class FetchError(RuntimeError):
    """A file that is missing and cannot be downloaded, or whose download fails verification."""


def file_digest(path: Path, algorithm: str = "sha256", limit: int | None = None) -> str:
    """Hex digest of a file (of its first `limit` bytes when given)."""
    h = hashlib.new(algorithm)
    left = limit
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20 if left is None else min(1 << 20, left)):
            h.update(chunk)
            if left is not None:
                left -= len(chunk)
                if left <= 0:
                    break
    return h.hexdigest()


def resolve_files(
    spec: DatasetSpec, data_dir: Path | None, cache_dir: Path, progress: bool = True
) -> dict[str, Path]:
    """key → local path of each file of `spec` that exists or could be fetched (optional ones may be absent)."""
    paths: dict[str, Path] = {}
    differ: list[str] = []
    for f in spec.files:
        local = data_dir / f.path if data_dir is not None else None
        cached = cache_dir / "datasets" / f.path
        if local is not None and local.is_file():
            if f.sha256 and file_digest(local) != f.sha256:
                differ.append(f.path)
            paths[f.key] = local
        elif cached.is_file():
            paths[f.key] = cached
        elif f.source is not None:
            try:
                paths[f.key] = fetch(f, cached, cache_dir / "downloads", progress)
            except FetchError as exc:
                if not f.optional:
                    raise
                log.warning("%s: optional file %s skipped: %s", spec.name, f.path, exc)
        elif not f.optional:
            where = f"{local} or {cached}" if local is not None else str(cached)
            raise FetchError(f"{spec.name}: file {f.path} not found in {where} and the publisher offers no download")
    if differ:
        log.warning("%s: %d file(s) in %s differ from the published ones (sha256), ingested as they are: %s",
                    spec.name, len(differ), data_dir, ", ".join(differ))
    return paths


def fetch(f: DataFile, target: Path, downloads: Path, progress: bool = True) -> Path:
    """Download `f` from its source into `target`, verified; raises FetchError on any mismatch."""
    assert f.source is not None
    blob = downloads / _download_name(f.source)
    if not (blob.is_file() and _checksum_ok(blob, f.source.checksum)):
        _download(f.source, blob, progress)
    try:
        _extract(f, blob, target)
    except FetchError:
        if f.source.checksum is None:  # a download nothing vouches for but its members: do not reuse it
            blob.unlink(missing_ok=True)
        raise
    log.info("cached %s", target)
    return target


def _extract(f: DataFile, blob: Path, target: Path) -> None:
    """Copy `f` (the download itself, or its zip member) from `blob` to `target`, verified by its sha256."""
    assert f.source is not None
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    if f.source.member is None:
        shutil.copyfile(blob, tmp)
    else:
        try:
            with zipfile.ZipFile(blob) as zf, zf.open(f.source.member) as src, tmp.open("wb") as dst:
                shutil.copyfileobj(src, dst)
        except (KeyError, zipfile.BadZipFile) as exc:
            tmp.unlink(missing_ok=True)
            raise FetchError(f"{f.source.url}: cannot extract {f.source.member}: {exc}") from exc
    if f.sha256 and (got := file_digest(tmp)) != f.sha256:
        tmp.unlink()
        raise FetchError(f"{f.path}: sha256 {got} does not match the registry's {f.sha256}")
    tmp.replace(target)


def _download_name(source: Source) -> str:
    digest = hashlib.sha256(source.url.encode()).hexdigest()[:12]
    return f"{digest}-{source.url.rstrip('/').rsplit('/', 1)[-1] or 'download'}"


def _checksum_ok(path: Path, checksum: str | None) -> bool:
    if checksum is None:  # the publisher states none: each extracted member is verified instead
        return True
    algorithm, _, expected = checksum.partition(":")
    return file_digest(path, algorithm) == expected.lower()


def _download(source: Source, blob: Path, progress: bool) -> None:
    blob.parent.mkdir(parents=True, exist_ok=True)
    tmp = blob.with_name(blob.name + ".part")
    log.info("downloading %s", source.url)
    try:
        with httpx.stream("GET", source.url, follow_redirects=True, timeout=60.0) as resp:
            resp.raise_for_status()
            total = int(resp.headers.get("content-length", 0)) or None
            with tmp.open("wb") as fh, tqdm(total=total, unit="B", unit_scale=True, desc=blob.name,
                                            disable=not progress) as bar:
                for chunk in resp.iter_bytes(1 << 16):
                    fh.write(chunk)
                    bar.update(len(chunk))
    except httpx.HTTPError as exc:
        tmp.unlink(missing_ok=True)
        raise FetchError(f"download of {source.url} failed: {exc}") from exc
    if not _checksum_ok(tmp, source.checksum):
        tmp.unlink()
        raise FetchError(f"download of {source.url} does not match its checksum {source.checksum}")
    tmp.replace(blob)
