"""The JSON API under /api/v1 (flask-smorest), described at /api/v1/openapi.json."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    from app.api import routes
    from app.extensions import api, csrf

    for blp in routes.BLUEPRINTS:
        api.register_blueprint(blp)
    # Bearer-token requests carry no cookie session, so CSRF does not apply to them.
    for blp in routes.BLUEPRINTS:
        csrf.exempt(blp)
