"""graphstore: the only package that talks to Neo4j (provisioning, schema, writes, export, reads)."""

INTEGER_RANGE = range(-(2**63), 2**63)  # what a Neo4j integer (property or parameter) holds: 64-bit signed
