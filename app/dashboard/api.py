"""The city dashboard through /api/v1: the same figures as the page, in the same scope.

The city federation and administrators get every district under the campaign's organiser;
a district reviewer its own districts; unions and inspectors are refused (403); a campaign
the caller may not see is a 404.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask.views import MethodView

from app.api.security import ApiBlueprint
from app.auth.session import api_user
from app.dashboard.schemas import DashboardSchema
from app.dashboard.services import dashboard

blp = ApiBlueprint(
    "api_dashboard",
    __name__,
    url_prefix="/api/v1",
    description="The city dashboard: nominations per district and stage, "
    "member-evaluation satisfaction, spot-check outcomes, overdue "
    "steps.",
)


@blp.route("/campaigns/<int:campaign_id>/dashboard")
class DashboardView(MethodView):
    @blp.token_required
    @blp.response(200, DashboardSchema)
    @blp.errors(403, 404)
    def get(self, campaign_id: int) -> dict[str, Any]:
        """A campaign's figures per district: nominations per stage and state, member
        evaluation, spot checks, overdue steps; the satisfaction bands and the most overdue
        steps."""
        board = dashboard(api_user(), campaign_id)
        return {
            "campaign_id": board.campaign.id,
            "campaign_name": board.campaign.name,
            "as_of": board.today,
            "whole_city": board.whole_city,
            "districts": [asdict(r) for r in board.rows],
            "total": asdict(board.total),
            "satisfaction_bands": [asdict(b) for b in board.bands],
            "overdue_steps": [asdict(s) for s in board.overdue_steps],
            "overdue_total": board.overdue_total,
        }
