"""Administration: users and their roles, organisations, the queue and the outbox.

The blueprint's views live in the package's view modules, which the app factory imports
(`app.register_blueprints`).
"""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
