"""申报自查: the self-assessment of a nomination, its rounds and the review.

The blueprint's views live in the package's view modules, which the app factory imports
(`app.register_blueprints`).
"""

from flask import Blueprint

bp = Blueprint("assessment", __name__)
