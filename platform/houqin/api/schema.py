"""OpenAPI post-processing: every operation documents the one error shape for the errors it can
answer, so clients (and the schema fuzzer) know what a 4xx looks like."""

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message", "request_id"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
                "request_id": {"type": "string", "nullable": True},
            },
        }
    },
}

_ERRORS = {
    "400": "The request is invalid; `fields` says which input was wrong.",
    "401": "Not signed in, or the token is invalid.",
    "403": "Signed in, but not allowed here.",
    "404": "Not found, or not visible to the caller (the two look the same).",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": "Conflicts with the current state.",
    "415": "Unsupported media type.",
    "422": "The Idempotency-Key was used before for a different request.",
    "429": "Too many requests.",
}


_KEY_REUSED = {"422": "This Idempotency-Key was used for a different request."}


def _takes_idempotency_key(operation: dict[str, Any]) -> bool:
    return any(
        p.get("in") == "header" and p.get("name") == "Idempotency-Key"
        for p in operation.get("parameters", [])
    )


def add_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            errors = {**_ERRORS, **(_KEY_REUSED if _takes_idempotency_key(operation) else {})}
            for status, description in errors.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
