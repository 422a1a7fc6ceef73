"""The self-assessment's evidence: citing uploaded files in the round being edited.

A file is stored by `app.evidence` (checked by content, kept once per nomination); here it is
cited for an item of the standard, or for the key figures, in the round the union edits.
Only a union over the nomination's organisation cites or removes evidence, and only in that
round: rows of a submitted (frozen) round never change. Removing a citation keeps the file,
which earlier rounds may cite.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.assessment.models import AssessmentRound, EvidenceLink
from app.assessment.policy import require_edit_evidence
from app.assessment.rounds import editing_round
from app.auth.models import User
from app.dbtypes import INT4_MAX
from app.errors import Conflict, Invalid, NotFound
from app.evidence.models import Evidence
from app.evidence.services import store_evidence
from app.extensions import db
from app.nominations.services import get_nomination
from app.standards.models import StandardItem


def _check_item(round_: AssessmentRound, item_id: Any) -> int | None:
    if item_id in (None, ""):
        return None
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        item_id = None
    if item_id is not None and not 1 <= item_id <= INT4_MAX:
        item_id = None  # no item has it, and the database would overflow looking
    found = item_id is not None and db.session.scalar(
        select(StandardItem.id).where(
            StandardItem.id == item_id,
            StandardItem.version_id == round_.standard_version_id,
        )
    )
    if not found:
        message = _("The item does not exist or is not in the standard of this nomination.")
        raise Invalid(message, errors={"item_id": [message]})
    return item_id


def add_evidence(
    user: User, nomination_id: int, file_storage: Any, item_id: int | str | None = None
) -> EvidenceLink:
    """Upload a file and cite it in the editing round (for `item_id`, or the key figures).

    `file_storage` is a werkzeug FileStorage (``request.files["file"]``) or anything with
    ``filename`` and ``stream``. Commits. Errors: NotFound (404), Forbidden (403, not the
    nomination's union), Conflict (409, no round being edited), Invalid (422, errors under
    "file" or "item_id": type, size, total, name). The same file (same name and content)
    uploaded again for the nomination reuses the stored copy.
    """
    nomination = get_nomination(user, nomination_id)
    require_edit_evidence(user, nomination)
    item = _check_item(editing_round(nomination.id), item_id)

    def cite(evidence: Evidence, is_new: bool) -> EvidenceLink:
        # Under the round's row lock: still editable (concurrent uploads queue here).
        round_ = editing_round(nomination.id, lock=True)
        link = (
            None
            if is_new
            else db.session.scalar(
                select(EvidenceLink).where(
                    EvidenceLink.round_id == round_.id,
                    EvidenceLink.evidence_id == evidence.id,
                    EvidenceLink.item_id.is_(None)
                    if item is None
                    else EvidenceLink.item_id == item,
                )
            )
        )
        if link is None:
            link = EvidenceLink(round_id=round_.id, evidence=evidence, item_id=item)
            db.session.add(link)
        return link

    return store_evidence(user, nomination, file_storage, cite)


def upload_evidence(
    user: User, nomination_id: int, file_storage: Any, item_id: int | str | None = None
) -> Evidence:
    """`add_evidence`, returning the Evidence (see there)."""
    return add_evidence(user, nomination_id, file_storage, item_id).evidence


def unlink_evidence(user: User, nomination_id: int, link_id: int) -> None:
    """The union removes a citation from the round being edited. Commits.

    The Evidence row and the file stay: earlier (frozen) rounds may cite them.
    """
    nomination = get_nomination(user, nomination_id)
    require_edit_evidence(user, nomination)
    link = db.session.scalar(
        select(EvidenceLink)
        .join(EvidenceLink.round)
        .where(EvidenceLink.id == link_id, AssessmentRound.nomination_id == nomination.id)
    )
    if link is None:
        raise NotFound(_("The evidence does not exist or has been removed."))
    round_ = editing_round(nomination.id, lock=True)
    if link.round_id != round_.id:
        raise Conflict(
            _("This evidence belongs to a round already submitted; it cannot be changed.")
        )
    db.session.delete(link)
    db.session.commit()


def list_evidence(
    user: User, nomination_id: int, round_id: int | None = None
) -> list[EvidenceLink]:
    """The links of a round (default: the latest) with their Evidence and uploader loaded.

    Ordered: the key figures' evidence (item_id NULL) first, then by item, then upload order.
    One query after the nomination's; a round of another nomination yields nothing.
    """
    nomination = get_nomination(user, nomination_id)
    if round_id is None:
        round_filter = EvidenceLink.round_id == (
            select(AssessmentRound.id)
            .where(AssessmentRound.nomination_id == nomination.id)
            .order_by(AssessmentRound.number.desc())
            .limit(1)
            .scalar_subquery()
        )
    else:
        round_filter = EvidenceLink.round_id == round_id
    stmt = (
        select(EvidenceLink)
        .join(EvidenceLink.evidence)
        .outerjoin(Evidence.uploaded_by)
        .options(contains_eager(EvidenceLink.evidence).contains_eager(Evidence.uploaded_by))
        .where(round_filter, Evidence.nomination_id == nomination.id)
        .order_by(EvidenceLink.item_id.is_not(None), EvidenceLink.item_id, EvidenceLink.id)
    )
    return list(db.session.scalars(stmt))


def links_by_item(links: Iterable[EvidenceLink]) -> dict[int | None, list[EvidenceLink]]:
    """Group links by item id (None: the key figures), keeping their order."""
    grouped: dict[int | None, list[EvidenceLink]] = {}
    for link in links:
        grouped.setdefault(link.item_id, []).append(link)
    return grouped
