"""ingest: dataset registry, download + cache, parsers, validation and quarantine of bad rows.

Parsers turn publisher files into typed row streams (`ingest.records.Section`); `ingest.run` hands them
to `graphstore.writer`, the only code that talks to Neo4j.
"""
