"""Every blueprint of the JSON API; `app.api.register_api` registers them in this order."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api import auth, campaigns, nominations
from app.assessment import api as assessment_api
from app.commendation import api as commendation_api
from app.dashboard import api as dashboard_api
from app.evaluation import api as evaluation_api
from app.evidence import api as evidence_api
from app.spot_checks import api as spot_checks_api

BLUEPRINTS: list[Blueprint] = [
    auth.blp,
    campaigns.blp,
    nominations.blp,
    assessment_api.blp,
    evidence_api.blp,
    evaluation_api.blp,
    spot_checks_api.blp,
    commendation_api.blp,
    dashboard_api.blp,
]
