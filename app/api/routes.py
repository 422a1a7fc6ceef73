"""Every blueprint of the JSON API; `app.api.register_api` registers them in this order."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api import auth, campaigns, nominations

BLUEPRINTS: list[Blueprint] = [auth.blp, campaigns.blp, nominations.blp]
