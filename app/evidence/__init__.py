"""Evidence files (佐证材料): storage, content checks, download.

The blueprint's views live in `routes`, which the app factory imports
(`app.register_blueprints`).
"""

from flask import Blueprint

bp = Blueprint("evidence", __name__)
