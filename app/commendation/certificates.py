"""The commendation and its certificates: the decision (文号 and date) issued once the
publicity period is over and every objection answered, a certificate per home (serial and
verification code), and the public check of a code."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import ratelimit
from app.auth.models import User
from app.campaigns.models import Campaign
from app.commendation import policy
from app.commendation.models import (
    Certificate,
    Commendation,
    Objection,
    ObjectionStatus,
    Publicity,
)
from app.commendation.publicity import get_publicity
from app.commendation.queries import get_campaign
from app.database import writing
from app.errors import Conflict, Invalid, NotFound, TooManyAttempts
from app.extensions import db
from app.nominations.models import Nomination
from app.nominations.services import fire_stage_action, flush_state_change, get_nomination
from app.timeutil import beijing_today, utcnow

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud, typed by hand


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(12))
    return "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def certificate_url(base_url: str, code: str) -> str:
    """The public check page of a code, as the certificate prints it (and its QR code)."""
    return f"{base_url.rstrip('/')}/certificates/{code}"


def normalise_code(code: str) -> str:
    raw = re.sub(r"[^0-9A-Za-z]", "", code or "").upper()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def commend(
    user: User, publicity_id: int, *, document_number: str | None, decided_on: date | None
) -> Commendation:
    """Issue the commendation for a publicity whose period is over and whose objections are
    all answered: every listed home still in publicity is commended, with a certificate."""
    publicity = get_publicity(publicity_id)
    campaign = get_campaign(publicity.campaign_id)
    policy.require_manage(user, campaign)
    db.session.scalar(select(Publicity).where(Publicity.id == publicity.id).with_for_update())
    if publicity.commendation_id is not None:
        raise Conflict(_("This list has already been commended."))
    if beijing_today() <= publicity.ends_on:
        raise Conflict(
            _(
                "The publicity period ends on %(end)s: the commendation can be issued only "
                "after it.",
                end=publicity.ends_on.isoformat(),
            )
        )
    pending = list(
        db.session.scalars(
            select(Objection)
            .options(joinedload(Objection.nomination).joinedload(Nomination.org))
            .where(Objection.publicity_id == publicity.id, Objection.status == ObjectionStatus.OPEN)
        )
    )
    if pending:
        raise Conflict(
            _(
                "Some objections are not answered yet; the commendation can be issued once "
                "they are:"
            ),
            problems=[
                _("Objection %(id)s: %(unit)s", id=o.id, unit=o.nomination.org.name)
                for o in pending
            ],
        )
    errors: dict[str, list[str]] = {}
    document_number = (document_number or "").strip()
    if not document_number:
        errors["document_number"] = [
            _("Please enter the document number, such as “×工发〔2026〕12号”.")
        ]
    elif len(document_number) > 64:
        errors["document_number"] = [
            _("The document number has at most %(max)s characters.", max=64)
        ]
    elif db.session.scalar(
        select(Commendation.id).where(Commendation.document_number == document_number)
    ):
        errors["document_number"] = [_("This document number is already used.")]
    if decided_on is None:
        errors["decided_on"] = [_("Please enter the date of the decision.")]
    elif decided_on <= publicity.ends_on or decided_on > beijing_today():
        errors["decided_on"] = [
            _(
                "The date of the decision must be after the publicity period (%(end)s) and "
                "not after today.",
                end=publicity.ends_on.isoformat(),
            )
        ]
    if errors or decided_on is None:  # (no date is among the errors)
        raise Invalid(_("The commendation decision has errors."), errors=errors)
    homes = [e.nomination for e in publicity.entries if e.nomination.status == "publicity"]
    if not homes:
        raise Conflict(_("No unit on the list is left to commend."))
    commendation = Commendation(
        campaign_id=campaign.id,
        document_number=document_number,
        decided_on=decided_on,
        issued_at=utcnow(),
        issued_by_id=user.id,
    )
    db.session.add(commendation)
    db.session.flush()
    prefix = f"{campaign.year}-"
    issued = (
        db.session.scalar(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.serial.like(prefix + "%"))
        )
        or 0
    )
    for number, nomination in enumerate(homes, start=issued + 1):
        db.session.add(
            Certificate(
                commendation_id=commendation.id,
                nomination_id=nomination.id,
                serial=f"{prefix}{number:04d}",
                code=_new_code(),
                issued_at=utcnow(),
            )
        )
        fire_stage_action(
            nomination,
            "commend",
            actor=user,
            comment=f"{document_number}（{decided_on.isoformat()}）",
        )
    publicity.commendation_id = commendation.id
    flush_state_change()
    db.session.commit()
    return commendation


def certificate_of(nomination_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.nomination_id == nomination_id))


def get_certificate(user: User, nomination_id: int) -> Certificate:
    """The certificate of a nomination the user may see."""
    nomination = get_nomination(user, nomination_id)
    certificate = certificate_of(nomination.id)
    if certificate is None:
        raise NotFound(_("This nomination has no certificate."))
    return certificate


@dataclass
class CertificateCheck:
    code: str
    certificate: Certificate | None

    @property
    def status(self) -> str:
        if self.certificate is None:
            return "unknown"
        return "revoked" if self.certificate.revoked_on else "valid"


def certificates(*criteria: Any) -> list[Certificate]:
    """Certificates with what a page, the API or the PDF prints of them: the nomination and
    its unit, the campaign and its organiser, the decision (one query)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .options(
                joinedload(Certificate.nomination).joinedload(Nomination.org),
                joinedload(Certificate.nomination)
                .joinedload(Nomination.campaign)
                .joinedload(Campaign.organizer),
                joinedload(Certificate.commendation),
            )
            .where(*criteria)
            .order_by(Certificate.serial)
        ).unique()
    )


def count_certificate_check(address: str) -> None:
    """Count one public look-up of a code by the client at `address`; past
    `CERTIFICATE_CHECKS_PER_MINUTE` in a minute, TooManyAttempts (429 with Retry-After).
    Commits: the count holds whatever the look-up answers, and it is a write of its own
    even in a GET (`app.database.writing`)."""
    key = ratelimit.key_for("certificate-check", ratelimit.client_of(address))
    with writing(db.session):
        count = ratelimit.hit(key, timedelta(minutes=1))
    limit = int(current_app.config["CERTIFICATE_CHECKS_PER_MINUTE"])
    if count.hits > limit:
        seconds = count.retry_after()
        raise TooManyAttempts(
            _(
                "Too many certificate checks from your network address (at most %(n)s a "
                "minute); please try again in %(seconds)s seconds.",
                n=limit,
                seconds=seconds,
            ),
            retry_after=seconds,
        )


def check_certificate(code: str) -> CertificateCheck:
    """What the public check says about a code: valid, revoked, or no such certificate."""
    code = normalise_code(code)
    found = certificates(Certificate.code == code) if code else []
    return CertificateCheck(code, found[0] if found else None)
