"""Campaigns: one nomination cycle with its award types, calendar and quotas.

The blueprint's views live in the package's view modules, which the app factory imports
(`app.register_blueprints`).
"""

from flask import Blueprint

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")
