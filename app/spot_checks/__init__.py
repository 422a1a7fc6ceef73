from flask import Blueprint

bp = Blueprint("spot_checks", __name__)

from app.spot_checks import inspect, manage, routes  # noqa: E402,F401
