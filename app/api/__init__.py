"""The JSON API under /api/v1 (flask-smorest), described at /api/v1/openapi.json.

This package is the API's plumbing, shared by every package's `api` module: the blueprint
class with bearer-token authentication and documented errors (`security`), and the shared
schema pieces (`schemas`). The endpoints live with their packages; the app factory lists
them (`app.API_BLUEPRINTS`).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Blueprint
from marshmallow import fields


def register_api(app: Flask, blueprints: list[Blueprint]) -> None:
    """Register the API's blueprints, in the order the OpenAPI document lists them."""
    from app.api.security import BEARER_SCHEME, SECURITY_SCHEME
    from app.extensions import api, csrf

    # Each API view documents its own errors with the body app.web.errors really sends;
    # flask-smorest's default error schema (with a "status" field) would describe another.
    api.DEFAULT_ERROR_RESPONSE_NAME = None
    api.ma_plugin.converter.add_attribute_function(nullable_enum)
    api.spec.components.security_scheme(BEARER_SCHEME, SECURITY_SCHEME)
    for blp in blueprints:
        api.register_blueprint(blp)
    # Bearer-token requests carry no cookie session, so CSRF does not apply to them.
    for blp in blueprints:
        csrf.exempt(blp)


def nullable_enum(converter: Any, field: fields.Field, ret: dict[str, Any], **kwargs: Any) -> dict:
    """A field that may be null lists null among its values (JSON Schema's `enum` decides
    alone): apispec adds it only to a `OneOf`'s choices, not to an `enum` in metadata."""
    if field.allow_none and "enum" in ret and None not in ret["enum"]:
        return {"enum": [*ret["enum"], None]}
    return {}
