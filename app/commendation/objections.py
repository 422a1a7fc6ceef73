"""Objections (异议) to a published list: anyone lodges one against a listed candidate while
the list is up (a few per network address a day; the contact details stay private), and
the city answers every one: dismissed, or upheld → the candidate is not commended, or must
rectify by a deadline first."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import ratelimit
from app.auth.models import User
from app.commendation import policy
from app.commendation.models import (
    MAX_TEXT,
    HonourRectification,
    Objection,
    ObjectionStatus,
    Publicity,
    PublicityEntry,
)
from app.commendation.publicity import get_publicity
from app.errors import Conflict, Invalid, NotFound, TooManyAttempts
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import fire_stage_action, flush_state_change
from app.timeutil import beijing_today, utcnow

MIN_OBJECTION = 10  # characters: the facts and reasons, not a word
ANSWERS = ("dismiss", "not_commended", "rectification")


def address_hash(address: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


def lodge_objection(
    publicity_id: int,
    nomination_id: int,
    *,
    body: str,
    name: str | None,
    contact: str,
    address: str,
) -> Objection:
    """Anyone objects to a listed candidate while the list is up. Commits."""
    publicity = get_publicity(publicity_id)
    if not policy.may_object(publicity):
        raise Conflict(
            _(
                "The publicity period is %(start)s to %(end)s: it is not open now.",
                start=publicity.starts_on.isoformat(),
                end=publicity.ends_on.isoformat(),
            )
        )
    listed = db.session.scalar(
        select(PublicityEntry).where(
            PublicityEntry.publicity_id == publicity.id,
            PublicityEntry.nomination_id == nomination_id,
        )
    )
    if listed is None:
        raise NotFound(_("This unit is not on this published list."))
    errors: dict[str, list[str]] = {}
    body = (body or "").strip()
    if len(body) < MIN_OBJECTION:
        errors["body"] = [
            _(
                "Please state the facts and reasons of your objection (at least %(min)s "
                "characters).",
                min=MIN_OBJECTION,
            )
        ]
    elif len(body) > MAX_TEXT:
        errors["body"] = [_("An objection has at most %(max)s characters.", max=MAX_TEXT)]
    contact = (contact or "").strip()
    if not contact:
        errors["contact"] = [
            _("Please leave a phone number or e-mail address for our reply (it is not published).")
        ]
    elif len(contact) > 100:
        errors["contact"] = [_("The contact has at most %(max)s characters.", max=100)]
    name = (name or "").strip() or None
    if name and len(name) > 50:
        errors["name"] = [_("The name has at most %(max)s characters.", max=50)]
    if errors:
        raise Invalid(_("The objection has errors."), errors=errors)
    digest = address_hash(address)
    limit = int(current_app.config["OBJECTIONS_PER_ADDRESS_PER_DAY"])
    # Counted in one statement that locks the address's counter until this transaction
    # ends, so parallel objections from one address cannot pass the limit together
    # (`app.ratelimit`). The reads above end first: on SQLite the count then opens a
    # transaction of its own rather than turning a reading one into a writing one, which
    # a concurrent writer could refuse with "database is locked".
    db.session.commit()
    count = ratelimit.hit(
        ratelimit.key_for("objection", ratelimit.client_of(address)), timedelta(hours=24)
    )
    if count.hits > limit:
        db.session.rollback()
        raise TooManyAttempts(
            _(
                "At most %(n)s objections can be sent from one network address in 24 hours; "
                "please try again later.",
                n=limit,
            ),
            retry_after=count.retry_after(),
        )
    objection = Objection(
        publicity_id=publicity.id,
        nomination_id=nomination_id,
        body=body,
        name=name,
        contact=contact,
        address_hash=digest,
        created_at=utcnow(),
    )
    db.session.add(objection)
    db.session.commit()
    return objection


def objections(campaign_id: int, *, open_only: bool = False) -> list[Objection]:
    stmt = (
        select(Objection)
        .join(Publicity)
        .options(
            joinedload(Objection.nomination).joinedload(Nomination.org),
            joinedload(Objection.answered_by),
        )
        .where(Publicity.campaign_id == campaign_id)
        .order_by(Objection.id)
    )
    if open_only:
        stmt = stmt.where(Objection.status == ObjectionStatus.OPEN)
    return list(db.session.scalars(stmt))


def get_objection(user: User, objection_id: int, *, lock: bool = False) -> Objection:
    """An objection, for its city only (404 for anyone else)."""
    stmt = select(Objection).where(Objection.id == objection_id)
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    objection = db.session.scalar(stmt)
    if objection is None or not policy.may_see_objection(user, objection):
        raise NotFound(_("There is no such objection."))
    return objection


def answer_objection(
    user: User,
    objection_id: int,
    *,
    decision: str,
    answer: str | None,
    deadline: date | None = None,
) -> Objection:
    """Dismiss, or uphold (→ not commended, or → rectify by a deadline). Commits."""
    objection = get_objection(user, objection_id, lock=True)
    if objection.status != ObjectionStatus.OPEN:
        raise Conflict(_("This objection has already been answered."))
    errors: dict[str, list[str]] = {}
    if decision not in ANSWERS:
        errors["decision"] = [
            _(
                "Please choose: the objection is not upheld, upheld and not commended, or "
                "upheld and to rectify by a deadline."
            )
        ]
    answer = (answer or "").strip()
    if not answer:
        errors["answer"] = [_("Please write the answer: what was checked and the reasons.")]
    elif len(answer) > MAX_TEXT:
        errors["answer"] = [_("An answer has at most %(max)s characters.", max=MAX_TEXT)]
    if decision == "rectification":
        if deadline is None:
            errors["deadline"] = [_("Please enter the deadline.")]
        elif deadline <= beijing_today():
            errors["deadline"] = [_("The deadline must be after today.")]
    if errors:
        raise Invalid(_("The answer has errors."), errors=errors)
    nomination = objection.nomination
    objection.answer, objection.answered_by_id, objection.answered_at = answer, user.id, utcnow()
    if decision == "dismiss":
        objection.status = ObjectionStatus.DISMISSED
    else:
        objection.status = ObjectionStatus.UPHELD
        objection.outcome = decision
        if nomination.status == "publicity":
            if decision == "not_commended":
                fire_stage_action(
                    nomination, "uphold_objection", actor=user, comment=f"异议成立：{answer}"
                )
            else:
                assert deadline is not None  # required for a rectification, checked above
                db.session.add(
                    HonourRectification(
                        nomination_id=nomination.id,
                        origin="objection",
                        objection_id=objection.id,
                        reason=answer,
                        deadline=deadline,
                        ordered_by_id=user.id,
                        ordered_at=utcnow(),
                    )
                )
                db.session.flush()
                fire_stage_action(
                    nomination,
                    "objection_rectification",
                    actor=user,
                    comment=f"异议成立，限期整改（至 {deadline.isoformat()}）：{answer}",
                )
            flush_state_change()
    db.session.commit()
    return objection
