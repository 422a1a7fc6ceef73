"""The dashboard pages: one campaign's figures, each section's CSV, the whole as Excel."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.campaigns.models import CampaignStatus
from app.campaigns.services import visible_campaigns
from app.dashboard import bp
from app.dashboard.exports import SECTIONS, section_table, workbook_response
from app.dashboard.policy import require_dashboard
from app.dashboard.services import dashboard
from app.errors import NotFound
from app.extensions import db
from app.web.downloads import csv_response


@bp.get("/dashboard")
@login_required
def latest() -> ResponseReturnValue:
    """The nav's entry: the newest campaign under way (or the newest at all)."""
    require_dashboard(current_user)
    campaigns = db.session.scalars(visible_campaigns(current_user)).all()
    if not campaigns:
        flash(_("There is no campaign to show yet."), "info")
        return redirect(url_for("campaigns.list_campaigns"))
    chosen = next((c for c in campaigns if c.status == CampaignStatus.OPEN), campaigns[0])
    return redirect(url_for("dashboard.page", campaign_id=chosen.id))


@bp.get("/campaigns/<int:campaign_id>/dashboard")
@login_required
def page(campaign_id: int) -> ResponseReturnValue:
    board = dashboard(current_user, campaign_id, with_campaigns=True)
    return render_template("dashboard/page.html", board=board)


@bp.get("/campaigns/<int:campaign_id>/dashboard/<section>.csv")
@login_required
def section_csv(campaign_id: int, section: str) -> ResponseReturnValue:
    if section not in SECTIONS:
        raise NotFound(_("There is no such part of the dashboard."))
    board = dashboard(current_user, campaign_id)
    _title, header, rows = section_table(board, section)
    return csv_response(
        f"dashboard-{campaign_id}-{section}-{board.today.isoformat()}.csv", header, rows
    )


@bp.get("/campaigns/<int:campaign_id>/dashboard.xlsx")
@login_required
def workbook(campaign_id: int) -> ResponseReturnValue:
    return workbook_response(dashboard(current_user, campaign_id))
