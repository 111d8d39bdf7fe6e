"""graphstore: the only package that talks to Neo4j (provisioning, schema, writes, export, reads)."""

import warnings

# PyG's import-time torch.jit.script FutureWarning, as in learner/__init__.py
warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated", category=FutureWarning)

INTEGER_RANGE = range(-(2**63), 2**63)  # what a Neo4j integer (property or parameter) holds: 64-bit signed


def split_bits(split_names: list[str] | tuple[str, ...]) -> dict[str, int]:
    """Split name → its bit in an interaction's `test_in` mask: bit k for the dataset's `split_names[k]`."""
    return {name: 1 << k for k, name in enumerate(split_names)}
