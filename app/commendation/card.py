"""The nomination page's commendation card: the published list, the decision, the
certificate, a revocation, an order to rectify — and what the user may do from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.commendation import policy
from app.commendation.forms_honours import decision_form, order_form, revoke_form
from app.commendation.honours import open_rectification, rectification_files
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

    user: User
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
        return policy.may_order_rectification(self.user, self.nomination)

    @property
    def may_revoke(self) -> bool:
        return policy.may_revoke(self.user, self.nomination, self.certificate)

    @property
    def may_decide(self) -> bool:
        return policy.may_decide_rectification(self.user, self.nomination, self.order)

    @property
    def origin_label(self) -> str:
        return str(ORIGIN_WORDS.get(self.order.origin, "")) if self.order else ""


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
        open_rectification(nomination.id) if nomination.status == "honour_rectification" else None
    )
    card = HonourCard(
        user,
        nomination,
        publicity,
        certificate,
        order,
        rectification_files(order, nomination.id),
        is_city=policy.may_manage_nomination(user, nomination),
        is_union=policy.may_rectify(user, nomination) if order is not None else False,
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
