"""Finding a nomination's self-assessment rounds, and what applies to them.

A nomination's rounds are numbered from 1; only the latest may be in editing, every earlier
one is frozen as it was submitted (`app.assessment.effects` keeps them in step with the
workflow). The category of the nominated organisation picks the standard's items and
thresholds.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.assessment.models import AssessmentRound, ItemResponse, RoundStatus
from app.errors import Conflict, NotFound
from app.extensions import db
from app.nominations.models import Nomination
from app.standards.models import StandardItem, StandardVersion
from app.standards.services import items_for


def rounds_of(nomination_id: int) -> list[AssessmentRound]:
    return list(
        db.session.scalars(
            select(AssessmentRound)
            .where(AssessmentRound.nomination_id == nomination_id)
            .order_by(AssessmentRound.number)
        )
    )


def latest_round(nomination_id: int, *, lock: bool = False) -> AssessmentRound | None:
    """The nomination's latest round (highest number); `lock`: SELECT … FOR UPDATE."""
    stmt = (
        select(AssessmentRound)
        .where(AssessmentRound.nomination_id == nomination_id)
        .order_by(AssessmentRound.number.desc())
        .limit(1)
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def get_round(nomination: Nomination, number: int | None = None) -> AssessmentRound:
    """Round `number` of the nomination (default: the latest), else NotFound."""
    stmt = select(AssessmentRound).where(AssessmentRound.nomination_id == nomination.id)
    stmt = (
        stmt.where(AssessmentRound.number == number)
        if number
        else stmt.order_by(AssessmentRound.number.desc()).limit(1)
    )
    found = db.session.scalar(stmt)
    if found is None:
        raise NotFound(_("There is no such round of the self-assessment."))
    return found


def editing_round(nomination_id: int, *, lock: bool = False) -> AssessmentRound:
    """The round being edited (the latest, with status editing), else Conflict (409)."""
    rnd = latest_round(nomination_id, lock=lock)
    if rnd is None or rnd.status != RoundStatus.EDITING:
        raise Conflict(
            _("The nomination cannot be edited now (it has been submitted for review or closed).")
        )
    return rnd


def category_of(nomination: Nomination) -> str:
    """The nominated organisation's category, which picks the standard's items."""
    category = nomination.org.category
    if category is None:
        raise Conflict(
            _(
                "The nominated unit has no category (enterprise / public institution / "
                "regional or industry union): it cannot assess itself."
            )
        )
    return str(category.value if hasattr(category, "value") else category)


def thresholds_for(nomination: Nomination, version: StandardVersion) -> dict[str, float]:
    return version.thresholds(category_of(nomination))


def round_answers(
    rnd: AssessmentRound, category: str
) -> tuple[StandardVersion, list[StandardItem], dict[int, ItemResponse]]:
    """The round's standard version, the category's items and the round's answers by item."""
    version = db.session.get(StandardVersion, rnd.standard_version_id)
    assert version is not None
    items = items_for(version.id, category)
    responses = {
        r.item_id: r
        for r in db.session.scalars(select(ItemResponse).where(ItemResponse.round_id == rnd.id))
    }
    return version, items, responses
