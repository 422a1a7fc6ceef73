"""The city's working-day calendar (工作日历): holidays and make-up working days.

One calendar per deployment, kept by the city federation and shared by every campaign: the
reviewers' service time and the publicity period count its working days. `workdays` holds
the pure arithmetic, `services` reads and edits the calendar, `routes` is its page.
"""

from flask import Blueprint

bp = Blueprint("calendar", __name__)
