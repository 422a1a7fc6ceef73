"""The public honour roll: every certificate ever issued, newest year first; a revoked title
stays on it, marked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from app.campaigns.models import Campaign
from app.commendation.models import Certificate, Commendation
from app.commendation.queries import district_of
from app.extensions import db
from app.nominations.models import Nomination
from app.orgs.models import DISTRICT_LEVELS, OrgClosure


@dataclass
class RollEntry:
    certificate: Certificate
    nomination: Nomination
    unit: str
    district: str
    year: int
    level: str
    document_number: str
    decided_on: date

    @property
    def revoked(self) -> bool:
        return self.certificate.revoked_on is not None


def honour_roll(
    *, year: int | None = None, level: str | None = None, district_id: int | None = None
) -> list[RollEntry]:
    """Every certificate ever issued, newest year first; revoked ones stay, marked (one
    query)."""
    district, link = district_of()
    stmt = (
        select(Certificate, Nomination, Campaign, Commendation, district.name)
        .join(Nomination, Nomination.id == Certificate.nomination_id)
        .join(Campaign, Campaign.id == Nomination.campaign_id)
        .join(Commendation, Commendation.id == Certificate.commendation_id)
        .join(Nomination.org)
        .outerjoin(link, link.descendant_id == Nomination.org_id)
        .outerjoin(
            district, and_(district.id == link.ancestor_id, district.level.in_(DISTRICT_LEVELS))
        )
        .options(joinedload(Nomination.org))
        .order_by(Campaign.year.desc(), Certificate.serial)
    )
    if year:
        stmt = stmt.where(Campaign.year == year)
    if level:
        stmt = stmt.where(Campaign.level == level)
    if district_id:
        stmt = stmt.where(
            Nomination.org_id.in_(
                select(OrgClosure.descendant_id).where(OrgClosure.ancestor_id == district_id)
            )
        )
    found: dict[int, RollEntry] = {}
    for certificate, nomination, campaign, commendation, dname in db.session.execute(stmt):
        entry = found.get(certificate.id)
        if entry is None:
            entry = found[certificate.id] = RollEntry(
                certificate,
                nomination,
                nomination.nominee_name or nomination.org.name,
                "",
                campaign.year,
                campaign.level,
                commendation.document_number,
                commendation.decided_on,
            )
        if dname:
            entry.district = dname
    return list(found.values())
