"""随机抽查: the draw, inspector teams, the check log on site and rectification.

The blueprint's views live in the package's view modules, which the app factory imports
(`app.register_blueprints`).
"""

from flask import Blueprint

bp = Blueprint("spot_checks", __name__)
