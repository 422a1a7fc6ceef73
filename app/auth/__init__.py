"""Users, roles, login sessions and API tokens; who reaches which organisations.

The blueprint's views live in the package's view modules, which the app factory imports
(`app.register_blueprints`).
"""

from flask import Blueprint

bp = Blueprint("auth", __name__)
