"""The home page (待办), the language switch and the workflow diagram.

The blueprint's views live in the package's view modules, which the app factory imports
(`app.register_blueprints`).
"""

from flask import Blueprint

bp = Blueprint("main", __name__)
