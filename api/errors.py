"""Errors a client may see. Anything else is masked as "Unexpected error." (and logged with its trace)."""

from __future__ import annotations

from graphql import GraphQLError


class ApiError(Exception):
    """An expected failure with a clean message and a machine-readable `extensions.code`."""

    code = "BAD_REQUEST"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.extensions = {"code": self.code}


class BadInput(ApiError):
    code = "BAD_USER_INPUT"


class NotFound(ApiError):
    code = "NOT_FOUND"


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    code = "FORBIDDEN"


class Unavailable(ApiError):
    code = "SERVICE_UNAVAILABLE"


class Timeout(ApiError):
    code = "TIMEOUT"


def is_expected(error: GraphQLError) -> bool:
    """Errors shown as they are: ours, and GraphQL's own syntax/validation errors (they name no internals)."""
    original = error.original_error
    return original is None or isinstance(original, ApiError)
