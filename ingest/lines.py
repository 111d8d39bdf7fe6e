"""Streamed reading of delimited text files with line numbers; undecodable or malformed lines are quarantined."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from ingest.quarantine import Quarantine

T = TypeVar("T")
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that did not decode, kept by "surrogateescape"


def read_lines(
    path: Path, q: Quarantine, encoding: str = "utf-8", start: int = 0, stop: int | None = None
) -> Iterator[tuple[int, str]]:
    """(line number, text) of each non-blank line; CRLF and a missing final newline are fine.

    `start` is a byte offset to begin at (for reading only what was appended), `stop` one to end before (for
    reading only what was ingested before); both must be line starts. Line numbers are 1-based and count from
    the start of the file even then.
    """
    lineno, pos = 0, start
    with path.open("rb") as fh:
        if start:
            lineno = _count_newlines(fh, start)
        for raw in fh:
            if stop is not None and pos >= stop:
                return
            pos += len(raw)
            lineno += 1
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                q.reject(path, lineno, f"encoding: not valid {encoding} ({exc.reason} at byte {exc.start})",
                         raw.decode("latin-1"))
                continue
            text = text.rstrip("\r\n")
            if text.strip():
                yield lineno, text


def _count_newlines(fh: io.BufferedReader, upto: int) -> int:
    count, left = 0, upto
    while left > 0:
        chunk = fh.read(min(left, 1 << 20))
        if not chunk:
            break
        count += chunk.count(b"\n")
        left -= len(chunk)
    return count


def read_fields(
    path: Path, q: Quarantine, sep: str, n: int | tuple[int, int], encoding: str = "utf-8", start: int = 0,
    stop: int | None = None,
) -> Iterator[tuple[int, list[str], str]]:
    """(line number, fields, raw line) of lines split on `sep` with `n` fields (or a (min, max) range)."""
    lo, hi = (n, n) if isinstance(n, int) else n
    for lineno, text in read_lines(path, q, encoding, start, stop):
        fields = text.split(sep)
        if not lo <= len(fields) <= hi:
            want = str(lo) if lo == hi else f"{lo}-{hi}"
            q.reject(path, lineno, f"malformed: {len(fields)} fields, expected {want}", text)
            continue
        yield lineno, fields, text


def replayed(rows: Callable[[int, int | None, Quarantine], Iterator[T]], start: int, q: Quarantine) -> Iterator[T]:
    """`rows(start, None, q)`: what a file holds from byte `start` on, after `rows(0, start, …)` read what it held
    before (silently, nothing yielded) so that state the rows share, such as the pairs seen, is what a read of the
    whole file would have built: a row repeating an earlier one is a duplicate whether it was appended or not."""
    if start:
        for _ in rows(0, start, Quarantine(None)):
            pass
    yield from rows(start, None, q)


def header_names(fields: list[str]) -> list[str]:
    """Column names of a header line: trimmed, without the byte-order mark spreadsheet programs write first."""
    return [f.strip() for f in [fields[0].removeprefix("\ufeff"), *fields[1:]]] if fields else []


def read_csv(path: Path, q: Quarantine, encoding: str = "utf-8") -> Iterator[tuple[int, dict[str, str]]]:
    """(line number of the record's first line, row dict) of an RFC-4180 CSV file with a header."""
    with path.open(encoding=encoding, errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return
        header = header_names(header)
        line = reader.line_num
        while True:
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                q.reject(path, start, f"malformed: {exc}")
                line = reader.line_num
                continue
            line = reader.line_num
            if any(_UNDECODABLE.search(f) for f in row):
                raw = ",".join(row).encode(encoding, "surrogateescape").decode("latin-1")
                q.reject(path, start, f"encoding: not valid {encoding}", raw)
                continue
            if len(row) != len(header):
                q.reject(path, start, f"malformed: {len(row)} fields, expected {len(header)}", ",".join(row))
                continue
            yield start, dict(zip(header, row, strict=True))
