"""The JSON API under /api/v1 (flask-smorest), described at /api/v1/openapi.json."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    from app.api import routes
    from app.api.security import BEARER_SCHEME, SECURITY_SCHEME
    from app.extensions import api, csrf

    # Each API view documents its own errors with the body app.web_errors really sends;
    # flask-smorest's default error schema (with a "status" field) would describe another.
    api.DEFAULT_ERROR_RESPONSE_NAME = None
    api.spec.components.security_scheme(BEARER_SCHEME, SECURITY_SCHEME)
    for blp in routes.BLUEPRINTS:
        api.register_blueprint(blp)
    # Bearer-token requests carry no cookie session, so CSRF does not apply to them.
    for blp in routes.BLUEPRINTS:
        csrf.exempt(blp)
