"""表彰: selection, publicity and objections, the commendation and certificates,
the management of honours and the public honour roll.

The blueprint's views live in the package's view modules, which the app factory imports
(`app.register_blueprints`).
"""

from flask import Blueprint

bp = Blueprint("commendation", __name__)
