"""The nomination page's commendation card: the published list, the decision, the
certificate, a revocation, an order to rectify — and what the user may do from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.models import Role, User
from app.auth.scope import ancestor_ids, holds_role_over, role_orgs
from app.commendation import policy
from app.commendation import services as svc
from app.commendation.forms_honours import decision_form, order_form, revoke_form
from app.commendation.models import Certificate, HonourRectification, Publicity, PublicityEntry
from app.evidence.models import Evidence
from app.extensions import db
from app.nominations.models import Nomination

# The states in which the card is shown: from the published list on.
CARD_STATES = ("publicity", "commended", "honour_rectification", "revoked", "not_commended")
ORIGIN_WORDS = {
    "objection": _l("An objection was upheld"),
    "commended": _l("Review of a commended home"),
}


@dataclass
class HonourCard:
    """What the nomination page shows of the commendation, and what the user may do."""

    nomination: Nomination
    publicity: Publicity | None
    certificate: Certificate | None
    order: HonourRectification | None
    files: list[Evidence]
    is_city: bool
    is_union: bool
    forms: dict[str, FlaskForm] = field(default_factory=dict)

    @property
    def pdf_url(self) -> str:  # served by the certificate pages (public.py)
        return f"/nominations/{self.nomination.id}/certificate.pdf"

    @property
    def check_url(self) -> str | None:
        return f"/certificates/{self.certificate.code}" if self.certificate else None

    @property
    def publicity_url(self) -> str | None:
        return f"/publicity/{self.publicity.id}" if self.publicity else None

    @property
    def overdue(self) -> bool:
        return self.order is not None and self.order.overdue

    @property
    def may_order(self) -> bool:
        return self.is_city and self.nomination.status == "commended"

    @property
    def may_revoke(self) -> bool:
        return (
            self.is_city
            and self.certificate is not None
            and self.nomination.status in ("commended", "honour_rectification")
        )

    @property
    def may_decide(self) -> bool:
        return (
            self.is_city
            and self.order is not None
            and self.nomination.status == "honour_rectification"
        )

    @property
    def origin_label(self) -> str:
        return str(ORIGIN_WORDS.get(self.order.origin, "")) if self.order else ""


def is_city_of(user: User, nomination: Nomination) -> bool:
    if not role_orgs(user, [Role.CITY]):
        return False  # no query for anyone else
    return policy.is_city_for(user, nomination.campaign)


def is_union_of(user: User, nomination: Nomination) -> bool:
    if not role_orgs(user, [Role.UNION]):
        return False
    return holds_role_over(user, Role.UNION, ancestor_ids(nomination.org_id))


def build_card(
    user: User, nomination: Nomination, forms: dict[str, FlaskForm] | None = None
) -> HonourCard | None:
    """The card of a nomination the user sees (None before the list is published). A fixed
    number of queries: the list, the certificate, the open order and its files, the roles."""
    if nomination.status not in CARD_STATES:
        return None
    publicity = db.session.scalar(
        select(Publicity)
        .join(PublicityEntry, PublicityEntry.publicity_id == Publicity.id)
        .where(PublicityEntry.nomination_id == nomination.id)
        .order_by(Publicity.id.desc())
        .limit(1)
    )
    certificate = db.session.scalar(
        select(Certificate)
        .where(Certificate.nomination_id == nomination.id)
        .options(joinedload(Certificate.commendation))
    )
    order = (
        svc.open_rectification(nomination.id)
        if nomination.status == "honour_rectification"
        else None
    )
    card = HonourCard(
        nomination,
        publicity,
        certificate,
        order,
        svc.rectification_files(order, nomination.id),
        is_city_of(user, nomination),
        is_union_of(user, nomination) if order is not None else False,
    )
    if publicity is None and certificate is None and order is None:
        return None  # not selected: nothing to show beyond the history
    forms = dict(forms or {})
    if card.may_order:
        forms.setdefault("order", order_form())
    if card.may_revoke:
        forms.setdefault("revoke", revoke_form())
    if card.may_decide:
        forms.setdefault("decision", decision_form())
    card.forms = forms
    return card
