"""Domain errors raised by services; the API turns each into a 4xx in the one error shape."""

from typing import Any


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields = fields


class InvalidInput(ServiceError):
    status = 400
    code = "invalid"


class NotPermitted(ServiceError):
    status = 403
    code = "permission_denied"


class TooManyAttempts(ServiceError):
    status = 429
    code = "throttled"


class Conflict(ServiceError):
    status = 409
    code = "conflict"
