"""The rectification a conclusion of 限期整改 orders: the inspected union answers each item to
rectify with a statement and evidence and hands the answers in; then the assigned
inspectors or the district reviewer (as the campaign sets) accept (→ `candidate`) or reject
(→ `spot_check_failed`). Past the deadline without an answer they may reject it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.errors import Conflict, Invalid, NotFound
from app.evidence.models import Evidence
from app.evidence.services import store_evidence
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import fire_stage_action, flush_state_change
from app.spot_checks.checks import MAX_NOTES, CheckView, check_view, get_check, load_check
from app.spot_checks.models import RectificationResponse, SpotCheck
from app.spot_checks.policy import require_decider, require_rectifier
from app.timeutil import beijing_today, utcnow


def _rectifying(user: User, check_id: int) -> tuple[SpotCheck, Nomination]:
    check, nomination = get_check(user, check_id, lock=True)
    require_rectifier(user, check, nomination)
    return check, nomination


def _rectify_item(check: SpotCheck, item_id: int | str) -> int:
    try:
        item = int(item_id)
    except (TypeError, ValueError):
        item = -1
    if item not in (check.rectification_items or []):
        raise Invalid(
            _("Not an item to rectify."),
            errors={"item_id": [_("Please choose an item to rectify.")]},
        )
    return item


def _response(check: SpotCheck, item: int) -> RectificationResponse:
    response = db.session.scalar(
        select(RectificationResponse).where(
            RectificationResponse.spot_check_id == check.id, RectificationResponse.item_id == item
        )
    )
    if response is None:
        response = RectificationResponse(spot_check_id=check.id, item_id=item, evidence_ids=[])
        db.session.add(response)
    return response


def save_responses(user: User, check_id: int, statements: Mapping[int, str | None]) -> None:
    """The union's statement per item to rectify. Commits."""
    check, _nomination = _rectifying(user, check_id)
    errors: dict[str, list[str]] = {}
    clean: dict[int, str | None] = {}
    for raw, text in statements.items():
        item = _rectify_item(check, raw)
        statement = (text or "").strip() or None
        if statement and len(statement) > MAX_NOTES:
            errors[f"statement_{item}"] = [
                _("A statement has at most %(n)s characters.", n=MAX_NOTES)
            ]
        clean[item] = statement
    if errors:
        raise Invalid(_("The rectification is not valid."), errors=errors)
    for item, statement in clean.items():
        response = _response(check, item)
        response.statement = statement
        response.updated_at = utcnow()
    db.session.commit()


def add_response_file(user: User, check_id: int, item_id: int | str, file_storage: Any) -> Evidence:
    """Evidence of one item's rectification; same checks as any upload. Commits."""
    check, nomination = _rectifying(user, check_id)
    item = _rectify_item(check, item_id)

    def attach(evidence: Evidence, is_new: bool) -> Evidence:
        locked = load_check(check.id, lock=True)
        assert locked is not None
        if locked.rectification_submitted_at is not None:
            raise Conflict(_("The rectification has been handed in and awaits acceptance."))
        response = _response(locked, item)
        ids = list(response.evidence_ids or [])
        if evidence.id not in ids:
            response.evidence_ids = [*ids, evidence.id]
        response.updated_at = utcnow()
        return evidence

    return store_evidence(user, nomination, file_storage, attach)


def remove_response_file(user: User, check_id: int, item_id: int | str, evidence_id: int) -> None:
    """Take a file off an item's answer (it stays with the nomination's evidence). Commits."""
    check, _nomination = _rectifying(user, check_id)
    item = _rectify_item(check, item_id)
    response = _response(check, item)
    ids = response.evidence_ids or []
    if evidence_id not in ids:
        raise NotFound(_("This rectification file does not exist or was removed."))
    response.evidence_ids = [i for i in ids if i != evidence_id]
    response.updated_at = utcnow()
    db.session.commit()


def rectification_problems(view: CheckView) -> list[str]:
    """What stops the union from handing its answers in, ready to show."""
    problems = []
    for row in view.rectify_items:
        response = view.responses.get(row.item.id)
        dimension, number = row.item.dimension_label, row.item.number
        if response is None or not (response.statement or "").strip():
            problems.append(
                _(
                    "%(dimension)s item %(number)s: please describe the rectification.",
                    dimension=dimension,
                    number=number,
                )
            )
        if response is None or not response.evidence_ids:
            problems.append(
                _(
                    "%(dimension)s item %(number)s: please upload evidence of the rectification.",
                    dimension=dimension,
                    number=number,
                )
            )
    return problems


def submit_rectification(user: User, check_id: int) -> SpotCheck:
    """The union hands in its answers for acceptance. Commits."""
    check, nomination = _rectifying(user, check_id)
    problems = rectification_problems(check_view(check, nomination))
    if problems:
        raise Conflict(_("The rectification is not complete yet:"), problems=problems)
    check.rectification_submitted_at = utcnow()
    check.updated_at = utcnow()
    db.session.commit()
    return check


def decide_rectification(
    user: User, check_id: int, *, accept: bool, comment: str | None
) -> SpotCheck:
    """Accept (→ candidate) or reject (→ spot_check_failed) the rectification. Commits."""
    check, nomination = get_check(user, check_id, lock=True)
    require_decider(user, check, nomination)
    comment = (comment or "").strip() or None
    if accept and check.rectification_submitted_at is None:
        raise Conflict(_("The union has not handed in its rectification: it cannot be accepted."))
    if not accept:
        if not comment:
            raise Invalid(
                _("Rejecting needs a reason."), errors={"comment": [_("Please write a comment.")]}
            )
        deadline = check.rectification_deadline
        if check.rectification_submitted_at is None and deadline and beijing_today() <= deadline:
            raise Conflict(
                _(
                    "The deadline (%(deadline)s) has not passed and the union has not handed "
                    "in its rectification.",
                    deadline=deadline.isoformat(),
                )
            )
    check.rectification_decision = "accept" if accept else "reject"
    check.rectification_decided_at = utcnow()
    check.rectification_decided_by_id = user.id
    check.updated_at = utcnow()
    fire_stage_action(
        nomination,
        "accept_rectification" if accept else "reject_rectification",
        actor=user,
        comment=comment,
    )
    flush_state_change()
    db.session.commit()
    return check
