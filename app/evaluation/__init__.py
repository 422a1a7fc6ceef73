"""会员评家: the members' anonymous evaluation of their union.

The blueprint's views live in the package's view modules, which the app factory imports
(`app.register_blueprints`).
"""

from flask import Blueprint

bp = Blueprint("evaluation", __name__)
