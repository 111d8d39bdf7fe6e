"""`kgrec explain --plot` draws names and sentences from the data as they are: a `$` (Last.fm has Ke$ha, Too $hort,
Ca$his) is not matplotlib math, and a name that is not valid math does not crash the drawing."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import pytest

from kgrec.path_plot import draw_paths

NAMES = ["Ke$ha", "Too $hort $x^2$", r"user $\frac$"]


def hostile_paths() -> list[dict[str, object]]:
    user, liked, entity, item = r"user $\frac$", "Ke$ha", "Too $hort $x^2$", "Ca$his"
    return [{
        "kind": "SHARED_ENTITY", "weight": 1.0,
        "sentence": f"You played *{liked}* 5 times; *{item}* is also associated with {entity}.",
        "nodes": [{"kind": "USER", "id": "$1$", "name": user}, {"kind": "ITEM", "id": "1", "name": liked},
                  {"kind": "ENTITY", "id": "e", "name": entity}, {"kind": "ITEM", "id": "2", "name": item}],
        "relationships": [{"type": "INTERACTED", "source": 0, "target": 1, "rating": None, "weight": 5.0},
                          {"type": "ASSOCIATED_BAND", "source": 1, "target": 2, "rating": None, "weight": None},
                          {"type": "ASSOCIATED_BAND", "source": 3, "target": 2, "rating": None, "weight": None}],
    }]


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_dollar_signs_are_drawn_literally(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"why.{suffix}"
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # SVG text stays text, so it can be read back
        assert draw_paths(hostile_paths(), out, r"why user $\frac$ gets Ca$his") == out
    if suffix == "png":
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        return
    texts = "\n".join(t.text or "" for t in ET.parse(out).iter() if t.tag.endswith("text"))
    for name in [*NAMES, "Ca$his", r"why user $\frac$ gets Ca$his"]:
        assert name in texts, (name, texts)
