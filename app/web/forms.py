"""Service errors shown next to the form fields they concern."""

from __future__ import annotations

from typing import Any


def apply_errors(
    form: Any, errors: dict[str, list[str]], aliases: dict[str, str] | None = None
) -> list[str]:
    """Put a DomainError's field errors next to the form's fields (a service field name may
    be mapped to a form field by `aliases`); return the messages of no field on the form."""
    rest: list[str] = []
    for name, messages in errors.items():
        field = getattr(form, (aliases or {}).get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [m for m in messages if m not in field.errors]
        else:
            rest.extend(messages)
    return rest
