"""graphstore: the only package that talks to Neo4j (provisioning, schema, writes, export, reads)."""
