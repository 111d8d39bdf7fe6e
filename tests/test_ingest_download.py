"""Missing files are downloaded from the publisher URL, verified against the registry's checksums, and cached.

A real HTTP server on 127.0.0.1 plays the publisher: it serves a zip built in tmp_path from the real
MovieLens-100K files (as GroupLens ships them: ml-100k/<file>) and the FranKGraphBench CSVs.
"""

from __future__ import annotations

import hashlib
import shutil
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.fetch import FetchError, _download_name, resolve_files
from ingest.registry import get
from ingest.spec import DataFile, DatasetSpec, Source

SPEC = get("movielens-100k")


class Publisher:
    """A loopback HTTP server over a folder, counting the requests it answers."""

    def __init__(self, root: Path) -> None:
        self.root, self.requests = root, []
        outer = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                super().do_GET()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def publish(root: Path, data_dir: Path, tamper: str | None = None) -> str:
    """Lay out the publisher's files under root (the GroupLens zip, the raw CSVs); return the zip's md5."""
    root.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(root / "ml-100k.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for f in SPEC.files:
            if f.source is not None and f.source.member is not None:
                data = (data_dir / f.path).read_bytes()
                if tamper and f.source.member.endswith(tamper):
                    data += b"1\t1\t1\t1\n"
                zf.writestr(f.source.member, data)
    for f in SPEC.files:
        if f.source is not None and f.source.member is None:
            target = root / "frank" / Path(f.path).name
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(data_dir / f.path, target)
    return hashlib.md5((root / "ml-100k.zip").read_bytes()).hexdigest()


def served_from(url: str, zip_md5: str) -> DatasetSpec:
    """The registry's ML-100K entry with its sources moved to `url` (member checksums unchanged)."""
    files = []
    for f in SPEC.files:
        assert f.source is not None
        if f.source.member is not None:
            source = replace(f.source, url=url + "ml-100k.zip", checksum=f"md5:{zip_md5}")
        else:
            source = replace(f.source, url=url + "frank/" + Path(f.path).name)
        files.append(replace(f, source=source))
    return replace(SPEC, files=tuple(files))


@pytest.fixture
def publisher(tmp_path: Path) -> Iterator[Publisher]:
    pub = Publisher(tmp_path / "publisher")
    yield pub
    pub.close()


def test_missing_files_downloaded_verified_cached(publisher: Publisher, data_dir: Path, tmp_path: Path) -> None:
    spec = served_from(publisher.url, publish(publisher.root, data_dir))
    cache, empty = tmp_path / "cache", tmp_path / "empty"
    empty.mkdir()
    paths = resolve_files(spec, empty, cache, progress=False)
    assert set(paths) == {f.key for f in SPEC.files}
    for f in SPEC.files:
        assert paths[f.key] == cache / "datasets" / f.path
        assert hashlib.sha256(paths[f.key].read_bytes()).hexdigest() == f.sha256
    assert publisher.requests.count("/ml-100k.zip") == 1  # one download serves all 12 members
    assert len(publisher.requests) == 3
    resolve_files(spec, empty, cache, progress=False)
    assert len(publisher.requests) == 3  # cached: nothing fetched again


def test_local_data_dir_needs_no_download(publisher: Publisher, data_dir: Path, tmp_path: Path) -> None:
    spec = served_from(publisher.url, publish(publisher.root, data_dir))
    paths = resolve_files(spec, data_dir, tmp_path / "cache", progress=False)
    assert paths["ratings"] == data_dir / "movielens-100k" / "u.data"
    assert publisher.requests == []


def test_tampered_member_rejected(publisher: Publisher, data_dir: Path, tmp_path: Path) -> None:
    spec = served_from(publisher.url, publish(publisher.root, data_dir, tamper="u.data"))
    with pytest.raises(FetchError, match=r"movielens-100k/u.data: sha256 .* does not match"):
        resolve_files(spec, tmp_path / "empty", tmp_path / "cache", progress=False)
    assert not (tmp_path / "cache" / "datasets" / "movielens-100k" / "u.data").exists()


def test_wrong_archive_checksum_rejected(publisher: Publisher, data_dir: Path, tmp_path: Path) -> None:
    publish(publisher.root, data_dir)
    spec = served_from(publisher.url, "0" * 32)
    with pytest.raises(FetchError, match="does not match its checksum md5:0000"):
        resolve_files(spec, tmp_path / "empty", tmp_path / "cache", progress=False)
    assert not list((tmp_path / "cache" / "downloads").glob("*.zip"))


def test_unreachable_publisher_is_a_clear_error(tmp_path: Path) -> None:
    spec = served_from("http://127.0.0.1:9/", "0" * 32)  # discard port: nothing listens
    with pytest.raises(FetchError, match=r"download of http://127.0.0.1:9/ml-100k.zip failed"):
        resolve_files(spec, None, tmp_path / "cache", progress=False)


def test_unverified_archive_with_a_bad_member_is_not_kept(publisher: Publisher, data_dir: Path,
                                                          tmp_path: Path) -> None:
    """A zip the publisher gives no checksum for (Last.fm, KGAT) is judged by its members: a bad member must not
    leave the archive in the cache, or every later run would reuse it instead of downloading again."""
    publish(publisher.root, data_dir, tamper="u.data")
    spec = served_from(publisher.url, "")
    spec = replace(spec, files=tuple(replace(f, source=replace(f.source, checksum=None)) if f.source else f
                                     for f in spec.files))
    cache = tmp_path / "cache"
    with pytest.raises(FetchError, match=r"movielens-100k/u.data: sha256 .* does not match"):
        resolve_files(spec, None, cache, progress=False)
    assert not list((cache / "downloads").iterdir())

    publish(publisher.root, data_dir)  # the publisher fixes its archive: the next run downloads it again
    paths = resolve_files(spec, None, cache, progress=False)
    assert paths["ratings"].read_bytes() == (data_dir / "movielens-100k" / "u.data").read_bytes()
    assert publisher.requests.count("/ml-100k.zip") == 2


def test_truncated_download_is_a_clear_error_and_not_cached(data_dir: Path, tmp_path: Path) -> None:
    """A server that closes the connection before the promised Content-Length: an error naming the URL."""
    body = (data_dir / "movielens-100k" / "u.data").read_bytes()

    class Truncating(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Truncating)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/u.data"
        f = DataFile("ratings", "movielens-100k/u.data", None, Source(url, None))
        spec = replace(SPEC, files=(f,))
        with pytest.raises(FetchError, match=rf"download of {url} failed"):
            resolve_files(spec, None, tmp_path / "cache", progress=False)
    finally:
        server.shutdown()
        server.server_close()
    assert not (tmp_path / "cache" / "datasets" / "movielens-100k" / "u.data").exists()
    assert not list((tmp_path / "cache" / "downloads").iterdir())


def test_http_error_names_the_url(publisher: Publisher, tmp_path: Path) -> None:
    spec = served_from(publisher.url + "gone/", "0" * 32)
    with pytest.raises(FetchError, match=r"download of http://127\.0\.0\.1:\d+/gone/ml-100k\.zip failed.*404"):
        resolve_files(spec, None, tmp_path / "cache", progress=False)
    assert not list((tmp_path / "cache" / "downloads").iterdir())


def test_partial_files_of_a_killed_download_are_replaced(publisher: Publisher, data_dir: Path, tmp_path: Path) -> None:
    """A download or extraction killed part-way leaves `.part` files; the next run overwrites them."""
    spec = served_from(publisher.url, publish(publisher.root, data_dir))
    ratings = next(f for f in spec.files if f.key == "ratings")
    assert ratings.source is not None
    cache = tmp_path / "cache"
    blob_part = cache / "downloads" / (_download_name(ratings.source) + ".part")
    member_part = cache / "datasets" / "movielens-100k" / "u.data.part"
    for part, junk in ((blob_part, b"PK\x03\x04 half a zip"), (member_part, b"1\t1\t")):
        part.parent.mkdir(parents=True, exist_ok=True)
        part.write_bytes(junk)
    paths = resolve_files(spec, None, cache, progress=False)
    assert paths["ratings"].read_bytes() == (data_dir / "movielens-100k" / "u.data").read_bytes()
    assert not blob_part.exists() and not member_part.exists()
