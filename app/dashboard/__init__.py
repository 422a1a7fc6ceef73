"""The city's dashboard: a campaign's figures per district, with charts and exports.

The blueprint's views live in the package's view modules, which the app factory imports
(`app.register_blueprints`).
"""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)
