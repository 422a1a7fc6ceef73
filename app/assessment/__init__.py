from flask import Blueprint

bp = Blueprint("assessment", __name__)

from app.assessment import routes  # noqa: E402,F401
