from flask import Blueprint

bp = Blueprint("commendation", __name__)

from app.commendation import models  # noqa: E402,F401
