"""Public pages of the spot check: anyone can re-verify a draw from its record."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.errors import Conflict
from app.extensions import db
from app.spot_checks import bp
from app.spot_checks.models import SpotCheckDraw
from app.spot_checks.services import get_draw, public_record, unit_names, verify_draw
from app.spot_checks.words import DRAW_STATUS_LABELS


@bp.get("/draws/<int:draw_id>")
def verify_page(draw_id: int) -> ResponseReturnValue:
    """No login: the draw's inputs, its sample, and the result of re-running it now."""
    draw = get_draw(draw_id)
    record = public_record(draw)
    try:
        verification = verify_draw(draw.id)
    except Conflict:
        verification = None  # announced only: the seed is still secret
    units = unit_names([e["nomination_id"] for e in record["population"] or []])
    history = list(
        db.session.scalars(
            select(SpotCheckDraw)
            .where(
                SpotCheckDraw.campaign_id == draw.campaign_id,
                SpotCheckDraw.scope_org_id == draw.scope_org_id,
            )
            .order_by(SpotCheckDraw.id)
        )
    )
    return render_template(
        "spot_checks/verify.html",
        draw=draw,
        record=record,
        STATUS_LABELS=DRAW_STATUS_LABELS,
        verification=verification,
        units=units,
        history=history,
    )
