"""Nominations: the core every stage builds on — creating, seeing, acting through the
engine, due dates, and the nomination page that composes the stages' cards.

The blueprint's views live in the package's view modules, which the app factory imports
(`app.register_blueprints`).
"""

from flask import Blueprint

bp = Blueprint("nominations", __name__, url_prefix="/nominations")
