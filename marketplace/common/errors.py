"""Domain exceptions. Services raise these; `config.api.exception_handler` renders them as
`{"error": {"code", "message", "fields"}}` with the class's HTTP status."""

from __future__ import annotations


class DomainError(Exception):
    """An expected failure the user can act on. `code` is stable and machine-readable."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class ValidationFailed(DomainError):
    status_code = 400
    code = "validation_failed"


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class InvalidTransition(Conflict):
    """An action that does not fit the current state (or the actor's role); `fields` lists the
    actions allowed now."""

    code = "invalid_transition"
