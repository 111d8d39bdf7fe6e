"""kgrec: graph-database-backed recommendations with explanation paths."""

__version__ = "0.1.0"
