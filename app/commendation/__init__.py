from flask import Blueprint

bp = Blueprint("commendation", __name__)

from app.commendation import decide, manage_honours, models, public  # noqa: E402,F401
