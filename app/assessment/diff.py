"""What changed between two rounds: the key figures, the item answers, the evidence cited.

A return keeps the submitted round as it was, so comparing it with the next round shows the
reviewer exactly what the union changed in answer to the comments.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from app.assessment.models import FIGURE_FIELDS, AssessmentRound, EvidenceLink, ItemResponse
from app.assessment.rates import FIGURE_LABELS
from app.assessment.rounds import category_of, get_round
from app.extensions import db
from app.nominations.models import Nomination
from app.standards.models import StandardItem
from app.standards.services import items_for


@dataclass
class ItemChange:
    item: StandardItem
    old: ItemResponse | None
    new: ItemResponse | None
    evidence_added: list[str]
    evidence_removed: list[str]


@dataclass
class RoundDiff:
    old: AssessmentRound
    new: AssessmentRound
    figures: list[tuple[str, int | None, int | None]]  # (label, old, new)
    items: list[ItemChange]
    figure_evidence_added: list[str]
    figure_evidence_removed: list[str]

    @property
    def empty(self) -> bool:
        return not (
            self.figures or self.items or self.figure_evidence_added or self.figure_evidence_removed
        )


def diff_rounds(nomination: Nomination, old_number: int, new_number: int) -> RoundDiff:
    """What changed between two rounds: figures, item answers, evidence added or removed."""
    old, new = get_round(nomination, old_number), get_round(nomination, new_number)
    figures = [
        (str(FIGURE_LABELS[f]), getattr(old, f), getattr(new, f))
        for f in FIGURE_FIELDS
        if getattr(old, f) != getattr(new, f)
    ]
    responses: dict[int, dict[int, ItemResponse]] = {old.id: {}, new.id: {}}
    for r in db.session.scalars(
        select(ItemResponse)
        .where(ItemResponse.round_id.in_([old.id, new.id]))
        .options(selectinload(ItemResponse.item))
    ):
        responses[r.round_id][r.item_id] = r
    links: dict[int, set[tuple[int | None, int, str]]] = {old.id: set(), new.id: set()}
    for lk in db.session.scalars(
        select(EvidenceLink)
        .where(EvidenceLink.round_id.in_([old.id, new.id]))
        .options(joinedload(EvidenceLink.evidence))
    ):
        links[lk.round_id].add((lk.item_id, lk.evidence_id, lk.evidence.original_name))
    added = links[new.id] - links[old.id]
    removed = links[old.id] - links[new.id]
    items = {i.id: i for i in items_for(new.standard_version_id, category_of(nomination))}
    changes = []
    for item_id, item in items.items():
        o, n = responses[old.id].get(item_id), responses[new.id].get(item_id)
        changed = (o.rating if o else None, o.statement if o else None) != (
            n.rating if n else None,
            n.statement if n else None,
        )
        ev_add = [name for (iid, _e, name) in added if iid == item_id]
        ev_rem = [name for (iid, _e, name) in removed if iid == item_id]
        if changed or ev_add or ev_rem:
            changes.append(ItemChange(item, o, n, sorted(ev_add), sorted(ev_rem)))
    return RoundDiff(
        old,
        new,
        figures,
        changes,
        sorted(name for (iid, _e, name) in added if iid is None),
        sorted(name for (iid, _e, name) in removed if iid is None),
    )
