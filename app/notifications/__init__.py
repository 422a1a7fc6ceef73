"""Notifications: reminders of due steps, in the app and by e-mail.

The blueprint's views live in the package's view modules, which the app factory imports
(`app.register_blueprints`).
"""

from flask import Blueprint

bp = Blueprint("notifications", __name__)
