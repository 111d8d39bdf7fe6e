"""api: the strawberry GraphQL service (recommendations, similar items, explanation paths, feedback)."""
