"""`graphstore.cypher_files`: what the API sends is its file without comments, blank lines and indentation."""

from __future__ import annotations

import pytest

from graphstore.cypher_files import CYPHER_DIR, load_cypher, query_text

QUERIES = sorted(str(p.relative_to(CYPHER_DIR).with_suffix("")) for folder in ("api", "explain")
                 for p in (CYPHER_DIR / folder).glob("*.cypher"))


@pytest.mark.parametrize("name", QUERIES)
def test_query_text_keeps_every_token_and_drops_comments(name: str) -> None:
    text, sent = load_cypher(name), query_text(name)
    assert "//" in text  # every file explains itself in a header comment …
    lines = sent.splitlines()
    assert lines and all(line == line.strip() and line and not line.startswith("//") for line in lines)
    code = [line for line in text.splitlines() if not line.strip().startswith("//")]
    assert sent.split() == " ".join(code).split()  # … and only comments and whitespace are dropped
    assert len(sent) < len(text)
