"""Argument checks that run before any query: sizes, caps, cursors. Failures are BAD_USER_INPUT errors."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import time
from datetime import datetime

from api.errors import BadInput
from api.settings import ApiSettings
from graphstore import INTEGER_RANGE

RELATION = re.compile(r"^[A-Z][A-Z0-9_]*$")
MAX_TIMESTAMP = 4_102_444_800  # 2100-01-01


def check_id(value: str, what: str, settings: ApiSettings) -> str:
    """A non-empty id of bounded length without control characters (anything else is a plain parameter)."""
    if not value or len(value) > settings.max_id_length or any(ord(c) < 32 for c in value):
        raise BadInput(f"{what} must be 1–{settings.max_id_length} printable characters")
    return value


def check_first(first: int, settings: ApiSettings, what: str = "first") -> int:
    if not 1 <= first <= settings.max_first:
        raise BadInput(f"{what} must be between 1 and {settings.max_first}, got {first}")
    return first


def check_max_paths(max_paths: int | None, settings: ApiSettings, default: int) -> int:
    """The paths per item to return: as asked, or `default` capped at the server's `max_paths` when not asked."""
    if max_paths is None:
        return min(default, settings.max_paths)
    if not 1 <= max_paths <= settings.max_paths:
        raise BadInput(f"maxPaths must be between 1 and {settings.max_paths}, got {max_paths}")
    return max_paths


def check_relation(relation: str | None) -> str | None:
    if relation is not None and not RELATION.match(relation):
        raise BadInput(f"relation must be a relationship type like DIRECTOR (matching {RELATION.pattern})")
    return relation


def dataset_name(dataset: str | None, settings: ApiSettings) -> str:
    """The dataset named in the query, else the configured default."""
    name = dataset if dataset is not None else settings.default_dataset
    if name is None:
        raise BadInput("name a dataset: this server has no default dataset (KGREC_API_DEFAULT_DATASET)")
    return check_id(name, "dataset", settings)


def check_value(value: float, what: str, low: float, high: float) -> float:
    if not math.isfinite(value) or not low <= value <= high:
        raise BadInput(f"{what} must be between {low:g} and {high:g}, got {value}")
    return value


def check_timestamp(ts: int, what: str = "timestamp") -> int:
    if not 0 <= ts <= MAX_TIMESTAMP:
        raise BadInput(f"{what} must be unix seconds between 0 and {MAX_TIMESTAMP}, got {ts}")
    return ts


def interaction_time(timestamp: int | None, at: datetime | None) -> int:
    """Unix seconds of a recorded interaction: `timestamp` (a GraphQL Int, so up to 2038), `at` (a DateTime with a
    UTC offset, any date up to 2100) or, with neither, now."""
    if timestamp is not None and at is not None:
        raise BadInput("send timestamp or at, not both")
    if at is None:
        return check_timestamp(timestamp if timestamp is not None else int(time.time()))
    if at.utcoffset() is None:
        raise BadInput(f"at needs a UTC offset (e.g. 2041-05-01T12:00:00Z), got {at.isoformat()}")
    try:
        seconds = math.floor(at.timestamp())
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00, before datetime's first instant in UTC
        seconds = -1
    return check_timestamp(seconds, "at")


def encode_cursor(ts: int, item_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([ts, item_id]).encode()).decode()


def decode_cursor(cursor: str) -> tuple[int, str]:
    """(ts, item id) of a cursor made by `encode_cursor`; BadInput for anything else."""
    try:
        ts, item_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, UnicodeError, ValueError, TypeError) as exc:
        raise BadInput("invalid cursor: pass an endCursor from a previous page") from exc
    if type(ts) is not int or ts not in INTEGER_RANGE or not isinstance(item_id, str):  # a forged ts can overflow Bolt
        raise BadInput("invalid cursor: pass an endCursor from a previous page")
    return ts, item_id
