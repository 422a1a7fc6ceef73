"""The dynamic management of honours: the city orders a commended home to rectify (责令整改)
or revokes its title (撤销称号); the home's union answers an order with a statement and
evidence files and hands it in; the city decides (the title kept, or revoked; a candidate
on an upheld objection a candidate again, or not commended)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.commendation import policy
from app.commendation.certificates import certificate_of
from app.commendation.models import MAX_TEXT, Certificate, HonourRectification
from app.errors import Conflict, Invalid, NotFound
from app.evidence.models import Evidence
from app.evidence.services import store_evidence
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import fire_stage_action, flush_state_change, get_nomination
from app.timeutil import beijing_today, utcnow


def open_rectification(nomination_id: int, *, lock: bool = False) -> HonourRectification | None:
    stmt = (
        select(HonourRectification)
        .where(
            HonourRectification.nomination_id == nomination_id,
            HonourRectification.decision.is_(None),
        )
        .order_by(HonourRectification.id.desc())
        .limit(1)
    )
    return db.session.scalar(stmt.with_for_update() if lock else stmt)


def rectification_files(order: HonourRectification | None, nomination_id: int) -> list[Evidence]:
    """The union's files of an order, in the order they were added (one query)."""
    ids = list(order.evidence_ids or []) if order else []
    if not ids:
        return []
    files = db.session.scalars(
        select(Evidence).where(Evidence.id.in_(ids), Evidence.nomination_id == nomination_id)
    )
    return sorted(files, key=lambda e: ids.index(e.id))


def city_nomination(user: User, nomination_id: int) -> Nomination:
    """The nomination, for its organising city only (404 unseen, 403 for anyone else)."""
    nomination = get_nomination(user, nomination_id)
    policy.require_manage_nomination(user, nomination)
    return nomination


def require_title_held(nomination: Nomination, *, certified: bool = True) -> None:
    """A title is revoked only while the home holds it, with its certificate (409)."""
    if nomination.status not in policy.TITLE_STATES or not certified:
        raise Conflict(_("Only a commended unit can have its title revoked."))


def _reason(reason: str | None, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(missing, errors={"reason": [_("Please give the reason.")]})
    if len(reason) > MAX_TEXT:
        raise Invalid(
            _("A reason has at most %(max)s characters.", max=MAX_TEXT),
            errors={"reason": [_("The reason is too long.")]},
        )
    return reason


def order_honour_rectification(
    user: User, nomination_id: int, *, reason: str, deadline: date | None
) -> HonourRectification:
    """A commended home found below standard is ordered to rectify by a deadline. Commits."""
    nomination = city_nomination(user, nomination_id)
    reason = _reason(reason, _("An order to rectify needs a reason."))
    if deadline is None or deadline <= beijing_today():
        raise Invalid(
            _("The deadline is not valid."),
            errors={"deadline": [_("The deadline must be after today.")]},
        )
    if nomination.status != "commended":
        raise Conflict(_("Only a commended unit can be ordered to rectify."))
    order = HonourRectification(
        nomination_id=nomination.id,
        origin="commended",
        reason=reason,
        deadline=deadline,
        ordered_by_id=user.id,
        ordered_at=utcnow(),
    )
    db.session.add(order)
    db.session.flush()
    fire_stage_action(
        nomination,
        "order_honour_rectification",
        actor=user,
        comment=f"责令整改（至 {deadline.isoformat()}）：{reason}",
    )
    flush_state_change()
    db.session.commit()
    return order


def revoke(
    user: User, nomination_id: int, *, reason: str, revoked_on: date | None = None
) -> Certificate:
    """Revoke a commended home's title: the certificate check and the roll say so. Commits."""
    nomination = city_nomination(user, nomination_id)
    reason = _reason(reason, _("A revocation needs a reason."))
    revoked_on = revoked_on or beijing_today()
    if revoked_on > beijing_today():
        later = _("The date of revocation cannot be later than today.")
        raise Invalid(later, errors={"revoked_on": [later]})
    certificate = certificate_of(nomination.id)
    require_title_held(nomination, certified=certificate is not None)
    assert certificate is not None  # checked just above
    order = open_rectification(nomination.id)
    fire_stage_action(
        nomination, "revoke", actor=user, comment=f"撤销称号（{revoked_on.isoformat()}）：{reason}"
    )
    if order is not None:
        order.decision, order.decision_comment = "reject", reason
        order.decided_by_id, order.decided_at = user.id, utcnow()
    certificate.revoked_on, certificate.revoked_reason = revoked_on, reason
    certificate.revoked_by_id = user.id
    flush_state_change()
    db.session.commit()
    return certificate


@dataclass
class RectificationView:
    nomination: Nomination
    order: HonourRectification
    files: list[Evidence] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.order.overdue


def rectification_view(user: User, nomination_id: int) -> RectificationView:
    nomination = get_nomination(user, nomination_id)
    order = open_rectification(nomination.id)
    if order is None:
        raise NotFound(_("This nomination has no rectification under way."))
    return RectificationView(nomination, order, rectification_files(order, nomination.id))


def _union_order(user: User, nomination_id: int) -> tuple[Nomination, HonourRectification]:
    """The open order the home's union may still fill in (locked), or refused."""
    nomination = get_nomination(user, nomination_id)
    policy.require_rectify(user, nomination)
    order = open_rectification(nomination.id, lock=True)
    if order is None or nomination.status != "honour_rectification":
        raise Conflict(_("This nomination has no rectification under way."))
    if order.submitted_at is not None:
        raise Conflict(_("The rectification was handed in; the city federation will decide."))
    return nomination, order


def save_rectification_statement(user: User, nomination_id: int, statement: str) -> None:
    _nomination, order = _union_order(user, nomination_id)
    statement = (statement or "").strip()
    if len(statement) > MAX_TEXT:
        raise Invalid(
            _("The statement is too long."),
            errors={
                "statement": [_("The statement has at most %(max)s characters.", max=MAX_TEXT)]
            },
        )
    order.statement = statement or None
    db.session.commit()


def add_rectification_file(user: User, nomination_id: int, file_storage: Any) -> Evidence:
    nomination, order = _union_order(user, nomination_id)

    def attach(evidence: Evidence, is_new: bool) -> Evidence:
        ids = list(order.evidence_ids or [])
        if evidence.id not in ids:
            order.evidence_ids = [*ids, evidence.id]
        return evidence

    return store_evidence(user, nomination, file_storage, attach)


def submit_rectification(user: User, nomination_id: int) -> HonourRectification:
    _nomination, order = _union_order(user, nomination_id)
    problems = []
    if not (order.statement or "").strip():
        problems.append(_("Please describe what was done to rectify."))
    if not order.evidence_ids:
        problems.append(_("Please upload the evidence of the rectification."))
    if problems:
        raise Conflict(_("The rectification is not complete yet:"), problems=problems)
    order.submitted_at = utcnow()
    db.session.commit()
    return order


def decide_rectification(
    user: User, nomination_id: int, *, accept: bool, comment: str | None
) -> HonourRectification:
    """The city accepts (→ candidate again, or the title kept) or not (→ not commended, or
    the title revoked). Commits."""
    nomination = city_nomination(user, nomination_id)
    order = open_rectification(nomination.id)
    if order is None or nomination.status != "honour_rectification":
        raise Conflict(_("This nomination has no rectification under way."))
    comment = (comment or "").strip() or None
    if accept and order.submitted_at is None:
        raise Conflict(
            _("The unit has not handed in its rectification yet: it cannot be accepted.")
        )
    if not accept:
        if not comment:
            raise Invalid(
                _("A rectification judged not passed needs a reason."),
                errors={"comment": [_("Please write a comment.")]},
            )
        if order.submitted_at is None and not order.overdue:
            raise Conflict(
                _(
                    "The deadline (%(deadline)s) has not passed and the union has not handed "
                    "in its rectification.",
                    deadline=order.deadline.isoformat(),
                )
            )
    if not accept and order.origin == "commended":
        revoke(user, nomination.id, reason=comment or "")
        return order
    if order.origin == "objection":
        action = "rectified_to_candidate" if accept else "rectification_not_passed"
    else:
        action = "honour_restored"
    fire_stage_action(nomination, action, actor=user, comment=comment)  # guards read the order
    order.decision, order.decision_comment = ("accept" if accept else "reject"), comment
    order.decided_by_id, order.decided_at = user.id, utcnow()
    flush_state_change()
    db.session.commit()
    return order
