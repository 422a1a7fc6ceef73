from flask import Blueprint

bp = Blueprint("nominations", __name__, url_prefix="/nominations")

from app.nominations import routes  # noqa: E402,F401
